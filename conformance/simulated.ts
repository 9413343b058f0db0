/**
 * The simulator's side: a case as scenario text (an fs block with the case's entries
 * and mounts, one process `p` with its exact starting credentials, one `syscall` step
 * per call), compiled and run like any scenario, and its outcome read from each step's
 * system-call result and the process's credentials at the end.
 *
 * The text is what a user would write, so a case the language cannot express fails
 * here with the compiler's own message rather than being bent to fit.
 *
 * What it reads: `bytes` of getcwd, read and readlink (all the bytes the kernel copies
 * out, a NUL included when the kernel writes one); for stat, lstat and fstat
 * `detail.ino`, `detail.mode` (the whole st_mode), `detail.uid` and `detail.gid`; a
 * successful execve as a return of 0.
 */
import type { MachineState } from '../engine/machine/state.js';
import type { RunPlan } from '../engine/scenario/plan.js';
import { runPlan, type RunResult } from '../engine/scenario/run.js';
import type { SyscallOutcome } from '../engine/scenario/outcome.js';
import { processByName } from '../engine/kernel/state.js';
import type { Credentials } from '../engine/kernel/cred/state.js';
import { lookupAbsolute } from '../engine/kernel/vfs/state.js';
import { capabilityNames } from '../engine/kernel/syscall/constants.js';
import { compileScenario, loadScenario } from '../dsl/compile/index.js';
import { quoteString } from '../dsl/format.js';
import { parseCallLine, type CaseMount, type ConformanceCase } from './case.js';
import { canonicalErrno, capsText, modeText, securebitNames, textOfHex, type CallOutcome, type CaseOutcome, type CredentialsOutcome, type StatOutcome } from './outcome.js';
import { caseFsEntries, exactWorld, type ExactCredentials, type ExactWorld } from './world.js';

export const PROCESS_NAME = 'p';
const FILE = 'conformance.isl';

const octal = (mode: number) => '0' + mode.toString(8);

function capsWords(mask: bigint): string {
  const names = capabilityNames(mask);
  return names.length === 0 ? 'none' : names.join('|');
}

function mountFlagsText(flags: CaseMount['flags']): string {
  const set = (['readonly', 'nosuid', 'noexec', 'nodev'] as const).filter((flag) => flags[flag] === true).map((flag) => `${flag}: on`);
  return set.length === 0 ? '' : ` { ${set.join(', ')} }`;
}

function fsBlock(conformanceCase: ConformanceCase): string[] {
  const lines = ['fs {'];
  for (const entry of caseFsEntries(conformanceCase)) {
    const owner = `mode: ${octal(entry.mode)}, owner: ${entry.uid}, group: ${entry.gid}`;
    if (entry.kind === 'dir') lines.push(`  dir ${quoteString(entry.path)} { ${owner} }`);
    else if (entry.kind === 'symlink') lines.push(`  symlink ${quoteString(entry.path)} ${quoteString(entry.target ?? '')}`);
    else {
      const caps = entry.fileCaps ?? null;
      const capText =
        caps === null ? '' : `, caps: ${capsWords(BigInt(caps.permitted))}, inheritable: ${capsWords(BigInt(caps.inheritable))}, effective: ${caps.effective ? 'on' : 'off'}`;
      lines.push(`  file ${quoteString(entry.path)} ${quoteString(entry.content ?? '')} { ${owner}${capText} }`);
    }
  }
  for (const mount of conformanceCase.mounts) {
    if (mount.kind === 'bind') lines.push(`  bind ${quoteString(mount.source)} ${quoteString(mount.target)}${mountFlagsText(mount.flags)}`);
    else lines.push(`  mount tmpfs ${quoteString(mount.target)}${mountFlagsText(mount.flags)}`);
  }
  lines.push('}');
  return lines;
}

function processLine(credentials: ExactCredentials, cwd: string): string {
  const c = credentials;
  const props = [
    `uid: ${c.ruid}`,
    `euid: ${c.euid}`,
    `suid: ${c.suid}`,
    `fsuid: ${c.fsuid}`,
    `gid: ${c.rgid}`,
    `egid: ${c.egid}`,
    `sgid: ${c.sgid}`,
    `fsgid: ${c.fsgid}`,
    ...(c.groups.length === 0 ? [] : [`groups: ${c.groups.join('|')}`]),
    `caps: ${capsWords(c.permitted)}`,
    `effective: ${capsWords(c.effective)}`,
    `inheritable: ${capsWords(c.inheritable)}`,
    `ambient: ${capsWords(c.ambient)}`,
    `bounding: ${capsWords(c.bounding)}`,
    ...(c.securebits === 0 ? [] : [`securebits: ${securebitNames(c.securebits).join('|')}`]),
    ...(c.noNewPrivs ? ['no_new_privs: on'] : []),
    `cwd: ${quoteString(cwd)}`,
  ];
  return `process ${PROCESS_NAME} { ${props.join(', ')} }`;
}

/** The case as a scenario, starting from `world` (the case made exact for this machine). */
export function scenarioText(conformanceCase: ConformanceCase, world: ExactWorld): string {
  return [
    `scenario ${quoteString(`conformance: ${conformanceCase.id}`)}`,
    ...fsBlock(conformanceCase),
    processLine(world.credentials, world.cwd),
    ...conformanceCase.calls.map((line) => `${PROCESS_NAME}: syscall ${parseCallLine(line).call}`),
  ].join('\n') + '\n';
}

