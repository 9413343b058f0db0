/**
 * The abstract syntax of scenario files (`.isl`). The grammar (grammar.peggy) builds
 * it, the formatter prints it back, and the compiler (compile.ts) gives it meaning.
 *
 * The shape is deliberately uniform: machine, kernel and raw blocks hold generic
 * *settings* (`name arg… { key: value, … }`), steps are `actor: action arg…` and
 * expectations are lists of *outcomes* (`word arg…`). The grammar checks the layout;
 * the compiler checks the words, with located errors and nearest-keyword suggestions.
 * This keeps the grammar small, the formatter trivial and new mechanisms cheap to add.
 */

/** 1-based line and column, 0-based offset, as Peggy reports them. */
export interface Position {
  readonly offset: number;
  readonly line: number;
  readonly column: number;
}

export interface Span {
  readonly source: string;
  readonly start: Position;
  readonly end: Position;
}

interface Located {
  readonly loc: Span;
}

// ---------------------------------------------------------------- values

/** 0x400000, 42, -1, 64 MiB, 1000 ticks. `text` is the digits as written (lower-cased). */
export interface NumberValue extends Located {
  readonly kind: 'number';
  readonly value: bigint;
  readonly text: string;
  /** B, KiB, MiB, GiB, entries, ticks, bits, pages, bytes; null when absent. */
  readonly unit: string | null;
}

/** "hunter2" — JSON-style escapes (\" \\ \n \t \xNN \u{…}). */
export interface StringValue extends Located {
  readonly kind: 'string';
  readonly value: string;
}

/** on, off, 4-level, x86_64, rw, user, SIGSEGV, cr0.wp, getpid, O_RDONLY. */
export interface WordValue extends Located {
  readonly kind: 'word';
  readonly value: string;
}

/** $flush — the value of a variant in the current run. */
export interface VariableValue extends Located {
  readonly kind: 'variable';
  readonly name: string;
}

/** #PF, #PF(present, user), #GP(0), #UD — an exception vector with optional detail. */
export interface FaultValue extends Located {
  readonly kind: 'fault';
  readonly name: string;
  readonly args: readonly Value[] | null;
}

/** openat("/etc/shadow", O_RDONLY) — a call with arguments. */
export interface CallValue extends Located {
  readonly kind: 'call';
  readonly name: string;
  readonly args: readonly Value[];
}

/** O_RDONLY|O_CLOEXEC — flags combined with |. */
export interface UnionValue extends Located {
  readonly kind: 'union';
  readonly parts: readonly Value[];
}

/** 0x08:0xffffffff81000000 — a far pointer (segment selector and offset). */
export interface FarValue extends Located {
  readonly kind: 'far';
  readonly selector: NumberValue;
  readonly offset: NumberValue;
}

/** `=` or `,` between a step's arguments (write 0x400000 = 0x41; mov cr3, 0x1000). */
export interface SymbolValue extends Located {
  readonly kind: 'symbol';
  readonly value: '=' | ',';
}

export type Value =
  | NumberValue
  | StringValue
  | WordValue
  | VariableValue
  | FaultValue
  | CallValue
  | UnionValue
  | FarValue
  | SymbolValue;

// ---------------------------------------------------------------- statements

/** Fields every statement has besides its location. */
interface StatementBase extends Located {
  /** Whether a blank line precedes the statement (the formatter keeps one). */
  readonly blankBefore: boolean;
  /** A `# …` comment at the end of the statement's (first) line, without the `#`. */
  readonly trailingComment: string | null;
}

/** A `# …` line of its own; text without the leading `#` and one space. */
export interface CommentStatement extends Located {
  readonly kind: 'comment';
  readonly blankBefore: boolean;
  readonly text: string;
}

export interface ScenarioStatement extends StatementBase {
  readonly kind: 'scenario';
  readonly title: StringValue;
}

export interface AboutStatement extends StatementBase {
  readonly kind: 'about';
  readonly text: StringValue;
}

/** teaches 8, 9 — concept numbers of shared/CONCEPTS.md this scenario demonstrates. */
export interface TeachesStatement extends StatementBase {
  readonly kind: 'teaches';
  readonly concepts: readonly NumberValue[];
}

