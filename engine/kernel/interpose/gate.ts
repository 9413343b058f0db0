/** A Janus-style monitor's interception at system-call entry (placeholder: lets every call through). */
import { PASS, type EntryGate } from '../syscall/gates.js';

export const INTERPOSE_GATE: EntryGate = () => PASS;
