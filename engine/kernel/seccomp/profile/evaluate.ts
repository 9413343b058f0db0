/**
 * A resolved profile evaluated directly, without BPF: the reference the compiled filter
 * (compile.ts) must always agree with. The architecture and number checks follow the
 * program libseccomp generates (src/gen_bpf.c _gen_bpf_arch, _gen_bpf_build_bpf):
 * - an AUDIT_ARCH the filter does not list gets the bad-architecture action;
 * - under AUDIT_ARCH_X86_64 without x32 in the filter, a number ≥ __X32_SYSCALL_BIT other
 *   than -1 is an x32 call and gets the bad-architecture action (-1 is what a tracer uses
 *   to skip a call and falls through to the rules); with x32 but not x86-64, a number below
 *   the bit does; with both, one list of numbers serves both ABIs;
 * - a system call's rules are tried in order (resolve.ts), the first whose conditions all
 *   hold decides; otherwise the default action.
 * Arguments are compared as unsigned 64-bit values on x86-64 and x32, and as their low 32
 * bits on i386 (libseccomp _db_rule_gen_32 only tests the low word).
 */
import { decodeAction, X32_SYSCALL_BIT, AUDIT_ARCH_I386, AUDIT_ARCH_X86_64, type SeccompAction } from '../constants.js';
import type { AbiSection, ResolvedCondition, ResolvedProfile, ResolvedRule, SyscallFilter } from './resolve.js';

export interface ProfileCall {
  /** An AUDIT_ARCH_* value, or the ABI's name. */
  readonly arch: number | 'x86_64' | 'i386';
  /** seccomp_data.nr (read as unsigned 32-bit; -1 and 0xffffffff are the same). */
  readonly nr: number;
  /** Up to six unsigned 64-bit values; missing ones are 0. */
  readonly args: readonly bigint[];
}

export type DecisionReason =
  | { readonly kind: 'bad-arch'; readonly detail: string }
  | { readonly kind: 'rule'; readonly section: AbiSection; readonly syscall: SyscallFilter; readonly rule: ResolvedRule }
  | { readonly kind: 'default'; readonly section: AbiSection; readonly syscall: SyscallFilter | null };

export interface Decision {
  /** The 32-bit SECCOMP_RET_* value. */
  readonly ret: number;
  readonly reason: DecisionReason;
}

const U64 = (1n << 64n) - 1n;
const U32 = (1n << 32n) - 1n;
const ALL_ONES = 0xffffffff;

/** The 32-bit return value the profile's filter gives for this call. */
export function evaluateProfile(resolved: ResolvedProfile, call: ProfileCall): number {
  return decideProfile(resolved, call).ret;
}

/** The return value and what decided it. */
export function decideProfile(resolved: ResolvedProfile, call: ProfileCall): Decision {
  const arch = call.arch === 'x86_64' ? AUDIT_ARCH_X86_64 : call.arch === 'i386' ? AUDIT_ARCH_I386 : call.arch >>> 0;
  const nr = call.nr >>> 0;
  const sections = resolved.sections.filter((section) => section.auditArch === arch);
  if (sections.length === 0) return { ret: resolved.badArchAction, reason: { kind: 'bad-arch', detail: `the filter has no section for AUDIT_ARCH 0x${arch.toString(16)}` } };
  const section = sectionFor(sections, nr);
  if (section === null) return { ret: resolved.badArchAction, reason: { kind: 'bad-arch', detail: nr >= X32_SYSCALL_BIT ? `number 0x${nr.toString(16)} is an x32 call and the filter has no x32 section` : `number ${nr} is an x86-64 call and the filter has only the x32 section` } };
  const syscall = findSyscall(section, nr);
  if (syscall === null) return { ret: resolved.defaultAction, reason: { kind: 'default', section, syscall: null } };
  const width = section.abi === 'i386' ? U32 : U64;
  for (const rule of syscall.rules) {
    if (rule.conditions.every((condition) => conditionHolds(condition, (call.args[condition.index] ?? 0n) & width))) {
      return { ret: rule.action, reason: { kind: 'rule', section, syscall, rule } };
    }
  }
  return { ret: resolved.defaultAction, reason: { kind: 'default', section, syscall } };
}

/** Which section of AUDIT_ARCH_X86_64 (x86-64 or x32) serves a number, or null for bad arch. */
function sectionFor(sections: readonly AbiSection[], nr: number): AbiSection | null {
  if (sections.length === 1 && sections[0].abi === 'i386') return sections[0];
  const x86_64 = sections.find((section) => section.abi === 'x86_64') ?? null;
  const x32 = sections.find((section) => section.abi === 'x32') ?? null;
  const isX32Number = nr >= X32_SYSCALL_BIT;
  if (x86_64 !== null && x32 !== null) return isX32Number ? x32 : x86_64;
  if (x86_64 !== null) return !isX32Number || nr === ALL_ONES ? x86_64 : null;
  return isX32Number ? x32 : null;
}

