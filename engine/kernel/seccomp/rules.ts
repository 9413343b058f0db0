/**
 * A rule list turned into a classic BPF filter, the way the seccomp(2) man page's
 * EXAMPLES section writes one by hand: check the architecture (and refuse x32 numbers,
 * which share AUDIT_ARCH_X86_64), load the call number, compare it with each rule's
 * number and return that rule's action, else the default action.
 *
 * With `archChecked` false the two checks are left out: the filter compares numbers
 * without asking which table they come from — the mistake that lets an INT 0x80 call
 * (i386 numbers) walk past a filter written for x86-64 numbers.
 */
import type { BpfInstruction, BpfProgram } from './bpf/types.js';
import { AUDIT_ARCH_X86_64, SECCOMP_RET_KILL_PROCESS, X32_SYSCALL_BIT, actionValue, type SeccompAction } from './constants.js';

const LD_W_ABS = 0x20;
const JEQ_K = 0x15;
const JGE_K = 0x35;
const RET_K = 0x06;
const OFFSET_NR = 0;
const OFFSET_ARCH = 4;

export interface RuleAction {
  readonly action: SeccompAction;
  /** An errno for ERRNO, a message for TRACE and TRAP. */
  readonly data: number;
}

export interface SyscallRule {
  readonly name: string;
  /** The call's x86-64 number. */
  readonly nr: number;
  readonly action: RuleAction;
}

export interface RuleList {
  readonly defaultAction: RuleAction;
  readonly rules: readonly SyscallRule[];
  readonly archChecked: boolean;
}

const stmt = (code: number, k: number): BpfInstruction => ({ code, jt: 0, jf: 0, k: k >>> 0 });
const jump = (code: number, k: number, jt: number, jf: number): BpfInstruction => ({ code, jt, jf, k: k >>> 0 });

export function compileRuleList(list: RuleList): BpfProgram {
  const program: BpfInstruction[] = [];
  if (list.archChecked) {
    program.push(stmt(LD_W_ABS, OFFSET_ARCH), jump(JEQ_K, AUDIT_ARCH_X86_64, 1, 0), stmt(RET_K, SECCOMP_RET_KILL_PROCESS));
  }
  program.push(stmt(LD_W_ABS, OFFSET_NR));
  if (list.archChecked) program.push(jump(JGE_K, X32_SYSCALL_BIT, 0, 1), stmt(RET_K, SECCOMP_RET_KILL_PROCESS));
  for (const rule of list.rules) {
    program.push(jump(JEQ_K, rule.nr, 0, 1), stmt(RET_K, actionValue(rule.action.action, rule.action.data)));
  }
  program.push(stmt(RET_K, actionValue(list.defaultAction.action, list.defaultAction.data)));
  return program;
}