export interface SeedStatement extends StatementBase {
  readonly kind: 'seed';
  readonly seed: NumberValue;
}

export interface ImportStatement extends StatementBase {
  readonly kind: 'import';
  readonly path: StringValue;
}

/** variant flush: on | off */
export interface VariantStatement extends StatementBase {
  readonly kind: 'variant';
  readonly name: WordValue;
  readonly values: readonly WordValue[];
}

/** invariant memory.process-isolation, tlb.coherent */
export interface InvariantStatement extends StatementBase {
  readonly kind: 'invariant';
  readonly names: readonly WordValue[];
}

/**
 * invariant "secret stays in kernel": never attacker knows kpass — a scenario's own
 * invariant, checked after every event like the built-in ones.
 */
export interface CustomInvariantStatement extends StatementBase {
  readonly kind: 'customInvariant';
  readonly label: StringValue;
  readonly words: readonly Value[];
}

export interface Property extends Located {
  readonly key: WordValue;
  readonly value: Value;
}

/**
 * `name arg… { key: value, … }` — inside machine/kernel/raw blocks, and at top level
 * for `secret` and `region`. Examples: `memory 64 MiB`, `cpu x86_64 { smep: on }`,
 * `secret kpass "hunter2" at 0xffff888000001000`, `phys 0x1000 u64 0x2003`.
 */
export interface SettingStatement extends StatementBase {
  readonly kind: 'setting';
  readonly name: WordValue;
  readonly args: readonly Value[];
  readonly props: readonly Property[] | null;
}

/** machine { … }, kernel { … }, raw { … }, fs { … } */
export interface BlockStatement extends StatementBase {
  readonly kind: 'block';
  readonly name: WordValue;
  readonly body: readonly (SettingStatement | CommentStatement)[];
}

/** process attacker { uid: 1000, catch: SIGSEGV } (props may be empty or absent). */
export interface ProcessStatement extends StatementBase {
  readonly kind: 'process';
  readonly name: WordValue;
  readonly props: readonly Property[];
}

/** `when flush=off and pcid=on` */
export interface Condition extends Located {
  readonly variant: WordValue;
  readonly value: WordValue;
}

/** One outcome of an expectation: `ok`, `fault #PF(present, user)`, `no leak kpass`. */
export interface Outcome extends Located {
  readonly negated: boolean;
  readonly name: WordValue;
  readonly args: readonly Value[];
}

/** `expect o1, o2 [when cond and cond]` */
export interface Expectation extends Located {
  readonly outcomes: readonly Outcome[];
  readonly when: readonly Condition[];
}

/**
 * `attacker: read 0xffff888000001000 expect fault #PF(present, user)`.
 * `kernel in attacker: read 0x400000` runs the kernel (CPL 0) in attacker's address
 * space: `actor` is kernel and `context` attacker. Expectations may continue on the
 * following lines, each starting with `expect`.
 */
export interface StepStatement extends StatementBase {
  readonly kind: 'step';
  readonly actor: WordValue;
  readonly context: WordValue | null;
  readonly action: WordValue;
  readonly args: readonly Value[];
  readonly expectations: readonly Expectation[];
}

/** repeat 100 { steps } */
export interface RepeatStatement extends StatementBase {
  readonly kind: 'repeat';
  readonly count: NumberValue;
  readonly body: readonly (StepStatement | RepeatStatement | CommentStatement)[];
}

/** assert attacker never knows kpass [when …] — checked at the end of the run. */
export interface AssertStatement extends StatementBase {
  readonly kind: 'assert';
  readonly words: readonly Value[];
  readonly when: readonly Condition[];
}

export type Statement =
  | CommentStatement
  | ScenarioStatement
  | AboutStatement
  | TeachesStatement
  | SeedStatement
  | ImportStatement
  | VariantStatement
  | InvariantStatement
  | CustomInvariantStatement
  | SettingStatement
  | BlockStatement
  | ProcessStatement
  | StepStatement
  | RepeatStatement
  | AssertStatement;

export interface Document {
  readonly kind: 'document';
  readonly source: string;
  readonly statements: readonly Statement[];
  /** Comment lines after the last statement. */
  readonly trailingComments: readonly CommentStatement[];
}
