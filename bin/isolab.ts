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
import { fmtCommand } from './commands/fmt.js';
import { listCommand } from './commands/list.js';
import { replayCommand } from './commands/replay.js';
import { runCommand } from './commands/run.js';
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

function action<A extends unknown[]>(handler: (...args: A) => number): (...args: A) => void {
  return (...args: A) => {
    process.exitCode = handler(...args);
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

  program
    .command('list')
    .description('list what isolab knows: scenarios (bundled) or invariants')
    .argument('<what>', 'scenarios | invariants')
    .option('--json', 'machine-readable output')
    .exitOverride()
    .action(action(listCommand));

  return program;
}

export function main(argv: readonly string[]): void {
  try {
    buildProgram().parse(argv as string[], { from: 'user' });
  } catch (error) {
    process.exitCode = report(error);
  }
}

main(process.argv.slice(2));
