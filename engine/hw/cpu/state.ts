/**
 * CPU state: privilege (CPL), control registers, the IDT and GDT the kernel installed,
 * and the stack of frames that interrupt/SYSCALL entry saved for IRET/SYSRET.
 * Descriptor tables are modelled as decoded records rather than bytes in memory: the
 * checks that matter for isolation (gate DPL, segment DPL) are exact, the encodings
 * are not simulated.
 */
import {
  CR0_PE,
  CR0_PG,
  CR0_WP,
  CR4_PAE,
  CR4_PGE,
  CR4_PSE,
  EFER_LMA,
  EFER_LME,
  EFER_SCE,
  RFLAGS_FIXED,
  RFLAGS_IF,
} from './registers.js';

export interface Gate {
  readonly present: boolean;
  /** The gate's DPL: the highest CPL allowed to use it with INT n (SDM §6.12.1.1). */
  readonly dpl: number;
  readonly kind: 'interrupt' | 'trap';
  readonly handler: string;
}

export interface SegmentDescriptor {
  readonly selector: number;
  readonly name: string;
  readonly kind: 'code' | 'data';
  readonly dpl: number;
  readonly conforming: boolean;
}

export interface SavedFrame {
  readonly cpl: number;
  readonly via: 'interrupt' | 'syscall';
  readonly vector: number | null;
  readonly rflags: number;
}

export interface CpuState {
  readonly mode: 'long' | 'protected';
  readonly cpl: number;
  readonly cr0: number;
  /** Faulting linear address of the last #PF, exact. */
  readonly cr2: bigint;
  readonly cr3: number;
  readonly cr4: number;
  readonly efer: number;
  readonly rflags: number;
  readonly pkru: number;
  readonly idt: readonly Gate[];
  readonly gdt: readonly SegmentDescriptor[];
  readonly frames: readonly SavedFrame[];
  readonly halted: boolean;
}

/** Linux x86-64's GDT layout (arch/x86/include/asm/segment.h): __KERNEL_CS is 0x10. */
export const LINUX_GDT: readonly SegmentDescriptor[] = [
  { selector: 0x10, name: '__KERNEL_CS', kind: 'code', dpl: 0, conforming: false },
  { selector: 0x18, name: '__KERNEL_DS', kind: 'data', dpl: 0, conforming: false },
  { selector: 0x23, name: '__USER32_CS', kind: 'code', dpl: 3, conforming: false },
  { selector: 0x2b, name: '__USER_DS', kind: 'data', dpl: 3, conforming: false },
  { selector: 0x33, name: '__USER_CS', kind: 'code', dpl: 3, conforming: false },
];

const EXCEPTION_NAMES: Readonly<Record<number, string>> = {
  0: 'divide_error',
  1: 'debug',
  2: 'nmi',
  3: 'int3',
  4: 'overflow',
  5: 'bounds',
  6: 'invalid_op',
  7: 'device_not_available',
  8: 'double_fault',
  10: 'invalid_TSS',
  11: 'segment_not_present',
  12: 'stack_segment',
  13: 'general_protection',
  14: 'page_fault',
  16: 'coprocessor_error',
  17: 'alignment_check',
  18: 'machine_check',
  19: 'simd_coprocessor_error',
};

/**
 * The IDT Linux installs (arch/x86/kernel/idt.c): exceptions are DPL 0 gates except
 * #BP (3) and #OF (4), which user space may raise with INT3/INTO and so have DPL 3;
 * vector 0x80 is the i386 system-call gate with DPL 3; 0x20 is the timer (IRQ 0).
 * Other vectors are not present.
 */
export function linuxIdt(): Gate[] {
  const idt: Gate[] = [];
  for (let vector = 0; vector < 256; vector++) {
    const exception = EXCEPTION_NAMES[vector];
    if (exception !== undefined) {
      idt.push({ present: true, dpl: vector === 3 || vector === 4 ? 3 : 0, kind: 'interrupt', handler: exception });
    } else if (vector === 0x20) {
      idt.push({ present: true, dpl: 0, kind: 'interrupt', handler: 'timer_interrupt' });
    } else if (vector === 0x80) {
      idt.push({ present: true, dpl: 3, kind: 'trap', handler: 'entry_INT80_compat' });
    } else {
      idt.push({ present: false, dpl: 0, kind: 'interrupt', handler: 'none' });
    }
  }
  return idt;
}

export interface CpuFeatures {
  readonly mode: 'long' | 'protected';
  readonly cr0: number;
  readonly cr4: number;
  readonly efer: number;
}

/** Paging on, CR0.WP set, PSE/PAE/PGE as the mode needs: the state Linux leaves. */
export function defaultCpuFeatures(mode: 'long' | 'protected'): CpuFeatures {
  if (mode === 'long') {
    return { mode, cr0: (CR0_PE | CR0_PG | CR0_WP) >>> 0, cr4: CR4_PAE | CR4_PGE | CR4_PSE, efer: EFER_LME | EFER_LMA | EFER_SCE };
  }
  return { mode, cr0: (CR0_PE | CR0_PG | CR0_WP) >>> 0, cr4: CR4_PSE | CR4_PGE, efer: 0 };
}

export function initialCpuState(features: CpuFeatures): CpuState {
  return {
    mode: features.mode,
    cpl: 0,
    cr0: features.cr0,
    cr2: 0n,
    cr3: 0,
    cr4: features.cr4,
    efer: features.efer,
    rflags: RFLAGS_FIXED | RFLAGS_IF,
    pkru: 0,
    idt: linuxIdt(),
    gdt: LINUX_GDT,
    frames: [],
    halted: false,
  };
}
