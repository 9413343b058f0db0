// Test support: a sparse physical memory of paging entries and a default PagingControl.
import type { EntryUpdate, PagingControl } from '../../../engine/hw/mmu/index.js';

export interface Halves {
  readonly high: number;
  readonly low: number;
}

/** Entries keyed by physical address; unwritten addresses read as zero (not present). */
export class FakeMemory {
  readonly entries = new Map<number, Halves>();
  readonly reads: Array<{ address: number; bytes: number }> = [];

  write(address: number, value: Halves): this {
    this.entries.set(address, value);
    return this;
  }

  /** Writes the bytes of a teaching-geometry page (one-byte entries), lowest address first. */
  writeBytes(address: number, hexBytes: string): this {
    for (let i = 0; i < hexBytes.length / 2; i++) {
      this.entries.set(address + i, { high: 0, low: parseInt(hexBytes.slice(2 * i, 2 * i + 2), 16) });
    }
    return this;
  }

  readonly read = (address: number, bytes: number): Halves => {
    this.reads.push({ address, bytes });
    return this.entries.get(address) ?? { high: 0, low: 0 };
  };

  /** Writes back what a walk reports, checking that each update starts from memory's current value. */
  apply(updates: readonly EntryUpdate[]): void {
    for (const update of updates) {
      const current = this.entries.get(update.entryAddress) ?? { high: 0, low: 0 };
      const before = BigInt(update.before);
      if (before !== (BigInt(current.high) << 32n) + BigInt(current.low)) {
        throw new Error(`update of ${update.entryAddress} does not start from memory's value`);
      }
      const after = BigInt(update.after);
      this.entries.set(update.entryAddress, { high: Number(after >> 32n), low: Number(after & 0xffffffffn) });
    }
  }
}

/** Entry value as one bigint, to check bit positions against the SDM tables. */
export function entryBigint(value: Halves): bigint {
  return (BigInt(value.high >>> 0) << 32n) | BigInt(value.low >>> 0);
}

export function controlWith(overrides: Partial<PagingControl> = {}): PagingControl {
  return {
    rootAddress: 0x1000,
    cpl: 0,
    cr0Wp: true,
    cr4Pse: false,
    cr4Smep: false,
    cr4Smap: false,
    cr4Pke: false,
    efer_nxe: true,
    rflagsAc: false,
    pkru: 0,
    maxPhyAddr: 46,
    ...overrides,
  };
}
