/**
 * Expectations on a step's outcome, and final assertions on the machine state. Each
 * compiles to a predicate that returns null when it holds, otherwise a sentence saying
 * what happened instead.
 */
import { VECTOR_MNEMONICS, vectorOfMnemonic } from '../../engine/hw/cpu/registers.js';
import { bytesToHex, utf8Bytes } from '../../engine/core/bytes.js';
import { hex } from '../../engine/core/u64.js';
import { knows } from '../../engine/observer/state.js';
import type { MachineState } from '../../engine/machine/state.js';
import { ERROR_CODE_BITS, describeOutcome, errorCodeBitsText, type StepOutcome } from '../../engine/scenario/outcome.js';
import type { PlannedAssertion, PlannedExpectation } from '../../engine/scenario/plan.js';
import { isAlive, processByName, type Process } from '../../engine/kernel/state.js';
import type { Credentials } from '../../engine/kernel/cred/state.js';
import { capabilityNumber, CAPABILITIES } from '../../engine/kernel/syscall/constants.js';
import type { AssertStatement, CustomInvariantStatement, Outcome, Value } from '../ast.js';
import type { Invariant } from '../../engine/core/decider.js';
import { nearest } from '../suggest.js';
import { type Bindings, describe, expectChoice, expectInteger, expectString, expectWord, fail, resolve, spanOf, suggestionNotes } from './values.js';
import { ERRNO, isErrno } from '../../engine/kernel/syscall/errno.js';

export const OUTCOME_WORDS = [
  'ok',
  'value',
  'fault',
  'signal',
  'leak',
  'phys',
  'cr2',
  'returns',
  'errno',
  'prints',
  'reads',
  'tlb',
  'entry',
  'exits',
  'oops',
  'refused',
  'violation',
  'skipped',
  'switched',
  'timer',
] as const;
type OutcomeWord = (typeof OUTCOME_WORDS)[number];
const NEGATABLE: readonly OutcomeWord[] = ['fault', 'signal', 'leak', 'oops', 'violation', 'exits', 'refused'];

export interface ExpectationContext {
  readonly bindings: Bindings;
  readonly secrets: ReadonlySet<string>;
}

export function outcomeText(outcome: Outcome): string {
  return [outcome.negated ? 'no' : null, outcome.name.value, ...outcome.args.map(describe)].filter((part) => part !== null).join(' ');
}

type Check = (outcome: StepOutcome) => string | null;

export function compileOutcome(outcome: Outcome, context: ExpectationContext): PlannedExpectation {
  const word = outcome.name.value;
  if (!(OUTCOME_WORDS as readonly string[]).includes(word)) {
    fail('E_UNKNOWN_OUTCOME', `"${word}" is not an outcome (expected one of: ${OUTCOME_WORDS.join(', ')})`, outcome.name.loc, suggestionNotes(nearest(word, OUTCOME_WORDS)));
  }
  if (outcome.negated && !NEGATABLE.includes(word as OutcomeWord)) {
    fail('E_NOT_NEGATABLE', `"no ${word}" means nothing; "no" goes with ${NEGATABLE.join(', ')}`, outcome.loc);
  }
  const check = outcome.negated ? negatedCheck(word as OutcomeWord, outcome, context) : positiveCheck(word as OutcomeWord, outcome, context);
  return { text: outcomeText(outcome), kind: outcome.negated ? `no ${word}` : word, check };
}

function noArgs(outcome: Outcome): void {
  if (outcome.args.length > 0) fail('E_EXTRA', `"${outcome.name.value}" takes no argument here`, spanOf(outcome.args, outcome.loc));
}

function secretName(value: Value | undefined, outcome: Outcome, context: ExpectationContext): string {
  const word = expectWord(value, 'a secret name', outcome.loc, context.bindings);
  if (!context.secrets.has(word.value)) {
    fail('E_UNKNOWN_SECRET', `no secret is named "${word.value}"`, word.loc, suggestionNotes(nearest(word.value, [...context.secrets])));
  }
  return word.value;
}

