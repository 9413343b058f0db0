/** seccomp in the simulated kernel: the only import surface of the rest of the engine. */
export { SECCOMP_GATE, STRICT_ALLOWED } from './gate.js';
export { SECCOMP_HANDLERS, prctlGetSeccomp, prctlSetSeccomp } from './syscalls.js';
export { SECCOMP_DECIDERS, type DefineProgramData, type InstallData } from './commands.js';
export { seccompKernelReducers } from './evolve.js';
export { SECCOMP_INVARIANTS } from './invariants.js';
export { filtersOf, processSeccompOf, seccompStateOf, type ProcessSeccomp, type SeccompFilter, type SeccompState } from './state.js';
