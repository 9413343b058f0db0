/** `isolab list scenarios|invariants|syscalls`: what the tool knows about. */
import { ScenarioError } from '../../engine/core/errors.js';
import { INVARIANTS } from '../../engine/machine/invariants.js';
import { loadScenario, compileScenario, variantAxes, variantMatrix } from '../../dsl/compile/index.js';
import { nearest } from '../../dsl/suggest.js';
import { BUNDLED_SCENARIOS, displayPath, scenarioFilesIn, sourceReader, styleFor } from '../io.js';
import { table } from './run.js';
import { syscallNumber } from '../../engine/kernel/syscalls.js';
import { SYSCALL_HANDLERS } from '../../engine/kernel/syscall/registry.js';
import { SIGNATURES } from '../../engine/kernel/syscall/signatures.js';

const WHAT = ['scenarios', 'invariants', 'syscalls'] as const;

/** The simulated calls with their numbers in both ABIs (null: not in that table). */
function syscallRows(): { name: string; x86_64: number | null; i386: number | null; synopsis: string }[] {
  return Object.keys(SYSCALL_HANDLERS)
    .sort()
    .map((name) => ({ name, x86_64: syscallNumber('x86_64', name), i386: syscallNumber('i386', name), synopsis: SIGNATURES[name]?.synopsis ?? `${name}()` }));
}

export function listCommand(what: string, options: { json?: boolean }): number {
  const style = styleFor(process.stdout);
  if (what === 'invariants') {
    if (options.json === true) {
      process.stdout.write(JSON.stringify(INVARIANTS.map(({ name, statement, defence }) => ({ name, statement, defence })), null, 2) + '\n');
    } else {
      for (const invariant of INVARIANTS) {
        process.stdout.write(`${style.bold(invariant.name)}\n  ${invariant.statement}\n  ${style.dim('defence: ' + invariant.defence)}\n`);
      }
    }
    return 0;
  }
  if (what === 'syscalls') {
    const rows = syscallRows();
    if (options.json === true) process.stdout.write(JSON.stringify(rows, null, 2) + '\n');
    else {
      const cell = (n: number | null): string => (n === null ? '—' : String(n));
      process.stdout.write(table([['call', 'x86_64', 'i386', 'synopsis'], ...rows.map((r) => [r.name, cell(r.x86_64), cell(r.i386), r.synopsis])], style).join('\n') + '\n');
      process.stdout.write(style.dim(`${rows.length} calls simulated; any other call in the tables returns -ENOSYS and the trace says so.`) + '\n');
    }
    return 0;
  }
  if (what === 'scenarios') {
    const rows = scenarioFilesIn(BUNDLED_SCENARIOS).map((path) => {
      const loaded = loadScenario(displayPath(path), sourceReader());
      const axes = variantAxes(loaded);
      const plan = compileScenario(loaded, variantMatrix(axes)[0]!);
      const teaches = loaded.statements.find((s) => s.kind === 'teaches');
      const concepts = teaches?.kind === 'teaches' ? teaches.concepts.map((c) => c.text).join(', ') : '';
      return { file: displayPath(path), title: plan.title, concepts, variants: axes.map((a) => `${a.name}: ${a.values.join('|')}`).join('; ') };
    });
    if (options.json === true) process.stdout.write(JSON.stringify(rows, null, 2) + '\n');
    else process.stdout.write(table([['file', 'title', 'concepts', 'variants'], ...rows.map((r) => [r.file, r.title, r.concepts, r.variants])], style).join('\n') + '\n');
    return 0;
  }
  const suggestion = nearest(what, WHAT);
  throw new ScenarioError('E_OPTION', `isolab list takes ${WHAT.join(', ')}, not "${what}"`, null, suggestion === null ? [] : [`did you mean "${suggestion}"?`]);
}
