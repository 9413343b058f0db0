/**
 * Reads a trace: parses each line, checks the hash chain, the line kinds and their
 * order, and the event numbering. Any defect is a TraceError naming the first bad line.
 */
import { ScenarioError } from '../core/errors.js';
import { GENESIS_HASH, TRACE_FORMAT, TRACE_VERSION, type TraceEventLine, type TraceFooter, type TraceHeader } from './format.js';
import { chainHash, lineBody } from './writer.js';

export class TraceError extends ScenarioError {
  constructor(
    readonly file: string,
    readonly lineNumber: number,
    message: string,
    notes: readonly string[] = [],
  ) {
    super('E_TRACE', message, { file, line: lineNumber, column: 1, length: 1 }, notes);
  }
}

export interface ParsedTrace {
  readonly header: TraceHeader;
  readonly events: readonly TraceEventLine[];
  readonly footer: TraceFooter;
  /** Line number (1-based) of each event, for messages. */
  readonly eventLines: readonly number[];
}

function parseLine(text: string, file: string, lineNumber: number): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new TraceError(file, lineNumber, `line ${lineNumber} is not valid JSON (the trace is corrupted or truncated)`, [
      `it starts: ${JSON.stringify(text.slice(0, 60))}`,
    ]);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new TraceError(file, lineNumber, `line ${lineNumber} is not a JSON object`);
  }
  return value as Record<string, unknown>;
}

export function readTrace(text: string, file: string): ParsedTrace {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  if (lines.length === 0) throw new TraceError(file, 1, 'the trace is empty');
  let previous = GENESIS_HASH;
  let header: TraceHeader | null = null;
  let footer: TraceFooter | null = null;
  const events: TraceEventLine[] = [];
  const eventLines: number[] = [];
  for (let i = 0; i < lines.length; i++) {
    const lineNumber = i + 1;
    const record = parseLine(lines[i]!, file, lineNumber);
    const { hash, ...rest } = record;
    if (typeof hash !== 'string') throw new TraceError(file, lineNumber, `line ${lineNumber} has no hash`);
    let body: string;
    try {
      body = lineBody(rest);
    } catch {
      throw new TraceError(file, lineNumber, `line ${lineNumber} holds a value no trace contains (a number out of range?): it was altered`);
    }
    const expected = chainHash(previous, body);
    if (expected !== hash) {
      throw new TraceError(file, lineNumber, `line ${lineNumber} fails its hash check: it was altered, or a line before it was removed, added or moved`, [
        `recorded ${hash.slice(0, 16)}…, computed ${expected.slice(0, 16)}…`,
      ]);
    }
    previous = hash;
    if (footer !== null) throw new TraceError(file, lineNumber, `line ${lineNumber} comes after the footer`);
    const kind = rest.kind;
    if (i === 0) {
      if (kind !== 'header' || rest.format !== TRACE_FORMAT) throw new TraceError(file, 1, `line 1 is not an ${TRACE_FORMAT} header`);
      if (rest.version !== TRACE_VERSION) {
        throw new TraceError(file, 1, `trace format version ${String(rest.version)} is not supported (this isolab reads version ${TRACE_VERSION})`);
      }
      header = rest as unknown as TraceHeader;
    } else if (kind === 'event') {
      const event = rest as unknown as TraceEventLine;
      if (event.seq !== events.length) {
        throw new TraceError(file, lineNumber, `line ${lineNumber} holds event ${String(event.seq)}, expected event ${events.length}`);
      }
      events.push(event);
      eventLines.push(lineNumber);
    } else if (kind === 'footer') {
      footer = rest as unknown as TraceFooter;
    } else {
      throw new TraceError(file, lineNumber, `line ${lineNumber} has an unknown kind ${JSON.stringify(kind)}`);
    }
  }
  if (footer === null) {
    throw new TraceError(file, lines.length, `the trace is truncated: no footer after line ${lines.length}`, [
      'the run was interrupted, or the file was cut short',
    ]);
  }
  if (footer.events !== events.length) {
    throw new TraceError(file, lines.length, `the footer counts ${footer.events} events but the trace holds ${events.length}`);
  }
  return { header: header!, events, footer, eventLines };
}
