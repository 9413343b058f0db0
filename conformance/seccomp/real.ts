/**
 * The real side of the seccomp conformance: builds probe-helper.c against libseccomp
 * (once per source version, into a private directory under the OS temporary directory),
 * resolves a profile for one container with this suite's own reading of Docker's rules
 * (docker-profile.ts), and runs the helper once per probe group in a fresh temporary
 * working directory that is removed afterwards. The helper forks one child per probe.
 *
 * Whatever the machine cannot do becomes a reason the tests report as skipped: not Linux
 * or not x86-64, not root, no gcc, no libseccomp-dev, a kernel without seccomp filters or
 * without int 0x80 (then only the i386 probes are skipped).
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { release, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BpfInstruction, BpfProgram } from '../../engine/kernel/seccomp/bpf/types.js';
import { filterSpecLines, kernelVersionOf, libseccompFilterOf } from './docker-profile.js';
import type { Probe, ProbeGroup } from './probes.js';
import { verdictOfReport, type Verdict } from './verdict.js';

export const HELPER_SOURCE = join(dirname(fileURLToPath(import.meta.url)), 'probe-helper.c');
export const REPOSITORY_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const GROUP_TIMEOUT_MS = 120_000;

export type Available<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: string };

export interface SeccompMachine {
  readonly helper: string;
  readonly libseccompVersion: string;
  /** Null when int 0x80 works (IA32 emulation), else why i386 probes cannot run. */
  readonly i386Refusal: string | null;
}

/** What the kernel said about one probe. */
export interface RealProbe {
  readonly verdict: Verdict;
  /** libseccomp's number for the probe's name on its ABI (-1: unknown to it); null for raw numbers. */
  readonly resolved: number | null;
}

export interface RealGroup {
  readonly libseccompVersion: string;
  /** The program libseccomp generated and the children loaded. */
  readonly program: BpfProgram;
  /** Rule names libseccomp could not resolve (runc skips those rules). */
  readonly unknownRuleNames: readonly string[];
  readonly probes: ReadonlyMap<string, RealProbe>;
}

/** A directory under the temporary directory that only we can write, as conformance/real.ts does. */
function cacheDirectory(wanted: string): string {
  mkdirSync(wanted, { recursive: true, mode: 0o700 });
  const info = lstatSync(wanted);
  const ours = info.isDirectory() && (typeof process.getuid !== 'function' || info.uid === process.getuid()) && (info.mode & 0o022) === 0;
  return ours ? wanted : mkdtempSync(`${wanted}-`);
}

/** -mno-red-zone: the int 0x80 stub pushes rbp below the stack pointer of a leaf function. */
function buildHelper(): Available<string> {
  if (process.platform !== 'linux') return { ok: false, reason: `the real side needs Linux; this is ${process.platform}` };
  const gcc = spawnSync('gcc', ['--version'], { encoding: 'utf8' });
  if (gcc.error !== undefined || gcc.status !== 0) return { ok: false, reason: 'gcc is not installed, so the seccomp probe helper cannot be built' };
  const digest = createHash('sha256').update(readFileSync(HELPER_SOURCE)).digest('hex').slice(0, 16);
  const path = join(cacheDirectory(join(tmpdir(), `isolab-seccomp-${digest}`)), 'seccomp-probe');
  if (existsSync(path)) return { ok: true, value: path };
  const partial = `${path}.${process.pid}.partial`;
  const built = spawnSync('gcc', ['-O1', '-Wall', '-mno-red-zone', '-o', partial, HELPER_SOURCE, '-lseccomp'], { encoding: 'utf8' });
  if (built.status !== 0) {
    rmSync(partial, { force: true });
    const complaint = (built.stderr || built.error?.message || `gcc exited with ${built.status}`).trim();
    if (/seccomp\.h|-lseccomp/.test(complaint)) return { ok: false, reason: `libseccomp-dev is not installed (apt install libseccomp-dev): ${complaint.split('\n')[0]}` };
    return { ok: false, reason: `gcc could not build the seccomp probe helper: ${complaint}` };
  }
  renameSync(partial, path);
  return { ok: true, value: path };
}

