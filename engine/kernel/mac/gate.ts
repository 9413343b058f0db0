/** A MAC sandbox profile's decision on the call (placeholder: lets every call through). */
import { PASS, type EntryGate } from '../syscall/gates.js';

export const MAC_GATE: EntryGate = () => PASS;
