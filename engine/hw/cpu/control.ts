/** The paging view of the CPU's registers, as the MMU needs it. */
import type { MachineConfig } from '../../machine/config.js';
import type { PagingControl } from '../mmu/types.js';
import {
  CR0_WP,
  CR4_PCIDE,
  CR4_PKE,
  CR4_PSE,
  CR4_SMAP,
  CR4_SMEP,
  EFER_NXE,
  RFLAGS_AC,
  cr3Base,
  cr3Pcid,
  hasBit,
} from './registers.js';
import type { CpuState } from './state.js';

export interface AccessOverrides {
  /** Run this access at a chosen CPL (raw steps). */
  readonly cpl?: number;
  /** EFLAGS.AC for this access: `with ac` (STAC … CLAC around a copy_from_user). */
  readonly ac?: boolean;
}

/** Controls without overrides, per CPU state: the registers change rarely, accesses often. */
const plainControls = new WeakMap<CpuState, PagingControl>();

export function pagingControlOf(cpu: CpuState, config: MachineConfig, overrides: AccessOverrides = {}): PagingControl {
  if (overrides.cpl === undefined && overrides.ac === undefined) {
    let control = plainControls.get(cpu);
    if (control === undefined) {
      control = buildControl(cpu, config, overrides);
      plainControls.set(cpu, control);
    }
    return control;
  }
  return buildControl(cpu, config, overrides);
}

function buildControl(cpu: CpuState, config: MachineConfig, overrides: AccessOverrides): PagingControl {
  return {
    rootAddress: config.geometry.format === 'ostep' ? cpu.cr3 : cr3Base(cpu.cr3),
    cpl: overrides.cpl ?? cpu.cpl,
    cr0Wp: hasBit(cpu.cr0, CR0_WP),
    cr4Pse: hasBit(cpu.cr4, CR4_PSE),
    cr4Smep: hasBit(cpu.cr4, CR4_SMEP),
    cr4Smap: hasBit(cpu.cr4, CR4_SMAP),
    cr4Pke: hasBit(cpu.cr4, CR4_PKE),
    efer_nxe: hasBit(cpu.efer, EFER_NXE),
    rflagsAc: overrides.ac ?? hasBit(cpu.rflags, RFLAGS_AC),
    pkru: cpu.pkru,
    maxPhyAddr: config.maxPhyAddr,
  };
}

export function currentPcid(cpu: CpuState): number {
  return cr3Pcid(cpu.cr3, cpu.cr4);
}

export function pcidEnabled(cpu: CpuState): boolean {
  return hasBit(cpu.cr4, CR4_PCIDE);
}
