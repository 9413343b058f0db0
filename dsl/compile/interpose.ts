/** The interpose settings and process properties of the language (see extensions.ts). */
import type { ProcessPropertyCompiler, SettingCompiler } from './extensions.js';

export const INTERPOSE_SETTINGS: Readonly<Record<string, SettingCompiler>> = {};

export const INTERPOSE_PROCESS_PROPERTIES: Readonly<Record<string, ProcessPropertyCompiler>> = {};
