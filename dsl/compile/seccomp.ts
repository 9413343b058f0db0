/** The seccomp settings and process properties of the language (see extensions.ts). */
import type { ProcessPropertyCompiler, SettingCompiler } from './extensions.js';

export const SECCOMP_SETTINGS: Readonly<Record<string, SettingCompiler>> = {};

export const SECCOMP_PROCESS_PROPERTIES: Readonly<Record<string, ProcessPropertyCompiler>> = {};
