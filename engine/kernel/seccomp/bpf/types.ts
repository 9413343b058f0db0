/**
 * Classic BPF as seccomp uses it (linux/filter.h, linux/seccomp.h). Shared by the
 * interpreter, the load-time checker, the compiler to JavaScript, the assembler and the
 * profile compiler.
 */

/** One `struct sock_filter`: a 16-bit opcode, two 8-bit jump offsets, a 32-bit constant. */
export interface BpfInstruction {
  readonly code: number;
  readonly jt: number;
  readonly jf: number;
  /** Unsigned 32-bit. */
  readonly k: number;
}

export type BpfProgram = readonly BpfInstruction[];

/**
 * `struct seccomp_data` (64 bytes): nr (int, offset 0), arch (u32, 4),
 * instruction_pointer (u64, 8), args[6] (u64 each, 16 + 8·i). Loads read 32-bit words in
 * the machine's byte order: on x86 the low half of args[i] is at 16 + 8·i, the high at 20 + 8·i.
 */
export interface SeccompData {
  /** The system-call number as the kernel sees it (signed int). */
  readonly nr: number;
  /** AUDIT_ARCH_* of the calling ABI. */
  readonly arch: number;
  readonly instructionPointer: bigint;
  /** Six unsigned 64-bit values (missing arguments are 0). */
  readonly args: readonly bigint[];
}

export const SECCOMP_DATA_SIZE = 64;

/** What a run of a filter gives: the 32-bit return value and the instructions executed. */
export interface BpfRun {
  readonly ret: number;
  readonly executed: number;
}

/** A load-time rejection: which instruction, and why (the kernel answers EINVAL). */
export interface BpfRejection {
  /** Index of the offending instruction, or null for the program as a whole (length). */
  readonly index: number | null;
  readonly message: string;
}