function negatedCheck(word: OutcomeWord, outcome: Outcome, context: ExpectationContext): Check {
  switch (word) {
    case 'fault':
      noArgs(outcome);
      return (o) => (o.fault === null ? null : `it raised ${describeOutcome(o)}`);
    case 'signal':
      noArgs(outcome);
      return (o) => (o.signal === null ? null : `the kernel delivered ${o.signal.signal}`);
    case 'leak': {
      const name = outcome.args.length > 0 ? secretName(outcome.args[0], outcome, context) : null;
      return (o) => {
        const leaked = name === null ? o.leaks : o.leaks.filter((s) => s === name);
        return leaked.length === 0 ? null : `it leaked ${leaked.join(', ')}`;
      };
    }
    case 'oops':
      noArgs(outcome);
      return (o) => (o.oops ? 'the kernel oopsed' : null);
    case 'violation':
      return (o) => (o.violations.length === 0 ? null : `it violated ${o.violations.join(', ')}`);
    case 'exits':
      noArgs(outcome);
      return (o) => (o.exited ? 'the process exited' : null);
    case 'refused':
      noArgs(outcome);
      return (o) => (o.refused === null ? null : `the kernel refused: ${o.refused.errno} (${o.refused.reason})`);
    default:
      return () => null;
  }
}

function positiveCheck(word: OutcomeWord, outcome: Outcome, context: ExpectationContext): Check {
  const { bindings } = context;
  switch (word) {
    case 'ok':
      noArgs(outcome);
      return (o) => (o.skipped === null && o.fault === null && o.signal === null && o.refused === null && !o.oops ? null : `not ok: ${describeOutcome(o)}`);
    case 'skipped':
      noArgs(outcome);
      return (o) => (o.skipped !== null ? null : `the step ran: ${describeOutcome(o)}`);
    case 'value':
      return valueCheck(outcome, bindings);
    case 'fault':
      return faultCheck(outcome, bindings);
    case 'signal': {
      const signal = expectWord(outcome.args[0], 'a signal name (SIGSEGV)', outcome.loc, bindings).value;
      return (o) => (o.signal?.signal === signal ? null : o.signal === null ? 'no signal was delivered' : `${o.signal.signal} was delivered`);
    }
    case 'leak': {
      const name = secretName(outcome.args[0], outcome, context);
      return (o) => (o.leaks.includes(name) ? null : `${name} did not leak (${describeOutcome(o)})`);
    }
    case 'phys': {
      const address = expectInteger(outcome.args[0], 'a physical address', outcome.loc, bindings);
      return (o) => (o.physicalAddress !== null && BigInt(o.physicalAddress) === address ? null : `the access went to ${o.physicalAddress === null ? 'no physical address' : hex(o.physicalAddress)}`);
    }
    case 'cr2': {
      const address = expectInteger(outcome.args[0], 'an address', outcome.loc, bindings);
      return (o) => (o.fault?.address !== null && o.fault?.address !== undefined && BigInt(o.fault.address) === address ? null : `CR2 was ${o.fault?.address ?? 'not set (no #PF)'}`);
    }
    case 'returns': {
      const value = expectInteger(outcome.args[0], 'a return value', outcome.loc, bindings);
      return (o) => (o.syscall !== null && BigInt(o.syscall.ret) === value ? null : o.syscall === null ? 'no system call returned' : `it returned ${o.syscall.ret}`);
    }
    case 'errno': {
      const errnoWord = expectWord(outcome.args[0], 'an errno name (EPERM)', outcome.loc, bindings);
      const errno = errnoWord.value;
      if (!isErrno(errno)) fail('E_UNKNOWN_ERRNO', `"${errno}" is not an errno name isolab knows`, errnoWord.loc, suggestionNotes(nearest(errno, Object.keys(ERRNO))));
      return (o) => (o.syscall?.errno === errno || o.refused?.errno === errno ? null : `errno was ${o.syscall?.errno ?? o.refused?.errno ?? 'not set'}`);
    }
    case 'prints': {
      const text = expectString(outcome.args[0], 'the text written to the console', outcome.loc, bindings);
      return (o) => (o.output === text ? null : o.output === '' ? 'nothing was printed' : `it printed ${JSON.stringify(o.output)}`);
    }
    case 'reads': {
      const text = expectString(outcome.args[0], 'the text the call returns', outcome.loc, bindings);
      const wanted = bytesToHex(utf8Bytes(text));
      return (o) =>
        o.syscall?.bytes === wanted ? null : o.syscall === null ? 'no system call returned' : o.syscall.bytes === null ? 'the call returned no bytes' : `it returned bytes ${o.syscall.bytes}`;
    }
    case 'tlb': {
      const kind = expectChoice(outcome.args[0], ['hit', 'miss'] as const, 'hit or miss', outcome.loc, bindings);
      return (o) => (o.tlb === kind ? null : `the TLB ${o.tlb === null ? 'was not used' : `had a ${o.tlb}`}`);
    }
    case 'entry': {
      const address = expectInteger(outcome.args[0], 'the physical address of a paging-structure entry', outcome.loc, bindings);
      const value = expectInteger(outcome.args[1], 'the value the entry should hold after the step', outcome.loc, bindings);
      return (o) => {
        const entry = o.entries.find((e) => BigInt(e.entryAddress) === address);
        if (entry === undefined) return `the walk did not read an entry at ${hex(address)}`;
        return BigInt(entry.entry) === value ? null : `the entry at ${hex(address)} holds ${entry.entry}`;
      };
    }
    case 'exits':
      noArgs(outcome);
      return (o) => (o.exited ? null : 'the process is still alive');
    case 'oops':
      noArgs(outcome);
      return (o) => (o.oops ? null : 'the kernel did not oops');
    case 'refused':
      return (o) => (o.refused !== null ? null : 'the kernel did the request');
    case 'switched': {
      const name = expectWord(outcome.args[0], 'a process name', outcome.loc, bindings).value;
      return (o) => (o.switches.includes(name) ? null : o.switches.length === 0 ? 'no context switch happened' : `it switched to ${o.switches.join(', ')}`);
    }
    case 'timer':
      noArgs(outcome);
      return (o) => (o.timer ? null : 'the timer did not fire');
    case 'violation': {
      const name = outcome.args.length > 0 ? expectWord(outcome.args[0], 'an invariant name', outcome.loc, bindings).value : null;
      return (o) => ((name === null ? o.violations.length > 0 : o.violations.includes(name)) ? null : 'no invariant was violated');
    }
  }
}

