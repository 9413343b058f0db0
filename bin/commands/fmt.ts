/**
 * `isolab fmt FILE… [--write] [--check]`: prints the canonical text of each scenario;
 * --write rewrites the files (atomically), --check exits 1 when one is not canonical.
 */
import { ScenarioError } from '../../engine/core/errors.js';
import { formatScenario } from '../../dsl/format.js';
import { parseScenario } from '../../dsl/parse.js';
import { displayPath, readText, writeAtomically } from '../io.js';

export function fmtCommand(files: string[], options: { write?: boolean; check?: boolean }): number {
  if (options.write === true && options.check === true) {
    throw new ScenarioError('E_OPTION', 'use either --write (rewrite the files) or --check (report unformatted files), not both');
  }
  let unformatted = 0;
  for (const path of files) {
    const text = readText(path);
    const formatted = formatScenario(parseScenario(text, displayPath(path)));
    if (options.check === true) {
      if (formatted !== text) {
        unformatted++;
        process.stdout.write(`${displayPath(path)} is not formatted\n`);
      }
    } else if (options.write === true) {
      if (formatted !== text) writeAtomically(path, formatted);
    } else {
      process.stdout.write(formatted);
    }
  }
  return unformatted === 0 ? 0 : 1;
}
