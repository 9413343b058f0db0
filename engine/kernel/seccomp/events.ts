/**
 * seccomp's events. The kernel prints nothing when a filter decides; these say why, so a
 * trace shows every filter run (`seccomp.evaluated`), the combined verdict
 * (`seccomp.decided`) and how it was carried out (`seccomp.callSkipped`).
 */
import type { EventDraft } from '../../core/decider.js';
import type { BpfInstruction, SeccompData } from './bpf/types.js';
import type { SeccompAction } from './constants.js';

export const SECCOMP_PROGRAM_DEFINED = 'seccomp.programDefined';
export const SECCOMP_FILTER_ATTACHED = 'seccomp.filterAttached';
export const SECCOMP_STRICT_ENTERED = 'seccomp.strictEntered';
export const SECCOMP_EVALUATED = 'seccomp.evaluated';
export const SECCOMP_DECIDED = 'seccomp.decided';
export const SECCOMP_CALL_SKIPPED = 'seccomp.callSkipped';
export const SECCOMP_STRICT_VIOLATED = 'seccomp.strictViolated';

/** How a filter or strict mode was installed. */
export type InstallVia = 'seccomp' | 'prctl' | 'runtime';

export interface ProgramDefinedData {
  readonly name: string;
  readonly source: string;
  readonly program: readonly BpfInstruction[];
}

export interface FilterAttachedData {
  readonly pid: number;
  readonly filterId: number;
  readonly label: string;
  readonly program: readonly BpfInstruction[];
  readonly log: boolean;
  /** The listener's open file description (NEW_LISTENER), or null. */
  readonly listener: number | null;
  readonly via: InstallVia;
}

export interface StrictEnteredData {
  readonly pid: number;
  readonly via: InstallVia;
}

export interface EvaluatedData {
  readonly pid: number;
  /** The system call's name in its ABI's table (null for a number the table lacks). */
  readonly name: string | null;
  readonly filterId: number;
  readonly label: string;
  /** Instructions the interpreter executed. */
  readonly executed: number;
  /** The filter's 32-bit return value, "0x…". */
  readonly ret: string;
  readonly action: SeccompAction;
  readonly data: number;
}

/** struct seccomp_data as the filters saw it (64-bit values as "0x…"). */
export interface SeccompDataJson {
  readonly nr: number;
  readonly arch: string;
  readonly instructionPointer: string;
  readonly args: readonly string[];
}

export interface DecidedData {
  readonly pid: number;
  readonly name: string | null;
  readonly action: SeccompAction;
  readonly data: number;
  /** The filter whose result won (seccomp_run_filters' `match`), or null when all allowed. */
  readonly filterId: number | null;
  /** Whether the system call is skipped: its handler must not run. */
  readonly skips: boolean;
  readonly seccompData: SeccompDataJson;
}

export interface CallSkippedData {
  readonly pid: number;
  readonly action: SeccompAction;
}

export interface StrictViolatedData {
  readonly pid: number;
  readonly abi: string;
  readonly nr: number;
  readonly name: string | null;
}

const hex32 = (value: number) => '0x' + (value >>> 0).toString(16).padStart(8, '0');
const hex64 = (value: bigint) => '0x' + BigInt.asUintN(64, value).toString(16);

export function seccompDataJson(data: SeccompData): SeccompDataJson {
  return { nr: data.nr, arch: hex32(data.arch), instructionPointer: hex64(data.instructionPointer), args: data.args.map(hex64) };
}

const draft = <D>(type: string, actor: string, data: D): EventDraft<string, D> => ({ type, actor, data });

export const seccompEvents = {
  programDefined: (data: ProgramDefinedData) => draft(SECCOMP_PROGRAM_DEFINED, 'kernel', data),
  filterAttached: (actor: string, data: FilterAttachedData) => draft(SECCOMP_FILTER_ATTACHED, actor, data),
  strictEntered: (actor: string, data: StrictEnteredData) => draft(SECCOMP_STRICT_ENTERED, actor, data),
  evaluated: (actor: string, data: Omit<EvaluatedData, 'ret'> & { readonly ret: number }) => draft(SECCOMP_EVALUATED, actor, { ...data, ret: hex32(data.ret) }),
  decided: (actor: string, data: DecidedData) => draft(SECCOMP_DECIDED, actor, data),
  callSkipped: (actor: string, data: CallSkippedData) => draft(SECCOMP_CALL_SKIPPED, actor, data),
  strictViolated: (actor: string, data: StrictViolatedData) => draft(SECCOMP_STRICT_VIOLATED, actor, data),
};
