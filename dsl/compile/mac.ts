/** The mac settings and process properties of the language (see extensions.ts). */
import type { ProcessPropertyCompiler, SettingCompiler } from './extensions.js';

export const MAC_SETTINGS: Readonly<Record<string, SettingCompiler>> = {};

export const MAC_PROCESS_PROPERTIES: Readonly<Record<string, ProcessPropertyCompiler>> = {};
