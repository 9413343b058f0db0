/**
 * struct seccomp_data as the 16 little-endian 32-bit words a filter can load
 * (include/uapi/linux/seccomp.h; x86 is little-endian, so the low half of each u64 comes
 * first): word 0 nr, 1 arch, 2–3 instruction_pointer lo/hi, 4 + 2·i and 5 + 2·i args[i]
 * lo/hi. The interpreter and the compiled filters both read this form, so the bigint
 * halves are split once per system call rather than once per load.
 */
import type { SeccompData } from './types.js';

export const SECCOMP_DATA_WORDS = 16;

const LOW_32 = 0xffffffffn;

function lowWord(value: bigint): number {
  return Number(BigInt.asUintN(64, value) & LOW_32);
}

function highWord(value: bigint): number {
  return Number(BigInt.asUintN(64, value) >> 32n);
}

/** The 16 words of `data`; missing arguments read as 0. */
export function seccompWords(data: SeccompData): Uint32Array {
  const words = new Uint32Array(SECCOMP_DATA_WORDS);
  words[0] = data.nr >>> 0;
  words[1] = data.arch >>> 0;
  words[2] = lowWord(data.instructionPointer);
  words[3] = highWord(data.instructionPointer);
  for (let index = 0; index < 6; index += 1) {
    const value = data.args[index] ?? 0n;
    words[4 + 2 * index] = lowWord(value);
    words[5 + 2 * index] = highWord(value);
  }
  return words;
}

/** The field a byte offset of struct seccomp_data names, e.g. "arch", "args[1].hi". */
export function seccompFieldName(offset: number): string | null {
  if (offset < 0 || offset >= 64 || offset % 4 !== 0) return null;
  const word = offset / 4;
  if (word === 0) return 'nr';
  if (word === 1) return 'arch';
  if (word === 2) return 'ip';
  if (word === 3) return 'ip.hi';
  const argument = (word - 4) >> 1;
  return `args[${argument}]${word % 2 === 0 ? '' : '.hi'}`;
}

/** The byte offset of a field name as seccompFieldName writes it (also "instruction_pointer", ".lo"). */
export function seccompFieldOffset(name: string): number | null {
  const field = name.trim().replace(/\s+/g, '');
  if (field === 'nr') return 0;
  if (field === 'arch') return 4;
  const ip = /^(?:ip|instruction_pointer)(\.lo|\.hi)?$/.exec(field);
  if (ip !== null) return ip[1] === '.hi' ? 12 : 8;
  const argument = /^args\[([0-5])\](\.lo|\.hi)?$/.exec(field);
  if (argument !== null) return 16 + 8 * Number(argument[1]) + (argument[2] === '.hi' ? 4 : 0);
  return null;
}
