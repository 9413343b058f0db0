/** MAC sandbox profiles (Apple sandbox, AppArmor): the import surface other modules use. */
export { parseAppArmorRule } from './apparmor.js';
export { MAC_DECIDERS } from './decide.js';
export { macEvents, type MacConfinedData, type MacDecidedData } from './events.js';
export { macKernelReducers } from './evolve.js';
export { MAC_GATE } from './gate.js';
export { globMatches } from './glob.js';
export { MAC_INVARIANTS, macProfileEnforced } from './invariants.js';
export { NAMED_PROFILE_NAMES, namedProfile, namedProfileSource } from './named.js';
export * from './profile.js';
export { lineColumnOf, parseSbpl, type SbplError } from './sbpl.js';
export { INITIAL_MAC_STATE, macStateOf, profileOf, type MacState } from './state.js';