function jsonLines(stdout: string): Record<string, unknown>[] {
  return stdout
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** Runs the helper in a fresh temporary directory (its working directory), then removes it. */
function runInTemporaryDirectory(helper: string, args: readonly string[], input: string): { lines: Record<string, unknown>[]; status: number | null; stderr: string } {
  const directory = mkdtempSync(join(tmpdir(), 'isolab-seccomp-'));
  try {
    const run = spawnSync(helper, args, { cwd: directory, input, encoding: 'utf8', timeout: GROUP_TIMEOUT_MS, killSignal: 'SIGKILL', maxBuffer: 256 * 1024 * 1024 });
    return { lines: jsonLines(run.stdout ?? ''), status: run.status, stderr: (run.stderr ?? '') + (run.error?.message ?? '') };
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

/** Builds the helper and checks the probe filter answers errno 4093 on both ABIs. */
export function probeSeccompMachine(): Available<SeccompMachine> {
  if (process.arch !== 'x64') return { ok: false, reason: `the probes are x86-64 system calls; this machine is ${process.arch}` };
  if (typeof process.getuid === 'function' && process.getuid() !== 0) return { ok: false, reason: 'the conformance suite runs as root; this user is not root' };
  const helper = buildHelper();
  if (!helper.ok) return helper;
  const check = runInTemporaryDirectory(helper.value, ['--check'], '');
  const line = check.lines.find((candidate) => candidate.event === 'check');
  if (line === undefined) return { ok: false, reason: `the seccomp probe helper failed its check: ${check.stderr.trim() || `exit ${check.status}`}` };
  const x8664 = verdictOfReport(line.x86_64 as Record<string, unknown>);
  if (x8664 !== 'allow') return { ok: false, reason: `this kernel cannot stack seccomp filters as the probes need (getppid under the probe filter alone gave: ${x8664})` };
  const i386 = verdictOfReport(line.i386 as Record<string, unknown>);
  const i386Refusal = i386 === 'allow' ? null : `int 0x80 does not reach seccomp on this kernel (IA32 emulation off?): getpid through int 0x80 gave ${i386}`;
  const version = runInTemporaryDirectory(helper.value, [], '').lines.find((candidate) => candidate.event === 'libseccomp');
  return { ok: true, value: { helper: helper.value, libseccompVersion: String(version?.version ?? 'unknown'), i386Refusal } };
}

/** struct sock_filter, 8 bytes little-endian: u16 code, u8 jt, u8 jf, u32 k. */
export function programOfHex(hexText: string): BpfProgram {
  const bytes = Buffer.from(hexText, 'hex');
  const program: BpfInstruction[] = [];
  for (let offset = 0; offset + 8 <= bytes.length; offset += 8) {
    program.push({ code: bytes.readUInt16LE(offset), jt: bytes.readUInt8(offset + 2), jf: bytes.readUInt8(offset + 3), k: bytes.readUInt32LE(offset + 4) });
  }
  return program;
}

function probeSpecLine(probe: Probe): string {
  return ['probe', probe.id, probe.abi, probe.name, probe.nr.toString(16), ...probe.args.map((arg) => arg.toString(16))].join(' ');
}

/** The group's filter and the kernel's verdict on each of its probes (i386 ones left out when refused). */
export function runRealGroup(group: ProbeGroup, machine: SeccompMachine): Available<RealGroup> {
  const profileText = readFileSync(join(REPOSITORY_ROOT, group.profileFile), 'utf8');
  const filter = libseccompFilterOf(profileText, group.capSet.caps, kernelVersionOf(release()));
  const probes = group.probes.filter((probe) => probe.abi === 'x86_64' || machine.i386Refusal === null);
  const spec = [...filterSpecLines(filter), ...probes.map(probeSpecLine)].join('\n') + '\n';
  const run = runInTemporaryDirectory(machine.helper, [], spec);
  const error = run.lines.find((line) => line.event === 'error');
  if (error !== undefined) return { ok: false, reason: `the probe helper stopped at ${String(error.step)} (errno ${String(error.errno)})` };
  if (!run.lines.some((line) => line.event === 'done')) return { ok: false, reason: `the probe helper did not finish (exit ${run.status}): ${run.stderr.trim()}` };
  const failedRule = run.lines.find((line) => line.event === 'rule' && line.added === false && line.nr !== -1);
  if (failedRule !== undefined) return { ok: false, reason: `libseccomp refused the rule for ${String(failedRule.name)} (${String(failedRule.rc)})` };
  const program = programOfHex(String(run.lines.find((line) => line.event === 'program')?.hex ?? ''));
  const unknownRuleNames = run.lines.filter((line) => line.event === 'rule' && line.nr === -1).map((line) => String(line.name));
  const results = new Map<string, RealProbe>();
  for (const line of run.lines.filter((candidate) => candidate.event === 'probe')) {
    results.set(String(line.id), { verdict: verdictOfReport(line), resolved: typeof line.resolved === 'number' ? line.resolved : null });
  }
  const version = String(run.lines.find((line) => line.event === 'libseccomp')?.version ?? machine.libseccompVersion);
  return { ok: true, value: { libseccompVersion: version, program, unknownRuleNames: [...new Set(unknownRuleNames)], probes: results } };
}