function valueCheck(outcome: Outcome, bindings: Bindings): Check {
  const arg = outcome.args[0] === undefined ? undefined : resolve(outcome.args[0], bindings);
  if (arg?.kind === 'string') {
    const wanted = bytesToHex(utf8Bytes(arg.value));
    return (o) => (o.bytes === wanted ? null : `the bytes read were ${o.bytes === null ? 'none' : JSON.stringify(o.bytes)}`);
  }
  const value = expectInteger(outcome.args[0], 'a value', outcome.loc, bindings);
  return (o) => {
    if (o.value === null) return `no value (${describeOutcome(o)})`;
    return BigInt(o.value) === BigInt.asUintN(64, value) ? null : `the value was ${o.value}`;
  };
}

/** `fault`, `fault #PF`, `fault #PF(present, user)`, `fault #GP(0)`, `fault #PF(0x7)`. */
function faultCheck(outcome: Outcome, bindings: Bindings): Check {
  if (outcome.args.length === 0) return (o) => (o.fault !== null ? null : `no fault (${describeOutcome(o)})`);
  const spec = outcome.args[0]!;
  if (spec.kind !== 'fault') fail('E_TYPE', `expected an exception such as #PF or #GP(0), found ${describe(spec)}`, spec.loc);
  const mnemonic = spec.name.startsWith('#') ? spec.name : `#${spec.name}`;
  const vector = vectorOfMnemonic(mnemonic);
  if (vector === null) {
    fail('E_UNKNOWN_VECTOR', `${mnemonic} is not an exception isolab models`, spec.loc, [
      ...suggestionNotes(nearest(mnemonic, Object.values(VECTOR_MNEMONICS))),
      `modelled: ${Object.values(VECTOR_MNEMONICS).join(', ')}`,
    ]);
  }
  const code = spec.args === null ? null : errorCodeOf(spec.args, vector, bindings);
  const wanted = `${mnemonic}${code === null ? '' : vector === 14 ? `(${errorCodeBitsText(code)})` : `(${hex(code)})`}`;
  return (o) => {
    if (o.fault === null) return `no fault (${describeOutcome(o)})`;
    if (o.fault.vector !== vector) return `it raised ${o.fault.name} instead of ${mnemonic}: ${o.fault.reason}`;
    if (code !== null && o.fault.errorCode !== code) {
      const got = o.fault.errorCode === null ? 'none' : vector === 14 ? `(${errorCodeBitsText(o.fault.errorCode)})` : hex(o.fault.errorCode);
      return `expected ${wanted}, the error code was ${got}`;
    }
    return null;
  };
}

