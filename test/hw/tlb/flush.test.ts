// Proves the TLB invalidation rules of Intel SDM Vol. 3A §4.10.4.1 as the CPU decides them: which entries MOV to CR3, MOV to CR4 and INVLPG remove, which they keep, and when those instructions raise #GP(0) instead.
import { describe, expect, it } from 'vitest';
import type { EventDraft } from '../../../engine/core/decider.js';
import { CR4_PAE, CR4_PCIDE, CR4_PGE, CR4_PSE, CR4_SMEP } from '../../../engine/hw/cpu/registers.js';
import { splitVirtual } from '../../../engine/hw/mmu/index.js';
import { pageNumberOf } from '../../../engine/hw/tlb/state.js';
import { given, instruction, occupiedSlots, registerSet, setRegister, tlbEntry, tlbFilled } from '../../helpers/machine.js';

const LONG_MODE_CR4 = CR4_PAE | CR4_PGE | CR4_PSE;
const WITH_PCIDE = LONG_MODE_CR4 | CR4_PCIDE;
const NO_FLUSH = 1n << 63n;

/** A TLB holding, by slot: 0 PCID 0 page 0x400, 1 PCID 0 page 0x401 global. */
const pcidZeroTlb: EventDraft[] = [
  tlbFilled(0, tlbEntry({ pcid: 0, pageNumber: 0x400 })),
  tlbFilled(1, tlbEntry({ pcid: 0, pageNumber: 0x401, global: true })),
];

/**
 * With PCIDs on and PCID 1 current (CR3 = 0x3001), a TLB holding, by slot:
 * 0 PCID 1 page 0x400, 1 PCID 1 page 0x401, 2 PCID 2 page 0x400, 3 PCID 2 page 0x400 global,
 * 4 PCID 3 page 0x402.
 */
const pcidTlb: EventDraft[] = [
  registerSet('cr4', WITH_PCIDE),
  registerSet('cr3', 0x3001),
  tlbFilled(0, tlbEntry({ pcid: 1, pageNumber: 0x400 })),
  tlbFilled(1, tlbEntry({ pcid: 1, pageNumber: 0x401 })),
  tlbFilled(2, tlbEntry({ pcid: 2, pageNumber: 0x400 })),
  tlbFilled(3, tlbEntry({ pcid: 2, pageNumber: 0x400, global: true })),
  tlbFilled(4, tlbEntry({ pcid: 3, pageNumber: 0x402 })),
];

describe('MOV to CR3', () => {
  it('with PCIDE=0 flushes the non-global entries of PCID 0 and keeps the global ones', () => {
    const decision = given(pcidZeroTlb)
      .when(setRegister('cr3', 0x5000n))
      .then([
        { type: 'cpu.registerWritten', data: { register: 'cr3', after: '0x5000' } },
        { type: 'tlb.flushed', data: { scope: 'pcid', pcid: 0, slots: [0], reason: 'MOV to CR3 (PCIDE=0)' } },
      ]);
    expect(occupiedSlots(decision.after)).toEqual([1]);
  });

  it('as an instruction at CPL 0 does the same and reports the instruction executed', () => {
    given(pcidZeroTlb)
      .when(instruction({ op: 'mov-to-cr', cr: 3, value: 0x5000n }, 'kernel'))
      .then([
        { type: 'cpu.registerWritten', data: { register: 'cr3', after: '0x5000' } },
        { type: 'tlb.flushed', data: { slots: [0] } },
        { type: 'cpu.executed', data: { instruction: 'mov cr3, 0x5000', cpl: 0 } },
      ]);
  });

  it('with PCIDE=1 and bit 63 clear flushes the non-global entries of the new PCID only', () => {
    const decision = given(pcidTlb)
      .when(setRegister('cr3', 0x5002n))
      .then([
        { type: 'cpu.registerWritten', data: { register: 'cr3', before: '0x3001', after: '0x5002' } },
        { type: 'tlb.flushed', data: { scope: 'pcid', pcid: 2, slots: [2], reason: 'MOV to CR3 flushes PCID 2' } },
      ]);
    expect(occupiedSlots(decision.after)).toEqual([0, 1, 3, 4]);
  });

  it('with PCIDE=1 and bit 63 set flushes nothing and does not store bit 63', () => {
    const decision = given(pcidTlb)
      .when(setRegister('cr3', NO_FLUSH | 0x5002n))
      .then([{ type: 'cpu.registerWritten', data: { register: 'cr3', after: '0x5002' } }]);
    expect(occupiedSlots(decision.after)).toEqual([0, 1, 2, 3, 4]);
    expect(decision.after.cpu.cr3).toBe(0x5002);
  });

  it('with PCIDE=0 and bit 63 set raises #GP(0) and changes nothing', () => {
    const decision = given(pcidZeroTlb)
      .when(setRegister('cr3', NO_FLUSH | 0x5000n))
      .then([{ type: 'cpu.exceptionRaised', data: { vector: 13, errorCode: 0 } }]);
    expect(decision.after.cpu.cr3).toBe(0);
    expect(occupiedSlots(decision.after)).toEqual([0, 1]);
  });

  it('raises #GP(0) for an address at or above 2^MAXPHYADDR', () => {
    given(pcidZeroTlb, { config: { maxPhyAddr: 36 } })
      .when(setRegister('cr3', 1n << 36n))
      .then([{ type: 'cpu.exceptionRaised', data: { vector: 13, errorCode: 0, reason: 'MOV to CR3 with reserved bits set (0x1000000000)' } }]);
  });
});

