/**
 * The real side: builds real-helper.c with the machine's gcc (once per source version,
 * into a directory under the OS temporary directory), then runs each case in a
 * throw-away child: a fresh empty temporary directory, the helper inside its own mount
 * namespace with a tmpfs root there (see real-helper.c), the outcome read from its JSON
 * lines, and the directory removed afterwards. Nothing here is pure: this is the suite's
 * edge, where processes and files are.
 *
 * Whatever the machine cannot do is said, never papered over: no Linux, not root, no
 * gcc, a helper that does not build, namespaces refused — each becomes a reason that
 * the tests report as skipped.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { rawCallOf, refusalOf, type RawCall } from './calls.js';
import { caseOf, parseCallLine, type ConformanceCase } from './case.js';
import { capsText, errnoName, modeText, securebitNames, textOfHex, type CallOutcome, type CaseOutcome, type CredentialsOutcome, type StatOutcome } from './outcome.js';
import { specOf } from './spec.js';
import { exactWorld, type ExactWorld } from './world.js';

export const HELPER_SOURCE = join(dirname(fileURLToPath(import.meta.url)), 'real-helper.c');
const CASE_TIMEOUT_MS = 20_000;

export interface RealHelper {
  readonly path: string;
  /** Linked statically, so a copy runs inside a case's tree (probes for execve). */
  readonly isStatic: boolean;
}

export interface Machine {
  readonly helper: RealHelper;
  /** The capabilities this machine's root holds (its bounding set). */
  readonly caps: bigint;
  readonly lastCap: number;
  /** The header constants the helper was compiled with, by name. */
  readonly constants: Readonly<Record<string, number>>;
}

export type Available<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: string };

function gccBuild(source: string, output: string, flags: readonly string[]): string | null {
  const result = spawnSync('gcc', [...flags, '-O1', '-Wall', '-o', output, source], { encoding: 'utf8' });
  if (result.error !== undefined) return result.error.message;
  return result.status === 0 ? null : (result.stderr || `gcc exited with ${result.status}`).trim();
}

/**
 * The cache directory, if it is ours alone: root runs what it holds, so a directory
 * someone else made (or could write to) in the shared temporary directory is not used;
 * a fresh private one is made instead.
 */
function cacheDirectory(wanted: string): string {
  mkdirSync(wanted, { recursive: true, mode: 0o700 });
  const info = lstatSync(wanted);
  const ours = info.isDirectory() && (typeof process.getuid !== 'function' || info.uid === process.getuid()) && (info.mode & 0o022) === 0;
  return ours ? wanted : mkdtempSync(`${wanted}-`);
}

/** The binary at `path`, built if it is not there yet; null when built, else gcc's complaint. */
function builtAt(path: string, flags: readonly string[]): string | null {
  if (existsSync(path)) return null;
  // Build under a private name, then rename: a concurrent run never sees half a binary.
  const partial = `${path}.${process.pid}.partial`;
  const failure = gccBuild(HELPER_SOURCE, partial, flags);
  if (failure === null) renameSync(partial, path);
  else rmSync(partial, { force: true });
  return failure;
}

/**
 * Compiles the helper into a cache directory named by the source's hash: statically
 * linked if the C library allows (probes need it), dynamically otherwise.
 */
export function buildHelper(): Available<RealHelper> {
  if (process.platform !== 'linux') return { ok: false, reason: `the real side needs Linux; this is ${process.platform}` };
  const which = spawnSync('gcc', ['--version'], { encoding: 'utf8' });
  if (which.error !== undefined || which.status !== 0) return { ok: false, reason: 'gcc is not installed, so the real-kernel helper cannot be built' };
  const digest = createHash('sha256').update(readFileSync(HELPER_SOURCE)).digest('hex').slice(0, 16);
  const directory = cacheDirectory(join(tmpdir(), `isolab-conformance-${digest}`));
  const staticPath = join(directory, 'real-helper-static');
  if (builtAt(staticPath, ['-static']) === null) return { ok: true, value: { path: staticPath, isStatic: true } };
  const dynamicPath = join(directory, 'real-helper');
  const failure = builtAt(dynamicPath, []);
  return failure === null ? { ok: true, value: { path: dynamicPath, isStatic: false } } : { ok: false, reason: `gcc could not build the helper: ${failure}` };
}