function errorCodeOf(args: readonly Value[], vector: number, bindings: Bindings): number {
  if (args.length === 1) {
    const only = resolve(args[0]!, bindings);
    if (only.kind === 'number') return Number(only.value);
  }
  if (vector !== 14) fail('E_TYPE', 'only #PF takes error-code bit names; give other exceptions a number: #GP(0)', args[0]!.loc);
  let code = 0;
  for (const arg of args) {
    const word = expectWord(arg, 'an error-code bit (present, write, user, rsvd, fetch, pk)', arg.loc, bindings);
    const bit = ERROR_CODE_BITS[word.value];
    if (bit === undefined) {
      fail('E_UNKNOWN_WORD', `"${word.value}" is not a page-fault error-code bit (present, write, user, rsvd, fetch, pk)`, word.loc, suggestionNotes(nearest(word.value, Object.keys(ERROR_CODE_BITS))));
    }
    code |= bit;
  }
  return code;
}

/** assert ACTOR knows SECRET | assert ACTOR never knows SECRET | assert no violations | assert ACTOR exited|alive */
const ASSERT_USAGE =
  'expected "assert ACTOR knows SECRET", "assert ACTOR never knows SECRET", "assert ACTOR exited|alive|zombie", "assert ACTOR euid N" (uid, euid, suid, fsuid, gid, egid, sgid, fsgid), "assert ACTOR has|lacks CAP_X" or "assert no violations"';

/** Ids an assertion may name: uid and gid are the real ones. */
const CREDENTIAL_IDS = ['uid', 'euid', 'suid', 'fsuid', 'gid', 'egid', 'sgid', 'fsgid', 'ruid', 'rgid'] as const;

function processCheck(state: MachineState, name: string, check: (process: Process) => string | null): string | null {
  const process = processByName(state.kernel, name);
  return process === null ? `${name} was never created` : check(process);
}

export function compileAssertion(statement: AssertStatement, context: ExpectationContext, processes: ReadonlySet<string>): PlannedAssertion {
  const words = statement.words.map((value) => resolve(value, context.bindings));
  const text = words.map(describe).join(' ');
  const line = statement.loc.start.line;
  const at = (i: number) => words[i]?.kind === 'word' ? (words[i] as { value: string }).value : null;
  if (at(0) === 'no' && (at(1) === 'violations' || at(1) === 'violation')) {
    return { text, line, check: (state) => (state.scenario.violations.length === 0 ? null : `violated: ${state.scenario.violations.map((v) => v.invariant).join(', ')}`) };
  }
  const actor = at(0);
  if (actor === null) fail('E_ASSERT', ASSERT_USAGE, statement.loc);
  if (!processes.has(actor) && actor !== 'cpu') {
    fail('E_UNKNOWN_PROCESS', `no process is named "${actor}"`, statement.words[0]!.loc, suggestionNotes(nearest(actor, [...processes])));
  }
  if (at(1) === 'exited' || at(1) === 'alive') {
    const wantExited = at(1) === 'exited';
    return {
      text,
      line,
      check: (state: MachineState) => {
        const process = processByName(state.kernel, actor);
        const exited = process !== null && !isAlive(process);
        return exited === wantExited ? null : `${actor} is ${exited ? 'exited' : 'alive'}`;
      },
    };
  }
  if (at(1) === 'zombie') {
    return { text, line, check: (state) => processCheck(state, actor, (p) => (p.status === 'zombie' ? null : `${actor} is ${p.status}`)) };
  }
  const id = at(1);
  if (id !== null && (CREDENTIAL_IDS as readonly string[]).includes(id)) {
    const wanted = Number(expectInteger(statement.words[2], `the ${id}`, statement.loc, context.bindings));
    const field = (id === 'uid' ? 'ruid' : id === 'gid' ? 'rgid' : id) as keyof Credentials;
    return { text, line, check: (state) => processCheck(state, actor, (p) => (p.creds[field] === wanted ? null : `${actor}'s ${id} is ${String(p.creds[field])}`)) };
  }
  if (at(1) === 'has' || at(1) === 'lacks') {
    const capWord = expectWord(statement.words[2], 'a capability (CAP_SETUID)', statement.loc, context.bindings);
    const cap = capabilityNumber(capWord.value);
    if (cap === null) fail('E_UNKNOWN_CAPABILITY', `"${capWord.value}" is not a capability`, capWord.loc, suggestionNotes(nearest(capWord.value.toUpperCase(), CAPABILITIES)));
    const wantHas = at(1) === 'has';
    return {
      text,
      line,
      check: (state) =>
        processCheck(state, actor, (p) => {
          const has = ((p.creds.caps.effective >> BigInt(cap)) & 1n) === 1n;
          return has === wantHas ? null : `${actor}'s effective set ${has ? 'has' : 'lacks'} ${CAPABILITIES[cap]}`;
        }),
    };
  }
  const negated = at(1) === 'never' || at(1) === 'not';
  const verbIndex = negated ? 2 : 1;
  if (at(verbIndex) !== 'knows' && verbIndex === 1) fail('E_ASSERT', ASSERT_USAGE, statement.words[1]?.loc ?? statement.loc);
  if (at(verbIndex) !== 'knows') fail('E_ASSERT', `expected "knows" after "${words.slice(0, verbIndex).map(describe).join(' ')}"`, statement.words[verbIndex]?.loc ?? statement.loc);
  const secret = at(verbIndex + 1);
  if (secret === null || !context.secrets.has(secret)) {
    fail('E_UNKNOWN_SECRET', `no secret is named "${secret ?? ''}"`, statement.words[verbIndex + 1]?.loc ?? statement.loc, suggestionNotes(nearest(secret ?? '', [...context.secrets])));
  }
  return {
    text,
    line,
    check: (state) => {
      const known = knows(state.observer, actor, secret);
      if (negated) return known ? `${actor} learned ${secret}` : null;
      return known ? null : `${actor} never learned ${secret}`;
    },
  };
}

