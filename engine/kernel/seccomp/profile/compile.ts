/**
 * A resolved profile compiled to a classic-BPF seccomp filter, laid out as libseccomp's
 * default (non-binary-tree) generator does (src/gen_bpf.c):
 *
 *     ld [4]                          arch
 *     jeq AUDIT_ARCH_A ? → section A  (a JA per section: sections exceed 255 instructions)
 *     …
 *     ret BAD_ARCH
 *   section (x86-64 without x32):
 *     ld [0]; jge 0x40000000 → (jeq -1 ? rules : ret BAD_ARCH)
 *   section (x32 without x86-64): ld [0]; jge 0x40000000 ? rules : ret BAD_ARCH
 *   (each section has its own `ret BAD_ARCH`: classic BPF only jumps forward)
 *   rules: per system call a `jeq nr` — unconditional calls with the same action share one
 *   RET after a run of compares; a call with argument rules jumps into its block, which
 *   tests each rule's conditions (64-bit values as a high then a low word, libseccomp
 *   _db_rule_gen_64's diagrams) and ends in `ret DEFAULT`.
 *
 * The accumulator holds nr throughout the compare chain because every argument block ends
 * in a RET. Conditional jumps reach at most 255 ahead, so runs are cut at RUN_LENGTH and
 * long blocks are entered through a JA. The result must agree with evaluate.ts on every
 * input (property-tested) and pass the kernel's checks (bpf/check.ts).
 */
import { assert } from '../../../core/errors.js';
import { X32_SYSCALL_BIT } from '../constants.js';
import type { BpfInstruction, BpfProgram } from '../bpf/types.js';
import { BPF_ABS, BPF_ALU, BPF_AND, BPF_JA, BPF_JEQ, BPF_JGE, BPF_JGT, BPF_JMP, BPF_K, BPF_LD, BPF_RET, BPF_W } from '../bpf/opcodes.js';
import type { AbiSection, ResolvedCondition, ResolvedProfile, ResolvedRule, SyscallFilter } from './resolve.js';

const OFFSET_NR = 0;
const OFFSET_ARCH = 4;
const argumentLowOffset = (index: number): number => 16 + 8 * index;
const argumentHighOffset = (index: number): number => 20 + 8 * index;
/** Compares per shared RET: keeps every jt within the 8-bit jump field. */
const RUN_LENGTH = 200;
const MAX_SHORT_JUMP = 255;

type Label = number;
type Target = Label | 'next';

type Item =
  | { readonly kind: 'label'; readonly label: Label }
  | { readonly kind: 'plain'; readonly code: number; readonly k: number }
  | { readonly kind: 'branch'; readonly code: number; readonly k: number; readonly jt: Target; readonly jf: Target }
  | { readonly kind: 'goto'; readonly label: Label };

/** A tiny assembler: instructions with symbolic targets, resolved to offsets at the end. */
class Emitter {
  private readonly items: Item[] = [];
  private labelCount = 0;

  label(): Label {
    this.labelCount += 1;
    return this.labelCount;
  }

  place(label: Label): void {
    this.items.push({ kind: 'label', label });
  }

  load(offset: number): void {
    this.items.push({ kind: 'plain', code: BPF_LD | BPF_W | BPF_ABS, k: offset });
  }

  and(k: number): void {
    this.items.push({ kind: 'plain', code: BPF_ALU | BPF_AND | BPF_K, k });
  }

  ret(value: number): void {
    this.items.push({ kind: 'plain', code: BPF_RET | BPF_K, k: value >>> 0 });
  }

  branch(op: number, k: number, jt: Target, jf: Target): void {
    this.items.push({ kind: 'branch', code: BPF_JMP | op | BPF_K, k: k >>> 0, jt, jf });
  }

  goto(label: Label): void {
    this.items.push({ kind: 'goto', label });
  }

  /** Number of instructions emitted since `mark` (a value of `mark()`). */
  mark(): number {
    return this.items.filter((item) => item.kind !== 'label').length;
  }

