/**
 * Where the kernel lives in every address space, after Linux:
 * - x86-64, 4-level (Documentation/arch/x86/x86_64/mm.rst): user space below
 *   0x0000800000000000; the direct map of all physical memory at page_offset_base
 *   0xffff888000000000 (2 MiB pages, supervisor, read/write, NX); kernel text at
 *   0xffffffff81000000 (supervisor, read-only, executable). 5-level paging moves the
 *   direct map to 0xff11000000000000 and user space up to 0x0100000000000000.
 * - i386 (the 3G/1G split): user space below PAGE_OFFSET 0xc0000000; low memory
 *   mapped at 0xc0000000 with 4 MiB PSE pages, kernel text inside it.
 * - Teaching geometries have no U/S bit, so no kernel half at all.
 * Physical memory: the first 1 MiB is reserved (Linux reserves it for the BIOS and
 * real-mode trampolines); the kernel image follows.
 */
import type { MachineConfig } from '../machine/config.js';

export interface KernelLayout {
  /** First address above user space. */
  readonly userTop: bigint;
  readonly directMap: { readonly base: bigint; readonly pageShift: number; readonly bytes: number } | null;
  readonly text: { readonly va: bigint; readonly physical: number; readonly pageShift: number } | null;
  /** Top-level index where the kernel half starts. */
  readonly kernelHalfIndex: number;
  /** Physical ranges the kernel keeps for itself: [start, end, purpose]. */
  readonly reserved: readonly (readonly [number, number, 'kernel' | 'kernel-text'])[];
}

const MIB = 1024 * 1024;

export function kernelLayoutOf(config: MachineConfig): KernelLayout {
  const geometry = config.geometry;
  if (geometry.format === 'ostep' || geometry.name === 'custom') {
    return { userTop: 1n << BigInt(geometry.linearBits), directMap: null, text: null, kernelHalfIndex: -1, reserved: [] };
  }
  if (geometry.format === 'x86-32') {
    const bytes = Math.min(config.memoryBytes, 896 * MIB);
    return {
      userTop: 0xc0000000n,
      directMap: { base: 0xc0000000n, pageShift: 22, bytes: bytes - (bytes % (4 * MIB)) },
      text: { va: 0xc0100000n, physical: MIB, pageShift: 12 },
      kernelHalfIndex: 768,
      reserved: [
        [0, MIB, 'kernel'],
        [MIB, 2 * MIB, 'kernel-text'],
      ],
    };
  }
  const fiveLevel = geometry.linearBits === 57;
  return {
    userTop: fiveLevel ? 0x0100000000000000n : 0x0000800000000000n,
    directMap: {
      base: fiveLevel ? 0xff11000000000000n : 0xffff888000000000n,
      pageShift: 21,
      bytes: config.memoryBytes - (config.memoryBytes % (2 * MIB)),
    },
    text: { va: 0xffffffff81000000n, physical: 2 * MIB, pageShift: 21 },
    kernelHalfIndex: 256,
    reserved: [
      [0, MIB, 'kernel'],
      [2 * MIB, 4 * MIB, 'kernel-text'],
    ],
  };
}

/** The physical address behind a direct-map address, or null outside the direct map. */
export function directMapPhysical(layout: KernelLayout, va: bigint): number | null {
  if (layout.directMap === null) return null;
  const offset = va - layout.directMap.base;
  if (offset < 0n || offset >= BigInt(layout.directMap.bytes)) return null;
  return Number(offset);
}

export function minimumMemoryBytes(layout: KernelLayout): number {
  return layout.reserved.reduce((max, [, end]) => Math.max(max, end), 0) + 4 * MIB;
}
