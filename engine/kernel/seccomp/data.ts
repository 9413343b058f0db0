/**
 * struct seccomp_data for a system call (kernel/seccomp.c populate_seccomp_data): the
 * number as the calling ABI numbers it, the AUDIT_ARCH of that ABI (x86-64 for SYSCALL,
 * i386 for INT 0x80, arch/x86/include/asm/syscall.h syscall_get_arch), the user
 * instruction pointer and six argument registers.
 *
 * What isolab cannot know exactly, it fixes deterministically and says so here:
 * - the instruction pointer: the simulated CPU keeps no user RIP, so it is 0;
 * - a string or buffer a scenario passes by value has no user address; the filter sees
 *   a pseudo address per argument position, PSEUDO_STRING_BASE + 0x1000·index (inside the
 *   user half, page-aligned, distinct per argument) — a filter cannot dereference it
 *   anyway, which is the lecture's point (no pointer dereference: paths cannot be filtered);
 * - a word (a clone function name, a filter name) is 0.
 * An i386 task's registers are 32 bits wide: its arguments are zero-extended.
 */
import type { SyscallRequest } from '../../hw/cpu/instructions.js';
import type { SyscallAbi } from '../syscall/context.js';
import type { SeccompData } from './bpf/types.js';
import { AUDIT_ARCH_I386, AUDIT_ARCH_X86_64 } from './constants.js';

export const PSEUDO_STRING_BASE_X86_64 = 0x7ffe_0000_0000n;
export const PSEUDO_STRING_BASE_I386 = 0xffd0_0000n;

export function auditArchOf(abi: SyscallAbi): number {
  return abi === 'x86_64' ? AUDIT_ARCH_X86_64 : AUDIT_ARCH_I386;
}

function argumentValue(arg: SyscallRequest['args'][number] | undefined, index: number, abi: SyscallAbi): bigint {
  if (arg === undefined) return 0n;
  const width = abi === 'x86_64' ? 64 : 32;
  if (typeof arg === 'string') return BigInt.asUintN(width, BigInt(arg));
  if ('text' in arg) return (abi === 'x86_64' ? PSEUDO_STRING_BASE_X86_64 : PSEUDO_STRING_BASE_I386) + 0x1000n * BigInt(index);
  return 0n;
}

export function seccompDataFor(abi: SyscallAbi, request: SyscallRequest): SeccompData {
  return {
    nr: request.nr | 0,
    arch: auditArchOf(abi),
    instructionPointer: 0n,
    args: Array.from({ length: 6 }, (_, index) => argumentValue(request.args[index], index, abi)),
  };
}
