/**
 * The trace format, version 1 (docs/trace-format.md): JSON Lines; a header, one line per
 * event, a footer. Every line is canonical JSON with a `hash` field: SHA-256 of the
 * previous line's hash followed by the canonical JSON of this line without its hash.
 * The chain locates truncation, reordering and flipped bytes at the first bad line.
 */
import type { CpuFeatures } from '../hw/cpu/state.js';
import type { MachineConfig } from '../machine/config.js';
import type { Verdict, Violation, Failure } from '../scenario/state.js';

export const TRACE_FORMAT = 'isolab-trace';
export const TRACE_VERSION = 1;
/** The chain starts from this value, so the header's hash covers the format name too. */
export const GENESIS_HASH = '0'.repeat(64);

export interface SourceFileRecord {
  readonly file: string;
  readonly text: string;
}

export interface TraceHeader {
  readonly kind: 'header';
  readonly format: typeof TRACE_FORMAT;
  readonly version: number;
  readonly engine: string;
  readonly scenario: {
    readonly file: string;
    readonly title: string;
    /** SHA-256 of the main file's text. */
    readonly sourceSha256: string;
    /** The main file and every import, so a trace can be re-run without the files. */
    readonly files: readonly SourceFileRecord[];
  };
  readonly seed: number;
  readonly variant: Readonly<Record<string, string>>;
  readonly config: MachineConfig;
  readonly features: CpuFeatures;
  readonly invariants: readonly string[];
}

export interface TraceEventLine {
  readonly kind: 'event';
  readonly seq: number;
  readonly tick: number;
  readonly type: string;
  readonly actor: string;
  readonly data: unknown;
  readonly cause: number | null;
  /** SHA-256 of the state after this event; present on `scenario.stepChecked` lines. */
  readonly state?: string;
}

export interface TraceFooter {
  readonly kind: 'footer';
  readonly events: number;
  readonly finalStateHash: string;
  readonly passed: boolean;
  readonly steps: number;
  readonly expectations: number;
  readonly failures: readonly Failure[];
  readonly assertions: readonly Verdict[];
  readonly violations: readonly Violation[];
}

export type TraceLine = TraceHeader | TraceEventLine | TraceFooter;