  assemble(): BpfInstruction[] {
    const positions = new Map<Label, number>();
    let index = 0;
    for (const item of this.items) {
      if (item.kind === 'label') positions.set(item.label, index);
      else index += 1;
    }
    const program: BpfInstruction[] = [];
    const offsetTo = (target: Target, from: number, limit: number): number => {
      if (target === 'next') return 0;
      const position = positions.get(target);
      assert(position !== undefined, `seccomp profile compiler: label ${target} was never placed`);
      const offset = position - (from + 1);
      assert(offset >= 0 && offset <= limit, `seccomp profile compiler: jump of ${offset} from instruction ${from} does not fit`);
      return offset;
    };
    for (const item of this.items) {
      const at = program.length;
      if (item.kind === 'plain') program.push({ code: item.code, jt: 0, jf: 0, k: item.k });
      else if (item.kind === 'branch') program.push({ code: item.code, jt: offsetTo(item.jt, at, MAX_SHORT_JUMP), jf: offsetTo(item.jf, at, MAX_SHORT_JUMP), k: item.k });
      else if (item.kind === 'goto') program.push({ code: BPF_JMP | BPF_JA, jt: 0, jf: 0, k: offsetTo(item.label, at, 0xffffffff) });
    }
    return program;
  }
}

/** The seccomp filter of a resolved profile. */
export function compileProfile(resolved: ResolvedProfile): BpfProgram {
  const emit = new Emitter();
  emit.load(OFFSET_ARCH);
  const groups = sectionGroups(resolved.sections);
  const entries = groups.map(() => emit.label());
  groups.forEach((group, index) => {
    // `jeq ARCH, +0, +1; ja section`: sections are longer than a conditional jump reaches.
    const otherArch = emit.label();
    emit.branch(BPF_JEQ, group[0].auditArch, 'next', otherArch);
    emit.goto(entries[index]);
    emit.place(otherArch);
  });
  emit.ret(resolved.badArchAction);
  groups.forEach((group, index) => {
    emit.place(entries[index]);
    emitSection(emit, group, resolved);
  });
  return emit.assemble();
}

/** x86-64 and x32 share AUDIT_ARCH_X86_64, so they become one section (gen_bpf.c "secondary" filter). */
function sectionGroups(sections: readonly AbiSection[]): AbiSection[][] {
  const groups: AbiSection[][] = [];
  for (const section of sections) {
    const shared = groups.find((group) => group[0].auditArch === section.auditArch);
    if (shared === undefined) groups.push([section]);
    else shared.push(section);
  }
  return groups;
}

function emitSection(emit: Emitter, group: readonly AbiSection[], resolved: ResolvedProfile): void {
  const abis = group.map((section) => section.abi);
  const rules = emit.label();
  emit.load(OFFSET_NR);
  // Jumps only go forward, so each section returns the bad-arch action itself.
  if (abis.length === 1 && abis[0] === 'x86_64') {
    // Filter out x32: a number with the x32 bit is a bad arch, except -1 (a tracer's skip).
    emit.branch(BPF_JGE, X32_SYSCALL_BIT, 'next', rules);
    emit.branch(BPF_JEQ, 0xffffffff, rules, 'next');
    emit.ret(resolved.badArchAction);
  } else if (abis.length === 1 && abis[0] === 'x32') {
    emit.branch(BPF_JGE, X32_SYSCALL_BIT, rules, 'next');
    emit.ret(resolved.badArchAction);
  }
  emit.place(rules);
  const width = abis.includes('i386') ? 32 : 64;
  const syscalls = group.flatMap((section) => section.syscalls).sort((a, b) => a.nr - b.nr);
  emitUnconditionalRuns(emit, syscalls.filter(isUnconditional));
  for (const syscall of syscalls.filter((found) => !isUnconditional(found))) emitConditionalSyscall(emit, syscall, width, resolved.defaultAction);
  emit.ret(resolved.defaultAction);
}

function isUnconditional(syscall: SyscallFilter): boolean {
  return syscall.rules.length === 1 && syscall.rules[0].conditions.length === 0;
}

/** Runs of `jeq nr` sharing one `ret ACTION`, grouped by action in order of first appearance. */
function emitUnconditionalRuns(emit: Emitter, syscalls: readonly SyscallFilter[]): void {
  const byAction = new Map<number, number[]>();
  for (const syscall of syscalls) {
    const action = syscall.rules[0].action;
    byAction.set(action, [...(byAction.get(action) ?? []), syscall.nr]);
  }
  for (const [action, numbers] of byAction) {
    for (let start = 0; start < numbers.length; start += RUN_LENGTH) {
      const hit = emit.label();
      const miss = emit.label();
      for (const nr of numbers.slice(start, start + RUN_LENGTH)) emit.branch(BPF_JEQ, nr, hit, 'next');
      emit.goto(miss);
      emit.place(hit);
      emit.ret(action);
      emit.place(miss);
    }
  }
}

