#!/usr/bin/env node
/**
 * The isolab command line: parses arguments (commander) and calls the library. Exit
 * codes: 0 everything held, 1 an expectation, assertion or invariant failed, 2 bad
 * input (unreadable file, syntax or semantic error, corrupt trace, unknown option,
 * a run over its limits). Bad input is printed as a located message, never a stack.
 */
import { Command, CommanderError, Option } from 'commander';
import { statSync } from 'node:fs';
import { ScenarioError } from '../engine/core/errors.js';
import { ENGINE_VERSION } from '../engine/core/version.js';
import { renderError } from '../dsl/render-error.js';
import { checkCommand } from './commands/check.js';
import { diffCommand } from './commands/diff.js';
import { exploreCommand } from './commands/explore.js';
import { exportCommand } from './commands/export.js';
import { fmtCommand } from './commands/fmt.js';
import { listCommand } from './commands/list.js';
import { replayCommand } from './commands/replay.js';
import { reportCommand } from './commands/report.js';
import { runCommand } from './commands/run.js';
import { seccompCompileCommand, seccompDisasmCommand, seccompEvalCommand, seccompExplainCommand } from './commands/seccomp.js';
import { translateCommand } from './commands/translate.js';
import { readText, styleFor } from './io.js';

const EXIT_BAD_INPUT = 2;

function sourceFor(error: ScenarioError): string | null {
  const file = error.location?.file;
  if (file === undefined) return null;
  try {
    if (statSync(file).size > 64 * 1024 * 1024) return null;
    return readText(file);
  } catch {
    return null;
  }
}

function report(error: unknown): number {
  if (error instanceof ScenarioError) {
    // A trace's lines are long JSON; the message and notes locate the problem well enough.
    const source = error.code === 'E_TRACE' ? null : sourceFor(error);
    process.stderr.write(renderError(error, source, { color: styleFor(process.stderr).color }) + '\n');
    return EXIT_BAD_INPUT;
  }
  if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : EXIT_BAD_INPUT;
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`isolab: internal error: ${message}\n  please report it with the scenario and the command you ran\n`);
  if (process.env.ISOLAB_DEBUG !== undefined && error instanceof Error) process.stderr.write(`${error.stack}\n`);
  return 3;
}

