/** The seccomp filters of the calling process, run at system-call entry (placeholder: lets every call through). */
import { PASS, type EntryGate } from '../syscall/gates.js';

export const SECCOMP_GATE: EntryGate = () => PASS;