/** Inode number → the first of the tree's paths that leads to it, as the tree stood before the first step. */
function inodePaths(state: MachineState, world: ExactWorld): Map<number, string> {
  const paths = new Map<number, string>();
  for (const entry of world.entries) {
    const ref = lookupAbsolute(state.vfs, entry.path);
    if (ref !== null && !paths.has(ref.ino)) paths.set(ref.ino, entry.path);
  }
  return paths;
}

function detailNumber(detail: Readonly<Record<string, unknown>>, key: string): number | null {
  const value = detail[key] ?? detail[`st_${key}`];
  return typeof value === 'number' ? value : typeof value === 'string' && /^(0x)?[0-9a-f]+$/i.test(value) ? Number(value) : null;
}

function statOf(detail: Readonly<Record<string, unknown>> | null, inodes: ReadonlyMap<number, string>): StatOutcome {
  if (detail === null) return { path: '(no stat detail)', mode: '?', uid: -1, gid: -1 };
  const ino = detailNumber(detail, 'ino');
  const mode = detailNumber(detail, 'mode');
  return {
    path: ino === null ? '(no ino in the detail)' : (inodes.get(ino) ?? '(not in the tree)'),
    mode: mode === null ? '?' : modeText(mode),
    uid: detailNumber(detail, 'uid') ?? -1,
    gid: detailNumber(detail, 'gid') ?? -1,
  };
}

const BYTES_CALLS = new Set(['getcwd', 'read', 'readlink']);
const STAT_CALLS = new Set(['stat', 'lstat', 'fstat']);

function callOutcome(text: string, syscall: SyscallOutcome | null, skipped: string | null, inodes: ReadonlyMap<number, string>): CallOutcome {
  if (syscall === null) return { call: text, ret: null, errno: null, missing: skipped ?? 'the step made no system call' };
  const errno = canonicalErrno(syscall.errno);
  const base: CallOutcome = { call: text, ret: syscall.ret, errno };
  if (errno !== null) return base;
  const name = syscall.name ?? '';
  if (BYTES_CALLS.has(name)) return { ...base, bytes: textOfHex(syscall.bytes ?? '') };
  if (STAT_CALLS.has(name)) return { ...base, stat: statOf(syscall.detail, inodes) };
  return base;
}

export type SimulatedResult = { readonly ok: true; readonly outcome: CaseOutcome; readonly text: string } | { readonly ok: false; readonly error: string; readonly text: string };

/** The case as a compiled scenario; throws the compiler's ScenarioError when the language cannot say it. */
export function compileSimulatedCase(conformanceCase: ConformanceCase, world: ExactWorld): { readonly text: string; readonly plan: RunPlan } {
  const text = scenarioText(conformanceCase, world);
  return { text, plan: compileScenario(loadScenario(FILE, () => ({ file: FILE, text })), {}) };
}

function credentialsOutcome(c: Credentials, machineCaps: bigint): CredentialsOutcome {
  const caps = (mask: bigint) => capsText(mask, machineCaps);
  return {
    ruid: c.ruid,
    euid: c.euid,
    suid: c.suid,
    fsuid: c.fsuid,
    rgid: c.rgid,
    egid: c.egid,
    sgid: c.sgid,
    fsgid: c.fsgid,
    groups: [...c.groups],
    permitted: caps(c.caps.permitted),
    effective: caps(c.caps.effective),
    inheritable: caps(c.caps.inheritable),
    bounding: caps(c.caps.bounding),
    ambient: caps(c.caps.ambient),
    securebits: securebitNames(c.securebits),
    noNewPrivs: c.noNewPrivs,
  };
}

/** Runs the plan, keeping the state as it stood before the first step (for naming inodes). */
function runKeepingStart(plan: RunPlan): { result: RunResult; start: MachineState } {
  let start: MachineState | null = null;
  const result = runPlan(plan, {
    onEngine: (engine) => {
      engine.events$.subscribe((event) => {
        if (event.type === 'scenario.stepStarted' && start === null) start = engine.state;
      });
    },
  });
  return { result, start: start ?? result.state };
}

/** Runs a case on the simulator, starting from the same capabilities as the machine (`machineCaps`). */
export function runSimulatedCase(conformanceCase: ConformanceCase, machineCaps: bigint): SimulatedResult {
  const world = exactWorld(conformanceCase, machineCaps);
  if (!world.ok) return { ok: false, error: world.reason, text: '' };
  const text = scenarioText(conformanceCase, world.value);
  try {
    const { result, start } = runKeepingStart(compileSimulatedCase(conformanceCase, world.value).plan);
    const inodes = inodePaths(start, world.value);
    const calls = result.steps.map((report, i) => callOutcome(parseCallLine(conformanceCase.calls[i]!).call, report.outcome.syscall, report.outcome.skipped, inodes));
    const process = processByName(result.state.kernel, PROCESS_NAME);
    if (process === null) return { ok: false, error: `the simulator has no process ${PROCESS_NAME} at the end`, text };
    return { ok: true, outcome: { calls, credentials: credentialsOutcome(process.creds, machineCaps) }, text };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error), text };
  }
}