/** `jeq nr` into a block testing each rule in order, ending in the default action. */
function emitConditionalSyscall(emit: Emitter, syscall: SyscallFilter, width: 32 | 64, defaultAction: number): void {
  const after = emit.label();
  const block = emit.label();
  const blockLength = countBlock(syscall.rules, width);
  if (blockLength <= MAX_SHORT_JUMP) {
    emit.branch(BPF_JEQ, syscall.nr, 'next', after);
  } else {
    emit.branch(BPF_JEQ, syscall.nr, block, 'next');
    emit.goto(after);
  }
  emit.place(block);
  const before = emit.mark();
  for (const rule of syscall.rules) {
    const nextRule = emit.label();
    for (const condition of rule.conditions) emitCondition(emit, condition, width, nextRule);
    emit.ret(rule.action);
    emit.place(nextRule);
  }
  emit.ret(defaultAction);
  assert(emit.mark() - before === blockLength, 'seccomp profile compiler: block length miscounted');
  emit.place(after);
}

function countBlock(rules: readonly ResolvedRule[], width: 32 | 64): number {
  let count = 1;
  for (const rule of rules) count += 1 + rule.conditions.reduce((sum, condition) => sum + conditionLength(condition, width), 0);
  return count;
}

function halves(value: bigint): { high: number; low: number } {
  return { high: Number((value >> 32n) & 0xffffffffn), low: Number(value & 0xffffffffn) };
}

function conditionLength(condition: ResolvedCondition, width: 32 | 64): number {
  if (condition.op === 'SCMP_CMP_MASKED_EQ') {
    const mask = halves(condition.mask);
    const part = (m: number) => (m === 0 ? 0 : m === 0xffffffff ? 2 : 3);
    return (width === 64 ? part(mask.high) : 0) + part(mask.low);
  }
  if (width === 32) return 2;
  return condition.op === 'SCMP_CMP_EQ' || condition.op === 'SCMP_CMP_NE' ? 4 : 5;
}

/**
 * One condition: falls through to the next instruction when it holds, jumps to `fail`
 * otherwise. 64-bit comparisons follow libseccomp's diagrams: decide on the high words
 * when they differ, else on the low words.
 */
function emitCondition(emit: Emitter, condition: ResolvedCondition, width: 32 | 64, fail: Label): void {
  const index = condition.index;
  const datum = halves(condition.datum);
  if (condition.op === 'SCMP_CMP_MASKED_EQ') {
    const mask = halves(condition.mask);
    const maskedEqual = (offset: number, m: number, d: number) => {
      if (m === 0) return;
      emit.load(offset);
      if (m !== 0xffffffff) emit.and(m);
      emit.branch(BPF_JEQ, d, 'next', fail);
    };
    if (width === 64) maskedEqual(argumentHighOffset(index), mask.high, datum.high);
    maskedEqual(argumentLowOffset(index), mask.low, datum.low);
    return;
  }
  const pass = emit.label();
  if (width === 64) emitHighWord(emit, condition, datum.high, pass, fail);
  emit.load(argumentLowOffset(index));
  switch (condition.op) {
    case 'SCMP_CMP_EQ': emit.branch(BPF_JEQ, datum.low, 'next', fail); break;
    case 'SCMP_CMP_NE': emit.branch(BPF_JEQ, datum.low, fail, 'next'); break;
    case 'SCMP_CMP_GT': emit.branch(BPF_JGT, datum.low, 'next', fail); break;
    case 'SCMP_CMP_GE': emit.branch(BPF_JGE, datum.low, 'next', fail); break;
    case 'SCMP_CMP_LT': emit.branch(BPF_JGE, datum.low, fail, 'next'); break;
    case 'SCMP_CMP_LE': emit.branch(BPF_JGT, datum.low, fail, 'next'); break;
  }
  emit.place(pass);
}

/** The high-word test: decides when the high words differ, falls through to the low word when equal. */
function emitHighWord(emit: Emitter, condition: ResolvedCondition, high: number, pass: Label, fail: Label): void {
  emit.load(argumentHighOffset(condition.index));
  switch (condition.op) {
    case 'SCMP_CMP_EQ': emit.branch(BPF_JEQ, high, 'next', fail); break;
    case 'SCMP_CMP_NE': emit.branch(BPF_JEQ, high, 'next', pass); break;
    case 'SCMP_CMP_GT':
    case 'SCMP_CMP_GE':
      emit.branch(BPF_JGT, high, pass, 'next');
      emit.branch(BPF_JEQ, high, 'next', fail);
      break;
    case 'SCMP_CMP_LT':
    case 'SCMP_CMP_LE':
      emit.branch(BPF_JGT, high, fail, 'next');
      emit.branch(BPF_JEQ, high, 'next', pass);
      break;
    case 'SCMP_CMP_MASKED_EQ':
      assert(false, 'MASKED_EQ is compiled by emitCondition');
  }
}
