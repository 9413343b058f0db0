// Proves the privilege check of every modelled instruction (SDM Vol. 3A §5.9 and the Vol. 2 instruction pages) as a table: what each does at CPL 3 and at CPL 0, and how CR4.UMIP and CR4.PKE change the answer.
import { describe, expect, it } from 'vitest';
import type { EventDraft } from '../../../engine/core/decider.js';
import { SIMPLE_MNEMONICS, type Instruction } from '../../../engine/hw/cpu/instructions.js';
import { CR0_PE, CR0_PG, CR0_WP, CR4_PAE, CR4_PGE, CR4_PKE, CR4_PSE, CR4_UMIP, VECTOR_MNEMONICS } from '../../../engine/hw/cpu/registers.js';
import { given, instruction, registerSet } from '../../helpers/machine.js';

const CR0 = (CR0_PE | CR0_PG | CR0_WP) >>> 0;
const CR4 = CR4_PAE | CR4_PGE | CR4_PSE;

/**
 * What an instruction did, in one word: "ok" (executed), "#GP(0x0)", "#UD" (an exception
 * and its error code), "trap" (entered a handler through an IDT gate).
 */
function verdict(events: readonly EventDraft[]): string {
  const fault = events.find((event) => event.type === 'cpu.exceptionRaised');
  if (fault !== undefined) {
    const { vector, errorCode } = fault.data as { vector: number; errorCode: number | null };
    return VECTOR_MNEMONICS[vector]! + (errorCode === null ? '' : `(0x${errorCode.toString(16)})`);
  }
  if (events.some((event) => event.type === 'cpu.trapEntered')) return 'trap';
  if (events.some((event) => event.type === 'cpu.executed')) return 'ok';
  return events.map((event) => event.type).join(', ');
}

function runAt(cpl: number, value: Instruction, extra: EventDraft[] = []): EventDraft[] {
  return given([registerSet('cpl', cpl), ...extra]).when(instruction(value, cpl === 3 ? 'user' : 'kernel')).events as EventDraft[];
}

const simple = (mnemonic: (typeof SIMPLE_MNEMONICS)[number]): Instruction => ({ op: 'simple', mnemonic });

/** [instruction, at CPL 3, at CPL 0] with UMIP and PKE off. */
const TABLE: ReadonlyArray<readonly [string, Instruction, string, string]> = [
  // CPL 0 only: #GP(0) elsewhere.
  ['hlt', simple('hlt'), '#GP(0x0)', 'ok'],
  ['lgdt', simple('lgdt'), '#GP(0x0)', 'ok'],
  ['lidt', simple('lidt'), '#GP(0x0)', 'ok'],
  ['lldt', simple('lldt'), '#GP(0x0)', 'ok'],
  ['ltr', simple('ltr'), '#GP(0x0)', 'ok'],
  ['wbinvd', simple('wbinvd'), '#GP(0x0)', 'ok'],
  ['clts', simple('clts'), '#GP(0x0)', 'ok'],
  ['swapgs', simple('swapgs'), '#GP(0x0)', 'ok'],
  ['mov cr0', { op: 'mov-to-cr', cr: 0, value: BigInt(CR0) }, '#GP(0x0)', 'ok'],
  ['mov cr3', { op: 'mov-to-cr', cr: 3, value: 0x5000n }, '#GP(0x0)', 'ok'],
  ['mov cr4', { op: 'mov-to-cr', cr: 4, value: BigInt(CR4) }, '#GP(0x0)', 'ok'],
  ['mov from cr0', { op: 'mov-from-cr', cr: 0 }, '#GP(0x0)', 'ok'],
  ['mov from cr2', { op: 'mov-from-cr', cr: 2 }, '#GP(0x0)', 'ok'],
  ['mov from cr3', { op: 'mov-from-cr', cr: 3 }, '#GP(0x0)', 'ok'],
  ['mov from cr4', { op: 'mov-from-cr', cr: 4 }, '#GP(0x0)', 'ok'],
  ['wrmsr', { op: 'wrmsr', msr: 0xc0000082, value: 0n }, '#GP(0x0)', 'ok'],
  ['rdmsr', { op: 'rdmsr', msr: 0xc0000082, value: 0n }, '#GP(0x0)', 'ok'],
  ['invlpg', { op: 'invlpg', va: 0x400000n }, '#GP(0x0)', 'ok'],
  // IOPL-sensitive, and Linux keeps IOPL 0.
  ['cli', simple('cli'), '#GP(0x0)', 'ok'],
  ['sti', simple('sti'), '#GP(0x0)', 'ok'],
  ['in', { op: 'in', port: 0x60 }, '#GP(0x0)', 'ok'],
  ['out', { op: 'out', port: 0x60 }, '#GP(0x0)', 'ok'],
  // Sensitive but unprivileged while CR4.UMIP = 0.
  ['sgdt', simple('sgdt'), 'ok', 'ok'],
  ['sidt', simple('sidt'), 'ok', 'ok'],
  ['sldt', simple('sldt'), 'ok', 'ok'],
  ['str', simple('str'), 'ok', 'ok'],
  ['smsw', simple('smsw'), 'ok', 'ok'],
  // Unprivileged.
  ['nop', simple('nop'), 'ok', 'ok'],
  ['cpuid', simple('cpuid'), 'ok', 'ok'],
  ['ljmp to its own code segment', { op: 'ljmp', selector: 0x33, offset: 0x400000n }, 'ok', '#GP(0x30)'],
  // #UD whatever the CPL, or at CPL > 0.
  ['stac', simple('stac'), '#UD', 'ok'],
  ['clac', simple('clac'), '#UD', 'ok'],
  ['ud2', simple('ud2'), '#UD', '#UD'],
  ['mov cs', { op: 'mov-to-cs', selector: 0x10 }, '#UD', '#UD'],
  ['wrpkru without PKE', { op: 'wrpkru', value: 0 }, '#UD', '#UD'],
  ['rdpkru without PKE', simple('rdpkru'), '#UD', '#UD'],
  ['div0', simple('div0'), '#DE', '#DE'],
  // Gates: INT3 uses the DPL 3 #BP gate; the others are DPL 0.
  ['int3', simple('int3'), 'trap', 'trap'],
  ['int 0x80', { op: 'int', vector: 0x80, syscall: null }, 'trap', 'trap'],
  ['int 0xe', { op: 'int', vector: 0xe, syscall: null }, '#GP(0x72)', 'trap'],
  ['sysret', { op: 'sysret' }, '#GP(0x0)', '#GP(0x0)'],
  ['iret to ring 0', { op: 'iret', selector: 0x10 }, '#GP(0x10)', 'ok'],
];