function findSyscall(section: AbiSection, nr: number): SyscallFilter | null {
  let low = 0;
  let high = section.syscalls.length - 1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    const found = section.syscalls[middle];
    if (found.nr === nr) return found;
    if (found.nr < nr) low = middle + 1;
    else high = middle - 1;
  }
  return null;
}

/** One SCMP_CMP test on an argument already cut to the ABI's width. */
export function conditionHolds(condition: ResolvedCondition, argument: bigint): boolean {
  const value = argument & condition.mask;
  switch (condition.op) {
    case 'SCMP_CMP_EQ':
    case 'SCMP_CMP_MASKED_EQ':
      return value === condition.datum;
    case 'SCMP_CMP_NE':
      return value !== condition.datum;
    case 'SCMP_CMP_LT':
      return value < condition.datum;
    case 'SCMP_CMP_LE':
      return value <= condition.datum;
    case 'SCMP_CMP_GT':
      return value > condition.datum;
    case 'SCMP_CMP_GE':
      return value >= condition.datum;
  }
}

/** `ERRNO(EPERM)`, `ALLOW`, `TRACE(5)`: a return value as people read it. */
export function describeAction(ret: number, errnoName: (errno: number) => string | null = () => null): string {
  const { action, data } = decodeAction(ret);
  if (action === 'ERRNO') return `ERRNO(${errnoName(data) ?? data})`;
  if (action === 'TRACE' || action === 'TRAP') return data === 0 ? action : `${action}(${data})`;
  return action;
}

export interface ExplainedCall {
  readonly abi: AbiSection['abi'];
  readonly nr: number;
  readonly name: string;
  /** Actions of the rules, in the order they are tried. */
  readonly actions: readonly number[];
  /** Printable conditions of each rule ("arg0 == 0x0"), empty for an unconditional one. */
  readonly conditions: readonly (readonly string[])[];
}

export interface ProfileExplanation {
  readonly defaultAction: number;
  readonly badArchAction: number;
  /** Calls named by an unconditional ALLOW (or LOG, which also lets the call run). */
  readonly allowed: readonly ExplainedCall[];
  /** Calls named by an unconditional rule that stops them (ERRNO, KILL, TRAP, TRACE, USER_NOTIF). */
  readonly denied: readonly ExplainedCall[];
  /** Calls whose fate depends on their arguments. */
  readonly conditional: readonly ExplainedCall[];
}

const LETS_CALL_RUN: readonly SeccompAction[] = ['ALLOW', 'LOG'];

/** Sorts each ABI's named calls into allowed, denied and conditional; unnamed calls get the default action. */
export function explainProfile(resolved: ResolvedProfile): ProfileExplanation {
  const allowed: ExplainedCall[] = [];
  const denied: ExplainedCall[] = [];
  const conditional: ExplainedCall[] = [];
  for (const section of resolved.sections) {
    for (const syscall of section.syscalls) {
      const call: ExplainedCall = {
        abi: section.abi,
        nr: syscall.nr,
        name: syscall.name,
        actions: syscall.rules.map((rule) => rule.action),
        conditions: syscall.rules.map((rule) => rule.conditions.map(conditionText)),
      };
      const only = syscall.rules.length === 1 && syscall.rules[0].conditions.length === 0 ? syscall.rules[0] : null;
      if (only === null) conditional.push(call);
      else if (LETS_CALL_RUN.includes(decodeAction(only.action).action)) allowed.push(call);
      else denied.push(call);
    }
  }
  return { defaultAction: resolved.defaultAction, badArchAction: resolved.badArchAction, allowed, denied, conditional };
}

const OPERATOR_TEXT: Readonly<Record<ResolvedCondition['op'], string>> = {
  SCMP_CMP_EQ: '==', SCMP_CMP_NE: '!=', SCMP_CMP_LT: '<', SCMP_CMP_LE: '<=', SCMP_CMP_GT: '>', SCMP_CMP_GE: '>=', SCMP_CMP_MASKED_EQ: '==',
};

/** "arg0 == 0x8", "(arg0 & 0x7e020000) == 0x0". */
export function conditionText(condition: ResolvedCondition): string {
  const argument = condition.op === 'SCMP_CMP_MASKED_EQ' ? `(arg${condition.index} & 0x${condition.mask.toString(16)})` : `arg${condition.index}`;
  return `${argument} ${OPERATOR_TEXT[condition.op]} 0x${condition.datum.toString(16)}`;
}