describe('MOV to CR4', () => {
  it('that clears PGE flushes every entry, global ones included', () => {
    const decision = given(pcidZeroTlb)
      .when(setRegister('cr4', BigInt(LONG_MODE_CR4 & ~CR4_PGE)))
      .then([
        { type: 'cpu.registerWritten', data: { register: 'cr4' } },
        { type: 'tlb.flushed', data: { scope: 'all', pcid: null, slots: [0, 1], reason: 'MOV to CR4 changed PGE or cleared PCIDE' } },
      ]);
    expect(occupiedSlots(decision.after)).toEqual([]);
  });

  it('that sets PGE flushes every entry too', () => {
    given([registerSet('cr4', LONG_MODE_CR4 & ~CR4_PGE), ...pcidZeroTlb])
      .when(setRegister('cr4.pge', 1n))
      .then([{ type: 'cpu.registerWritten' }, { type: 'tlb.flushed', data: { scope: 'all', slots: [0, 1] } }]);
  });

  it('that clears PCIDE flushes every entry of every PCID', () => {
    given(pcidTlb)
      .when(setRegister('cr4.pcide', 0n))
      .then([{ type: 'cpu.registerWritten' }, { type: 'tlb.flushed', data: { scope: 'all', slots: [0, 1, 2, 3, 4] } }]);
  });

  it('that sets SMEP flushes the non-global entries of the current PCID', () => {
    const decision = given(pcidTlb)
      .when(setRegister('cr4.smep', 1n))
      .then([
        { type: 'cpu.registerWritten', data: { register: 'cr4', after: '0x' + (WITH_PCIDE | CR4_SMEP).toString(16) } },
        { type: 'tlb.flushed', data: { scope: 'pcid', pcid: 1, slots: [0, 1], reason: 'MOV to CR4 changed PAE or set SMEP' } },
      ]);
    expect(occupiedSlots(decision.after)).toEqual([2, 3, 4]);
  });

  it('that clears SMEP flushes nothing', () => {
    given([registerSet('cr4', WITH_PCIDE | CR4_SMEP), registerSet('cr3', 0x3001), ...pcidTlb.slice(2)])
      .when(setRegister('cr4.smep', 0n))
      .then([{ type: 'cpu.registerWritten' }]);
  });

  it('that sets PCIDE while CR3[11:0] is not 0 raises #GP(0)', () => {
    const decision = given([registerSet('cr3', 0x3008)])
      .when(setRegister('cr4.pcide', 1n))
      .then([{ type: 'cpu.exceptionRaised', data: { vector: 13, errorCode: 0, reason: 'setting CR4.PCIDE requires CR3[11:0] = 0' } }]);
    expect(decision.after.cpu.cr4 & CR4_PCIDE).toBe(0);
  });

  it('that sets PCIDE with CR3[11:0] = 0 in IA-32e mode succeeds without a flush', () => {
    given([registerSet('cr3', 0x3000), ...pcidZeroTlb])
      .when(setRegister('cr4.pcide', 1n))
      .then([{ type: 'cpu.registerWritten', data: { register: 'cr4' } }]);
  });

  it('that sets PCIDE outside IA-32e mode raises #GP(0)', () => {
    given([], { config: { cpu: 'i386' }, features: { mode: 'protected', cr4: CR4_PSE | CR4_PGE, efer: 0 } })
      .when(setRegister('cr4.pcide', 1n))
      .then([{ type: 'cpu.exceptionRaised', data: { vector: 13, reason: 'CR4.PCIDE can be set only in IA-32e mode' } }]);
  });
});