describe('each instruction at CPL 3 and at CPL 0', () => {
  it.each(TABLE)('%s: CPL 3 → %s, CPL 0 → %s', (_name, value, atCpl3, atCpl0) => {
    expect(verdict(runAt(3, value))).toBe(atCpl3);
    expect(verdict(runAt(0, value))).toBe(atCpl0);
  });

  it('covers every simple mnemonic the simulator models', () => {
    const covered = new Set(TABLE.flatMap(([, value]) => (value.op === 'simple' ? [value.mnemonic] : [])));
    expect(SIMPLE_MNEMONICS.filter((mnemonic) => !covered.has(mnemonic))).toEqual([]);
  });

  it('reports the CPL it ran at and why it faulted', () => {
    given([registerSet('cpl', 3)])
      .when(instruction(simple('hlt'), 'root'))
      .then([{ type: 'cpu.exceptionRaised', data: { vector: 13, errorCode: 0, cpl: 3, reason: 'hlt: a privileged instruction needs CPL 0', address: null } }]);
  });

  it('runs at the CPL the command names instead of the CPU\'s (a kernel step in a process)', () => {
    given([registerSet('cpl', 3)])
      .when(instruction(simple('hlt'), 'kernel', 0))
      .then([{ type: 'cpu.executed', data: { cpl: 0 } }, { type: 'cpu.halted' }]);
  });
});

describe('effects at CPL 0', () => {
  it('CLI clears and STI sets EFLAGS.IF', () => {
    const cleared = given([]).when(instruction(simple('cli'), 'kernel')).after;
    expect(cleared.cpu.rflags & (1 << 9)).toBe(0);
    const set = given([], { on: cleared }).when(instruction(simple('sti'), 'kernel')).after;
    expect(set.cpu.rflags & (1 << 9)).not.toBe(0);
  });

  it('STAC sets and CLAC clears EFLAGS.AC', () => {
    const stac = given([]).when(instruction(simple('stac'), 'kernel')).after;
    expect(stac.cpu.rflags & (1 << 18)).not.toBe(0);
    expect(given([], { on: stac }).when(instruction(simple('clac'), 'kernel')).after.cpu.rflags & (1 << 18)).toBe(0);
  });

  it('MOV from CR3 returns CR3 as the result', () => {
    given([registerSet('cr3', 0x1234000)])
      .when(instruction({ op: 'mov-from-cr', cr: 3 }, 'kernel'))
      .then([{ type: 'cpu.executed', data: { result: '0x1234000' } }]);
  });

  it('SMSW returns the low 16 bits of CR0', () => {
    given([registerSet('cpl', 3)])
      .when(instruction(simple('smsw'), 'user'))
      .then([{ type: 'cpu.executed', data: { result: '0x' + (CR0 & 0xffff).toString(16) } }]);
  });
});

describe('CR4.UMIP', () => {
  const guarded = ['sgdt', 'sidt', 'sldt', 'str', 'smsw'] as const;

  it.each(guarded)('on: %s at CPL 3 raises #GP(0), at CPL 0 still runs', (mnemonic) => {
    const umip = [registerSet('cr4', CR4 | CR4_UMIP)];
    expect(verdict(runAt(3, simple(mnemonic), umip))).toBe('#GP(0x0)');
    expect(verdict(runAt(0, simple(mnemonic), umip))).toBe('ok');
  });

  it.each(guarded)('off: %s runs at CPL 3', (mnemonic) => {
    expect(verdict(runAt(3, simple(mnemonic)))).toBe('ok');
  });
});

describe('CR4.PKE', () => {
  const pke = [registerSet('cr4', CR4 | CR4_PKE)];

  it('lets WRPKRU write PKRU at CPL 3', () => {
    const decision = given([registerSet('cpl', 3), ...pke])
      .when(instruction({ op: 'wrpkru', value: 0xc }, 'user'))
      .then([{ type: 'cpu.registerWritten', data: { register: 'pkru', after: '0xc' } }, { type: 'cpu.executed' }]);
    expect(decision.after.cpu.pkru).toBe(0xc);
  });

  it('lets RDPKRU read PKRU at CPL 3', () => {
    given([registerSet('cpl', 3), ...pke, registerSet('pkru', 0x55)])
      .when(instruction(simple('rdpkru'), 'user'))
      .then([{ type: 'cpu.executed', data: { result: '0x55' } }]);
  });

  it('without it, WRPKRU raises #UD and leaves PKRU alone', () => {
    const decision = given([registerSet('cpl', 3)])
      .when(instruction({ op: 'wrpkru', value: 0xc }, 'user'))
      .then([{ type: 'cpu.exceptionRaised', data: { vector: 6, errorCode: null } }]);
    expect(decision.after.cpu.pkru).toBe(0);
  });
});
