/**
 * Writing CR3 and CR4, with their architectural effect on the TLB (SDM Vol. 3A
 * §4.10.4.1) and the checks of MOV to CR (SDM Vol. 2B "MOV—Move to/from Control
 * Registers"): with CR4.PCIDE=1, bit 63 of the source is "no flush" and is not stored;
 * with PCIDE=0 that bit is reserved and setting it raises #GP(0).
 */
import type { EventDraft } from '../../core/decider.js';
import { hex } from '../../core/u64.js';
import type { MachineState } from '../../machine/state.js';
import { flushAll, flushOnCr3Load, flushPcid } from '../tlb/flush.js';
import { exception } from './access.js';
import { CR0_PG, CR4_PAE, CR4_PCIDE, CR4_PGE, CR4_SMEP, CR3_PCID_MASK, VECTORS, cr3Pcid, hasBit } from './registers.js';

const CR3_NO_FLUSH = 1n << 63n;

export type ControlRegister = 'cr0' | 'cr3' | 'cr4';

export function registerWritten(actor: string, register: string, before: number | bigint, after: number | bigint, why: string): EventDraft {
  return { type: 'cpu.registerWritten', actor, data: { register, before: hex(before), after: hex(after), why } };
}

/** MOV to CR3: the register write and whatever TLB flush it implies. */
export function writeCr3(state: MachineState, actor: string, source: bigint, why: string): EventDraft[] {
  const { cpu, config } = state;
  const pcide = hasBit(cpu.cr4, CR4_PCIDE);
  const noFlush = (source & CR3_NO_FLUSH) !== 0n;
  const limit = 2n ** BigInt(config.maxPhyAddr);
  const value = source & ~CR3_NO_FLUSH;
  if ((noFlush && !pcide) || value >= limit) {
    return [exception(actor, VECTORS.GP, 0, null, cpu.cpl, `MOV to CR3 with reserved bits set (${hex(source)})`)];
  }
  const cr3 = Number(value);
  const drafts: EventDraft[] = [registerWritten(actor, 'cr3', cpu.cr3, cr3, why)];
  drafts.push(...flushOnCr3Load(state.tlb, 'tlb', pcide, cr3Pcid(cr3, cpu.cr4), noFlush));
  return drafts;
}

/** MOV to CR4 (SDM §4.10.4.1 for the TLB; §2.5 for PCIDE's requirement CR3[11:0]=0). */
export function writeCr4(state: MachineState, actor: string, value: number, why: string): EventDraft[] {
  const { cpu } = state;
  const before = cpu.cr4;
  const changed = (before ^ value) >>> 0;
  if (hasBit(value, CR4_PCIDE) && !hasBit(before, CR4_PCIDE) && (cpu.cr3 & CR3_PCID_MASK) !== 0) {
    return [exception(actor, VECTORS.GP, 0, null, cpu.cpl, 'setting CR4.PCIDE requires CR3[11:0] = 0')];
  }
  if (hasBit(value, CR4_PCIDE) && cpu.mode !== 'long') {
    return [exception(actor, VECTORS.GP, 0, null, cpu.cpl, 'CR4.PCIDE can be set only in IA-32e mode')];
  }
  const drafts: EventDraft[] = [registerWritten(actor, 'cr4', before, value >>> 0, why)];
  if (hasBit(changed, CR4_PGE) || (hasBit(before, CR4_PCIDE) && !hasBit(value, CR4_PCIDE))) {
    drafts.push(...flushAll(state.tlb, 'tlb', 'MOV to CR4 changed PGE or cleared PCIDE'));
  } else if (hasBit(changed, CR4_PAE) || (hasBit(value, CR4_SMEP) && !hasBit(before, CR4_SMEP))) {
    drafts.push(...flushPcid(state.tlb, 'tlb', cr3Pcid(cpu.cr3, before), 'MOV to CR4 changed PAE or set SMEP'));
  }
  return drafts;
}

export function writeCr0(state: MachineState, actor: string, value: number, why: string): EventDraft[] {
  const { cpu } = state;
  if (cpu.mode === 'long' && !hasBit(value, CR0_PG)) {
    return [exception(actor, VECTORS.GP, 0, null, cpu.cpl, 'clearing CR0.PG in IA-32e mode')];
  }
  const drafts: EventDraft[] = [registerWritten(actor, 'cr0', cpu.cr0, value >>> 0, why)];
  if (hasBit(cpu.cr0, CR0_PG) && !hasBit(value, CR0_PG)) drafts.push(...flushAll(state.tlb, 'tlb', 'paging disabled'));
  return drafts;
}