/**
 * A scenario's own invariant: `never P knows SECRET`, `never anyone knows SECRET`,
 * `always P alive` (or `never P exits`). Checked after every event of the kinds it
 * concerns, like the built-in invariants.
 */
export function compileCustomInvariant(
  statement: CustomInvariantStatement,
  context: ExpectationContext,
  processes: ReadonlySet<string>,
): Invariant<MachineState> {
  const name = statement.label.value;
  const words = statement.words.map((value) => resolve(value, context.bindings));
  const text = words.map(describe).join(' ');
  const at = (i: number) => (words[i]?.kind === 'word' ? (words[i] as { value: string }).value : null);
  const usage = 'expected "never P knows SECRET", "never anyone knows SECRET" or "always P alive"';
  const subject = at(1);
  if (subject === null) fail('E_INVARIANT', usage, statement.loc);
  if (subject !== 'anyone' && !processes.has(subject)) {
    fail('E_UNKNOWN_PROCESS', `no process is named "${subject}"`, statement.words[1]!.loc, suggestionNotes(nearest(subject, [...processes, 'anyone'])));
  }
  if ((at(0) === 'always' && at(2) === 'alive') || (at(0) === 'never' && at(2) === 'exits')) {
    return {
      name,
      statement: text,
      defence: 'declared by the scenario',
      on: ['kernel.processExited'],
      check: (_before, event) => ((event.data as { name: string }).name === subject ? `${name}: ${subject} exited` : null),
    };
  }
  if (at(0) !== 'never' || at(2) !== 'knows') fail('E_INVARIANT', usage, statement.loc);
  const secret = at(3);
  if (secret === null || !context.secrets.has(secret)) {
    fail('E_UNKNOWN_SECRET', `no secret is named "${secret ?? ''}"`, statement.words[3]?.loc ?? statement.loc, suggestionNotes(nearest(secret ?? '', [...context.secrets])));
  }
  return {
    name,
    statement: text,
    defence: 'declared by the scenario',
    on: ['observer.secretLeaked'],
    check: (_before, event) => {
      const data = event.data as { actor: string; secret: string };
      if (data.secret !== secret || (subject !== 'anyone' && data.actor !== subject)) return null;
      return `${name}: ${data.actor} learned ${secret}`;
    },
  };
}