describe('INVLPG', () => {
  it('removes the page from the current PCID and its global entry, not other pages or PCIDs', () => {
    const decision = given([...pcidTlb, registerSet('cr3', 0x7002)])
      .when(instruction({ op: 'invlpg', va: 0x400000n }, 'kernel'))
      .then([
        { type: 'tlb.invalidated', data: { va: '0x400000', pcid: 2, slots: [2, 3], reason: 'INVLPG' } },
        { type: 'cpu.executed', data: { instruction: 'invlpg 0x400000' } },
      ]);
    expect(occupiedSlots(decision.after)).toEqual([0, 1, 4]);
  });

  it('removes a global entry for the page whatever PCID filled it', () => {
    given(pcidTlb)
      .when(instruction({ op: 'invlpg', va: 0x400123n }, 'kernel'))
      .then([{ type: 'tlb.invalidated', data: { pcid: 1, slots: [0, 3] } }, { type: 'cpu.executed' }]);
  });

  it('removes a 2 MiB entry when the address lies anywhere in its page', () => {
    const { high, low } = splitVirtual(0xffff888000000000n);
    const large = tlbFilled(0, tlbEntry({ pageNumber: pageNumberOf(high, low, 48, 21), pageShift: 21, global: true }));
    given([large])
      .when(instruction({ op: 'invlpg', va: 0xffff8880001ff000n }, 'kernel'))
      .then([{ type: 'tlb.invalidated', data: { slots: [0] } }, { type: 'cpu.executed' }]);
  });

  it('at CPL 3 raises #GP(0) and removes nothing', () => {
    given([...pcidTlb, registerSet('cpl', 3)])
      .when(instruction({ op: 'invlpg', va: 0x400000n }, 'attacker'))
      .then([{ type: 'cpu.exceptionRaised', data: { vector: 13, errorCode: 0, cpl: 3 } }]);
  });
});

describe('a page fault', () => {
  it('invalidates the faulting page in the current PCID before #PF is raised', () => {
    // A user write through a read-only entry of PCID 0; PCID 2 holds the same page.
    const readOnly = tlbFilled(0, tlbEntry({ pcid: 0, pageNumber: 0x400, writable: false }));
    const otherPcid = tlbFilled(1, tlbEntry({ pcid: 2, pageNumber: 0x400, writable: false }));
    const decision = given([readOnly, otherPcid, registerSet('cpl', 3)])
      .when({ type: 'cpu.access', actor: 'victim', data: { va: 0x400010n, kind: 'write', size: 1, bytes: '41', by: 'victim' } })
      .then([
        { type: 'cpu.accessStarted', data: { va: '0x400010', kind: 'write', cpl: 3 } },
        { type: 'tlb.hit', data: { slot: 0, pcid: 0 } },
        { type: 'tlb.invalidated', data: { va: '0x400010', pcid: 0, slots: [0] } },
        { type: 'cpu.exceptionRaised', data: { vector: 14, errorCode: 0b111, address: '0x400010', cpl: 3 } },
      ]);
    expect(occupiedSlots(decision.after)).toEqual([1]);
    expect(decision.after.cpu.cr2).toBe(0x400010n);
  });
});