function action<A extends unknown[]>(handler: (...args: A) => number | Promise<number>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    process.exitCode = await handler(...args);
  };
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('isolab')
    .description('A deterministic, event-sourced simulator of the isolation mechanisms platform security rests on.')
    .version(ENGINE_VERSION)
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({ writeErr: (text) => process.stderr.write(text.replace(/^error: /, 'error[E_OPTION]: ')) });

  program
    .command('run')
    .description('run scenarios: every variant combination, each step with its outcome, then a verdict table')
    .argument('[files...]', 'scenario files (.isl)')
    .option('--all', 'also run every bundled scenario (scenarios/)')
    .option('--seed <n>', "override the scenario's seed")
    .option('--variant <name=value>', 'fix a variant (repeatable); the others still expand', collect)
    .option('--trace <out>', 'write a trace: a file for one run, else a directory with one trace per run')
    .option('--json', 'machine-readable output')
    .option('--quiet', 'print only the verdict table')
    .addOption(new Option('--max-events <n>', 'stop a run after this many events (default 5,000,000)'))
    .addOption(new Option('--max-commands <n>', 'stop a run after this many commands (default 5,000,000)'))
    .option('--matrix <file>', 'run every variant combination of a scenario and diff each against the first')
    .option('--report <out>', 'write HTML reports: a file for one scenario, else a directory with one report per scenario and an index.html')
    .exitOverride()
    .action(action(runCommand));

  program
    .command('replay')
    .description('fold a trace, checking its hash chain and every recorded state; --rerun executes the embedded scenario again')
    .argument('<trace>', 'a trace written by isolab run --trace')
    .option('--rerun', 'run the embedded scenario again and compare event by event')
    .option('--json', 'machine-readable output')
    .exitOverride()
    .action(action(replayCommand));

  program
    .command('diff')
    .description('compare two traces: the first divergence, the events changed per actor, and the verdicts, leaks and faults that differ')
    .argument('<a>', 'the reference trace (A)')
    .argument('<b>', 'the trace to compare with it (B)')
    .option('--json', 'machine-readable output')
    .exitOverride()
    .action(action(diffCommand));

  program
    .command('export')
    .description('convert a trace for another tool: --format chrome writes Chrome Trace Event JSON for Perfetto or chrome://tracing')
    .argument('<trace>', 'a trace written by isolab run --trace')
    .requiredOption('--format <format>', 'the output format: chrome')
    .option('-o, --output <out>', 'write to this file (atomically) instead of stdout')
    .exitOverride()
    .action(action(exportCommand));

  program
    .command('report')
    .description('write one self-contained HTML report of traces: summary, timeline with the state at every event, diff of two runs, variant matrix')
    .argument('<traces...>', 'traces written by isolab run --trace')
    .requiredOption('-o, --output <file>', 'the HTML file to write')
    .option('--title <text>', "the report's title (default: the scenarios' titles)")
    .option('--json', 'machine-readable output')
    .exitOverride()
    .action(action(reportCommand));

  program
    .command('check')
    .description('search for an attack: random steps by the scenario\'s attackers, every invariant checked after every event; a violation is shrunk and printed as a scenario')
    .argument('[files...]', 'a world scenario (or, with --merge, the JSON results of shards)')
    .option('--runs <n>', 'how many random attacks to try (default 1000)')
    .option('--seed <n>', 'the search seed (default 1); run i draws from a seed split from it')
    .option('--max-steps <n>', 'steps per attack (default 30)')
    .option('--variant <name=value>', 'fix a variant (repeatable); the others still expand', collect)
    .option('--workers <n>', 'worker threads (results are the same for any number)')
    .option('--shard <i/n>', 'run only slice i of n of the runs (for CI matrices); merge with --merge')
    .option('--merge', 'combine the --json results of shards given as files')
    .option('--out <file>', 'write the counterexample scenario to this file')
    .option('--junit <file>', 'write JUnit XML for CI systems')
    .option('--json', 'machine-readable output')
    .exitOverride()
    .action(action(checkCommand));

  program
    .command('explore')
    .description('run every interleaving of the processes\' steps (partial-order reduced) and report those that break an expectation or invariant')
    .argument('<file>', 'a scenario whose processes each have their steps')
    .option('--max-interleavings <n>', 'stop after this many complete interleavings (default 10,000)')
    .option('--variant <name=value>', 'fix a variant (repeatable); the others still expand', collect)
    .option('--all', 'count every violating interleaving instead of stopping at the first')
    .option('--out <file>', 'write the first violating interleaving as a scenario')
    .option('--trace <file>', 'write the trace of the first violating interleaving')
    .option('--json', 'machine-readable output')
    .exitOverride()
    .action(action(exploreCommand));

  program
    .command('translate')
    .description('show the page-table index at each level and the offset of a virtual address')
    .argument('<vaddr>', 'a virtual address, 0x… or decimal')
    .option('--paging <mode>', 'paging mode: 4-level, 5-level, 2-level, ostep-15', '4-level')
    .option('--json', 'machine-readable output')
    .exitOverride()
    .action(action(translateCommand));

  program
    .command('fmt')
    .description('print scenarios in canonical form')
    .argument('<files...>', 'scenario files')
    .option('--write', 'rewrite the files in place')
    .option('--check', 'exit 1 if a file is not in canonical form')
    .exitOverride()
    .action(action(fmtCommand));

  const seccomp = program
    .command('seccomp')
    .description('question a Docker/OCI seccomp profile: evaluate a call, compile it to classic BPF, list a BPF program, summarise it')
    .exitOverride();
  seccomp
    .command('eval')
    .description('the action a profile gives one system call, the rule that decided, checked against the compiled filter')
    .requiredOption('--profile <file>', 'a Docker seccomp profile, an OCI linux.seccomp object or a runtime config.json')
    .requiredOption('--syscall <name|nr>', "the call: a name from the ABI's kernel table, or a number")
    .option('--args <a0,a1,...>', 'up to six argument values, decimal or 0x…, negative as two\'s complement')
    .option('--caps <CAP_A,CAP_B>', "the container's bounding set, for includes/excludes (default: none)")
    .option('--arch <abi>', 'the ABI of the call: x86_64, i386 (int 0x80) or x32', 'x86_64')
    .option('--machine <arch>', 'the machine the container runs on: x86_64 or i386', 'x86_64')
    .option('--kernel <version>', 'the kernel version for minKernel (default 6.1)')
    .option('--json', 'machine-readable output')
    .exitOverride()
    .action(action(seccompEvalCommand));
  seccomp
    .command('compile')
    .description('compile a profile to the classic-BPF filter libseccomp would load, as JSON {code, jt, jf, k}')
    .argument('<profile>', 'a Docker seccomp profile, an OCI linux.seccomp object or a runtime config.json')
    .option('--caps <CAP_A,CAP_B>', "the container's bounding set, for includes/excludes (default: none)")
    .option('--arch <arch>', 'the machine the container runs on: x86_64 or i386', 'x86_64')
    .option('--kernel <version>', 'the kernel version for minKernel (default 6.1)')
    .option('-o, --output <file>', 'write the program to this file (atomically) instead of stdout')
    .exitOverride()
    .action(action(seccompCompileCommand));
  seccomp
    .command('disasm')
    .description('list a classic-BPF program (JSON {code, jt, jf, k}) as readable pseudo-code, after the kernel\'s load-time checks')
    .argument('<program>', 'a program written by isolab seccomp compile')
    .exitOverride()
    .action(action(seccompDisasmCommand));
  seccomp
    .command('explain')
    .description('summarise a profile: the calls it allows, denies, and decides by their arguments, per ABI')
    .argument('<profile>', 'a Docker seccomp profile, an OCI linux.seccomp object or a runtime config.json')
    .option('--caps <CAP_A,CAP_B>', "the container's bounding set, for includes/excludes (default: none)")
    .option('--arch <arch>', 'the machine the container runs on: x86_64 or i386', 'x86_64')
    .option('--kernel <version>', 'the kernel version for minKernel (default 6.1)')
    .option('--json', 'machine-readable output')
    .exitOverride()
    .action(action(seccompExplainCommand));

  program
    .command('list')
    .description('list what isolab knows: scenarios (bundled), invariants, or syscalls (the simulated calls)')
    .argument('<what>', 'scenarios | invariants | syscalls')
    .option('--json', 'machine-readable output')
    .exitOverride()
    .action(action(listCommand));

  return program;
}

export async function main(argv: readonly string[]): Promise<void> {
  try {
    await buildProgram().parseAsync(argv as string[], { from: 'user' });
  } catch (error) {
    process.exitCode = report(error);
  }
}

// A reader that stops early (`isolab list syscalls | head`) closes the pipe: that is
// the reader's choice, not an error worth a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}

await main(process.argv.slice(2));
