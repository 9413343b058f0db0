/**
 * Issue 7's benchmark: how fast a seccomp filter decides. The program is Docker's default
 * profile, resolved for an x86-64 host with Docker's default capabilities and compiled to
 * classic BPF as libseccomp would (engine/kernel/seccomp/profile). The workload is a fixed
 * mix of system calls: every x86-64 call once, the argument-conditioned ones (personality,
 * clone, socket) with several values, and unknown and i386 numbers.
 *
 * Measured: the program compiled to a JavaScript function (the fast path the kernel model
 * uses), the reference interpreter over the same program (the baseline: per-instruction
 * dispatch), and the direct profile evaluator (no BPF). Before timing, all three must
 * give the same return value on every call of the mix.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compileFilterWords, runFilterWords, seccompWords, type SeccompData } from '../../engine/kernel/seccomp/bpf/index.js';
import { compileProfile, evaluateProfile, parseProfile, resolveProfile } from '../../engine/kernel/seccomp/profile/index.js';
import { AUDIT_ARCH_I386, AUDIT_ARCH_X86_64 } from '../../engine/kernel/seccomp/constants.js';
import { syscallNames, syscallNumber } from '../../engine/kernel/syscalls.js';
import { DOCKER_DEFAULT_CAPS } from '../../dsl/compile/seccomp.js';
import { medianRun, type BenchContext, type Row, type Section, type SectionReport } from '../report.js';

const TARGET_BPF_PER_SECOND = 2_000_000;
const EVALUATIONS = 2_000_000;
const PROFILE = join(import.meta.dirname, '..', '..', '..', 'data', 'seccomp', 'docker-default.json');

function call(nr: number, args: readonly bigint[] = [], arch = AUDIT_ARCH_X86_64): SeccompData {
  return { nr, arch, instructionPointer: 0x401000n, args: [...args, 0n, 0n, 0n, 0n, 0n, 0n].slice(0, 6) };
}

function numberOf(name: string): number {
  const nr = syscallNumber('x86_64', name);
  if (nr === null) throw new Error(`bench: no x86-64 call ${name}`);
  return nr;
}

/** The mix: every x86-64 call, the argument-conditioned rules, unknown and i386 numbers. */
function workload(): SeccompData[] {
  const mix = syscallNames('x86_64').map((name) => call(numberOf(name)));
  for (const persona of [0x0n, 0x8n, 0x20000n, 0x20008n, 0xffffffffn, 0x400000n]) mix.push(call(numberOf('personality'), [persona]));
  for (const flags of [0x11n, 0x10000000n, 0x20000n, 0x3d0f00n]) mix.push(call(numberOf('clone'), [flags]));
  for (let family = 0n; family < 46n; family += 5n) mix.push(call(numberOf('socket'), [family, 1n, 0n]));
  for (const nr of [500, 1000, 0x40000001]) mix.push(call(nr));
  for (const nr of [1, 3, 5, 11, 102]) mix.push(call(nr, [], AUDIT_ARCH_I386));
  return mix;
}

interface Work {
  readonly evaluations: number;
  readonly checksum: number;
}

function loop(count: number, mixSize: number, evaluate: (index: number) => number): Work {
  let checksum = 0;
  for (let i = 0; i < count; i++) checksum = (checksum + evaluate(i % mixSize)) | 0;
  return { evaluations: count, checksum };
}

function row(measurement: string, timed: { seconds: number; result: Work }, target: number | null, baselineSeconds: number | null): Row {
  const perSecond = timed.result.evaluations / timed.seconds;
  const speedup = baselineSeconds === null ? '' : ` (${(baselineSeconds / timed.seconds).toFixed(1)}× the interpreter)`;
  return {
    measurement,
    events: null,
    accesses: null,
    seconds: timed.seconds,
    figure: `${Math.round(perSecond).toLocaleString('en-US')} evaluations/s${speedup}`,
    target: target === null ? '' : `≥ ${target.toLocaleString('en-US')}/s`,
    verdict: target === null ? 'info' : perSecond >= target ? 'PASS' : 'MISS',
  };
}

function runSeccomp(context: BenchContext): SectionReport {
  const resolved = resolveProfile(parseProfile(readFileSync(PROFILE, 'utf8'), 'data/seccomp/docker-default.json'), { arch: 'x86_64', caps: DOCKER_DEFAULT_CAPS });
  const program = compileProfile(resolved);
  const mix = workload();
  const words = mix.map(seccompWords);
  const compiled = compileFilterWords(program);
  for (const [index, data] of mix.entries()) {
    const direct = evaluateProfile(resolved, { arch: data.arch, nr: data.nr, args: data.args });
    const interpreted = runFilterWords(program, words[index]!).ret;
    const fast = compiled(words[index]!);
    if (direct !== interpreted || fast !== interpreted) {
      throw new Error(`bench: evaluators disagree on nr ${data.nr}: direct ${direct}, interpreter ${interpreted}, compiled ${fast}`);
    }
  }
  const repeats = context.repeats;
  context.log('seccomp: interpreter (baseline)');
  const interpreter = medianRun(repeats, () => null, () => loop(EVALUATIONS / 4, mix.length, (i) => runFilterWords(program, words[i]!).ret));
  const perInterpreted = interpreter.seconds / interpreter.result.evaluations;
  context.log('seccomp: compiled program');
  const fast = medianRun(repeats, () => null, () => loop(EVALUATIONS, mix.length, (i) => compiled(words[i]!)));
  context.log('seccomp: compiled program, seccomp_data split per call');
  const withSplit = medianRun(repeats, () => null, () => loop(EVALUATIONS / 4, mix.length, (i) => compiled(seccompWords(mix[i]!))));
  context.log('seccomp: direct profile evaluation');
  const direct = medianRun(repeats, () => null, () => loop(EVALUATIONS / 10, mix.length, (i) => evaluateProfile(resolved, { arch: mix[i]!.arch, nr: mix[i]!.nr, args: mix[i]!.args })));
  const scaled = (timed: { seconds: number; result: Work }): number => perInterpreted * timed.result.evaluations;
  return {
    title: 'seccomp filters (issue 7)',
    description: [
      `docker-default.json for an x86-64 host with Docker's default capabilities: ${program.length} cBPF instructions.`,
      `Mix of ${mix.length} calls (every x86-64 call, personality/clone/socket arguments, unknown and i386 numbers), cycled; median of ${repeats} run(s).`,
    ],
    rows: [
      row('interpreter (reference, per-instruction dispatch)', interpreter, null, null),
      row('compiled to a JavaScript function', fast, TARGET_BPF_PER_SECOND, scaled(fast)),
      row('compiled, splitting seccomp_data into words per call', withSplit, null, scaled(withSplit)),
      row('direct profile evaluation (no BPF)', direct, null, scaled(direct)),
    ],
    notes: [
      'Cross-check before timing: compiled function, interpreter and direct evaluation give the same return value on every call of the mix.',
      'The kernel model builds the 16 words of seccomp_data once per system call and runs every attached filter over them.',
    ],
  };
}

export const seccompSection: Section = { name: 'seccomp', run: runSeccomp };
