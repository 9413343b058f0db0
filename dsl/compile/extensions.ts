/**
 * Where the kernel's optional mechanisms plug into the language without new grammar:
 * top-level settings (`seccomp NAME { … }`, `filter NAME from "prog.bpf"`, `sandbox NAME
 * { … }`…) and process properties (`seccomp: NAME`, `monitor: NAME`, `sandbox: NAME`).
 * Each mechanism's compiler file owns its entries; this file only gathers them.
 */
import type { Command } from '../../engine/core/decider.js';
import type { Property, SettingStatement } from '../ast.js';
import type { Bindings } from './values.js';
import type { LoadedScenario } from './index.js';
import { SECCOMP_SETTINGS, SECCOMP_PROCESS_PROPERTIES } from './seccomp.js';
import { INTERPOSE_SETTINGS, INTERPOSE_PROCESS_PROPERTIES } from './interpose.js';
import { MAC_SETTINGS, MAC_PROCESS_PROPERTIES } from './mac.js';

export interface ExtensionContext {
  readonly loaded: LoadedScenario;
  readonly bindings: Bindings;
  /** Every declared process name. */
  readonly processes: ReadonlySet<string>;
}

/** Compiles a top-level setting into setup commands, run before the processes are created. */
export type SettingCompiler = (statement: SettingStatement, context: ExtensionContext) => Command[];

/** Compiles a process property into setup commands, run right after that process is created. */
export type ProcessPropertyCompiler = (prop: Property, processName: string, context: ExtensionContext) => Command[];

export const SETTING_EXTENSIONS: Readonly<Record<string, SettingCompiler>> = {
  ...SECCOMP_SETTINGS,
  ...INTERPOSE_SETTINGS,
  ...MAC_SETTINGS,
};

export const PROCESS_PROPERTY_EXTENSIONS: Readonly<Record<string, ProcessPropertyCompiler>> = {
  ...SECCOMP_PROCESS_PROPERTIES,
  ...INTERPOSE_PROCESS_PROPERTIES,
  ...MAC_PROCESS_PROPERTIES,
};
