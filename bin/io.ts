/**
 * The CLI's edge: reading scenario files, writing outputs atomically (a temporary name
 * renamed on success, so a failed run never leaves a half-written file), colours.
 */
import { closeSync, existsSync, openSync, readFileSync, readdirSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { dirname, join, normalize, relative, resolve as resolvePath } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ScenarioError } from '../engine/core/errors.js';
import type { Span } from '../dsl/ast.js';
import type { SourceFile } from '../dsl/compile/index.js';
import { locationOf } from '../dsl/compile/values.js';

export const PACKAGE_ROOT = resolvePath(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BUNDLED_SCENARIOS = join(PACKAGE_ROOT, 'scenarios');

/** A path as the user should see it: relative to the working directory when inside it. */
export function displayPath(path: string): string {
  const rel = relative(process.cwd(), resolvePath(path));
  return rel.startsWith('..') ? resolvePath(path) : normalize(rel);
}

export function readText(path: string, from: Span | null = null): string {
  try {
    if (statSync(path).isDirectory()) throw new ScenarioError('E_READ', `${displayPath(path)} is a directory, not a file`, from === null ? null : locationOf(from));
    return readFileSync(path, 'utf8');
  } catch (error) {
    if (error instanceof ScenarioError) throw error;
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
    throw new ScenarioError('E_READ', `cannot read ${displayPath(path)}: ${reason}`, from === null ? null : locationOf(from));
  }
}

/** Reads a scenario or an import; imports are relative to the importing file. */
export function sourceReader(): (path: string, from: Span | null) => SourceFile {
  return (path, from) => {
    const full = from === null ? path : join(dirname(from.source), path);
    const file = displayPath(full);
    return { file, text: readText(full, from) };
  };
}

/** Writes through a temporary file in the same directory, renamed when complete. */
export class AtomicWriter {
  private readonly temporary: string;
  private fd: number | null;

  constructor(readonly path: string) {
    this.temporary = join(dirname(path), `.${process.pid}.${Date.now()}.tmp`);
    try {
      this.fd = openSync(this.temporary, 'w');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const reason = code === 'ENOENT' ? `the directory ${displayPath(dirname(path))} does not exist` : code === 'EACCES' ? 'permission denied' : code ?? 'unknown error';
      throw new ScenarioError('E_WRITE', `cannot write ${displayPath(path)}: ${reason}`);
    }
  }

  write(text: string): void {
    if (this.fd !== null) writeSync(this.fd, text);
  }

  commit(): void {
    if (this.fd === null) return;
    closeSync(this.fd);
    this.fd = null;
    renameSync(this.temporary, this.path);
  }

  abort(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
    if (existsSync(this.temporary)) unlinkSync(this.temporary);
  }
}

export function writeAtomically(path: string, text: string): void {
  const writer = new AtomicWriter(path);
  try {
    writer.write(text);
    writer.commit();
  } catch (error) {
    writer.abort();
    throw error;
  }
}

/** Every .isl file below a directory, in sorted path order (not the file system's order). */
export function scenarioFilesIn(directory: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    const names = readdirSync(dir).sort();
    for (const name of names) {
      const full = join(dir, name);
      if (statSync(full).isDirectory()) {
        if (name !== 'common') walk(full);
      } else if (name.endsWith('.isl')) out.push(full);
    }
  };
  walk(directory);
  return out;
}

export interface Style {
  readonly color: boolean;
  red(text: string): string;
  green(text: string): string;
  yellow(text: string): string;
  dim(text: string): string;
  bold(text: string): string;
}

export function styleFor(stream: NodeJS.WriteStream): Style {
  const color = stream.isTTY === true && process.env.NO_COLOR === undefined && process.env.TERM !== 'dumb';
  const wrap = (code: string) => (text: string) => (color ? `\x1b[${code}m${text}\x1b[0m` : text);
  return { color, red: wrap('31'), green: wrap('32'), yellow: wrap('33'), dim: wrap('2'), bold: wrap('1') };
}