function jsonLines(stdout: string): Record<string, unknown>[] {
  return stdout
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** A case that only needs the namespace, the tmpfs root and a change of uid: if it fails, every case would. */
const ISOLATION_CHECK: ConformanceCase = caseOf('credentials', {
  id: 'credentials/isolation-check',
  rule: 'the helper can build a case',
  process: { uid: 1000, gid: 1000 },
  calls: ['getuid() = 1000'],
});

/** Builds the helper and asks it what this machine is; or why the real side cannot run. */
export function probeMachine(): Available<Machine> {
  // The calls go by x86-64 number and struct stat is read with the x86-64 layout.
  if (process.arch !== 'x64') return { ok: false, reason: `the real side makes x86-64 system calls; this machine is ${process.arch}` };
  if (typeof process.getuid === 'function' && process.getuid() !== 0) return { ok: false, reason: 'the real side runs as root (it needs mount namespaces, chroot and setuid); this user is not root' };
  const helper = buildHelper();
  if (!helper.ok) return helper;
  const run = spawnSync(helper.value.path, ['--machine'], { encoding: 'utf8', timeout: CASE_TIMEOUT_MS });
  if (run.status !== 0) return { ok: false, reason: `the helper failed on --machine: ${run.stderr || run.error?.message || `exit ${run.status}`}` };
  const machine = jsonLines(run.stdout).find((line) => line.event === 'machine');
  if (machine === undefined) return { ok: false, reason: 'the helper printed no machine description' };
  const constants: Record<string, number> = {};
  for (const [key, value] of Object.entries(machine)) if (typeof value === 'number' && /^[A-Z]/.test(key)) constants[key] = value;
  const described: Machine = { helper: helper.value, caps: BigInt(machine.bounding as string), lastCap: machine.lastCap as number, constants };
  const isolation = runRealCase(ISOLATION_CHECK, described);
  if (!isolation.ok) return { ok: false, reason: `the helper cannot isolate a case on this machine: ${isolation.reason}` };
  return { ok: true, value: described };
}

// ------------------------------------------------------------------ one case

/** struct stat on x86-64 (arch/x86/include/uapi/asm/stat.h): dev, ino, nlink (8 bytes each), mode, uid, gid. */
function statOf(bytes: Buffer, inodes: ReadonlyMap<string, string>): StatOutcome {
  const dev = bytes.readBigUInt64LE(0);
  const ino = bytes.readBigUInt64LE(8);
  return {
    path: inodes.get(`${dev}:${ino}`) ?? '(not in the tree)',
    mode: modeText(bytes.readUInt32LE(24)),
    uid: bytes.readUInt32LE(28),
    gid: bytes.readUInt32LE(32),
  };
}

/** An output buffer, its trailing zeros (left out by the helper) restored. */
function bufferOf(hexText: string | null | undefined, sizeBytes: number): Buffer {
  const bytes = Buffer.alloc(sizeBytes);
  if (typeof hexText === 'string') Buffer.from(hexText, 'hex').copy(bytes);
  return bytes;
}

function callOutcome(call: RawCall, line: Record<string, unknown>, inodes: ReadonlyMap<string, string>): CallOutcome {
  const ret = line.ret as number;
  const errno = line.errno as number;
  const base: CallOutcome = { call: call.text, ret, errno: errno === 0 ? null : errnoName(errno) };
  const out = line.out as (string | null)[];
  if (errno !== 0) return base;
  if (call.result.kind === 'bytes') {
    const arg = call.args[call.result.arg]!;
    const size = arg.kind === 'out' ? arg.sizeBytes : 0;
    return { ...base, bytes: textOfHex(bufferOf(out[call.result.arg], size).subarray(0, Math.max(0, Math.min(ret, size))).toString('hex')) };
  }
  if (call.result.kind === 'stat') return { ...base, stat: statOf(bufferOf(out[call.result.arg], 144), inodes) };
  return base;
}

function credentialsOutcome(line: Record<string, unknown>, machineCaps: bigint): CredentialsOutcome {
  const caps = (key: string) => capsText(BigInt(line[key] as string), machineCaps);
  return {
    ruid: line.ruid as number,
    euid: line.euid as number,
    suid: line.suid as number,
    fsuid: line.fsuid as number,
    rgid: line.rgid as number,
    egid: line.egid as number,
    sgid: line.sgid as number,
    fsgid: line.fsgid as number,
    groups: line.groups as number[],
    permitted: caps('permitted'),
    effective: caps('effective'),
    inheritable: caps('inheritable'),
    bounding: caps('bounding'),
    ambient: caps('ambient'),
    securebits: securebitNames(line.securebits as number),
    noNewPrivs: line.noNewPrivs === 1,
  };
}

/** Reads the helper's lines into an outcome; a setup error or a missing report is a reason. */
export function outcomeOfLines(lines: readonly Record<string, unknown>[], calls: readonly RawCall[], machineCaps: bigint): Available<CaseOutcome> {
  const setupError = lines.find((line) => line.event === 'setup_error');
  if (setupError !== undefined) {
    const errno = setupError.errno as number;
    return { ok: false, reason: `the helper could not set the case up: ${String(setupError.step)}${errno === 0 ? '' : ` (${errnoName(errno)})`}` };
  }
  const inodes = new Map<string, string>();
  for (const line of lines.filter((l) => l.event === 'inodes')) {
    for (const [key, path] of line.map as [string, string][]) if (!inodes.has(key)) inodes.set(key, Buffer.from(path, 'hex').toString('utf8'));
  }
  const results: CallOutcome[] = [];
  for (const line of lines) {
    if (line.event === 'call') results.push(callOutcome(calls[line.index as number]!, line, inodes));
    // A successful execve does not return: the probe it started reports instead.
    if (line.event === 'exec') results.push({ call: calls[results.length]!.text, ret: 0, errno: null });
  }
  const creds = lines.find((line) => line.event === 'creds');
  if (creds === undefined) return { ok: false, reason: `the helper stopped after ${results.length} of ${calls.length} calls without reporting credentials` };
  const missing = calls.slice(results.length).map((call): CallOutcome => ({ call: call.text, ret: null, errno: null, missing: 'not run: execve replaced the process' }));
  return { ok: true, value: { calls: [...results, ...missing], credentials: credentialsOutcome(creds, machineCaps) } };
}

/** What running the helper on a spec left behind, for the isolation tests. */
export interface HelperRun {
  /** The temporary directory the case ran in (removed by the time runHelper returns). */
  readonly directory: string;
  readonly lines: readonly Record<string, unknown>[];
  readonly status: number | null;
  readonly stderr: string;
  /** Entries found in the temporary directory after the helper exited (it should be empty). */
  readonly leftovers: readonly string[];
}

/** Runs the helper on a spec in a fresh temporary directory, then removes the directory. */
export function runHelper(helper: RealHelper, spec: string): HelperRun {
  const directory = mkdtempSync(join(tmpdir(), 'isolab-case-'));
  try {
    const run = spawnSync(helper.path, [directory], { input: spec, encoding: 'utf8', timeout: CASE_TIMEOUT_MS, killSignal: 'SIGKILL' });
    const lines = jsonLines(run.stdout ?? '');
    return { directory, lines, status: run.status, stderr: (run.stderr ?? '') + (run.error === undefined ? '' : run.error.message), leftovers: readdirSync(directory) };
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

function needsStaticHelper(world: ExactWorld): boolean {
  return world.probes.size > 0;
}

/** One case on the real kernel: its outcome, or why this machine cannot run it. */
export function runRealCase(conformanceCase: ConformanceCase, machine: Machine): Available<CaseOutcome> {
  const world = exactWorld(conformanceCase, machine.caps);
  if (!world.ok) return world;
  if (needsStaticHelper(world.value) && !machine.helper.isStatic) return { ok: false, reason: 'the helper could not be linked statically (no libc.a), so it cannot run as a probe inside the case tree' };
  const calls = conformanceCase.calls.map((line) => rawCallOf(parseCallLine(line).call));
  const refusal = calls.map(refusalOf).find((reason) => reason !== null);
  if (refusal !== undefined && refusal !== null) return { ok: false, reason: refusal };
  const run = runHelper(machine.helper, specOf(world.value, conformanceCase.mounts, calls));
  const outcome = outcomeOfLines(run.lines, calls, machine.caps);
  if (!outcome.ok && run.status !== 0 && run.status !== 2) return { ok: false, reason: `${outcome.reason}; the helper exited with ${run.status}: ${run.stderr.trim()}` };
  return outcome;
}
