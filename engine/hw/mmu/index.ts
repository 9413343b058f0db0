/**
 * The paging model's only import surface: geometries, entry formats, the page walk and
 * the access-rights check (Intel SDM Vol. 3A ch. 4). Everything here is pure.
 */
export type {
  AccessKind,
  AccessRequest,
  EntryFormat,
  EntryUpdate,
  PagingControl,
  PagingGeometry,
  Rights,
  WalkResult,
  WalkStep,
} from './types.js';
export { PF_I, PF_P, PF_PK, PF_RSVD, PF_U, PF_W } from './types.js';
export type { AddressIndices, CustomGeometrySpec, LevelIndex } from './geometry.js';
export {
  FIVE_LEVEL,
  FOUR_LEVEL,
  GEOMETRY_NAMES,
  OSTEP_15,
  TWO_LEVEL,
  bitsOfHalves,
  customGeometry,
  geometryByName,
  indicesOf,
  isAddressInRange,
  joinVirtual,
  levelLowBits,
  lowBitsOfHalves,
  splitVirtual,
} from './geometry.js';
export type { EntryFields, EntryValue, OstepLayout } from './entry.js';
export { decodeEntry, encodeEntry, entryFlagNames, entryHex, isOstepValid } from './entry.js';
export type { RightsViolation } from './rights.js';
export { accessErrorBits, checkRights } from './rights.js';
export type { ReadEntry } from './walk.js';
export { translate } from './walk.js';
