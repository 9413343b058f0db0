/**
 * Classic BPF for seccomp: the load-time checker (the kernel's EINVAL rules), the
 * reference interpreter, the compiler to JavaScript, the assembler and disassembler.
 * The only import surface of this folder.
 */
export type { BpfInstruction, BpfProgram, BpfRejection, BpfRun, SeccompData } from './types.js';
export { SECCOMP_DATA_SIZE } from './types.js';
export { checkSeccompFilter, SECCOMP_ALLOWED_OPCODES } from './check.js';
export { runFilter, runFilterWords } from './interpret.js';
export { compileCountingFilterWords, compileFilter, compileFilterWords, type CompiledFilter, type CompiledWordsFilter, type CountingWordsFilter } from './compile.js';
export { seccompWords, seccompFieldName, seccompFieldOffset, SECCOMP_DATA_WORDS } from './words.js';
export { assemble, assembleWithLines, BPF_MNEMONICS, type AssembledProgram } from './asm.js';
export { parseProgramJson, formatProgramJson } from './json.js';
export { disassemble, toAssembly } from './disasm.js';
export { actionSymbolOf } from './symbols.js';
export * as opcodes from './opcodes.js';
