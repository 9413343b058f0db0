/** System-call interposition (a Janus-style monitor): the import surface of this folder. */
export { INTERPOSE_GATE } from './gate.js';
export { INTERPOSE_DECIDERS, type AttachData } from './resume.js';
export { interposeKernelReducers } from './evolve.js';
export { INTERPOSE_INVARIANTS, interposePolicyHolds } from './invariants.js';
export { decidePath, decidePaths, matchesPattern, type MonitorMode, type MonitorPolicy } from './policy.js';
export { interposeStateOf, viewOf, type InterposeState, type MonitorView } from './state.js';
