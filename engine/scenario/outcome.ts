/**
 * What a step did, summarised from the events it produced: the first exception (vector,
 * error code, CR2), the signal the kernel delivered, the value read or the result of an
 * instruction or system call, the physical addresses touched, the secrets learned, and
 * the accessed/dirty state left in each entry the walk used. Expectations are checked
 * against this summary; the CLI prints it.
 */
import type { Envelope } from '../core/decider.js';
import { VECTOR_MNEMONICS } from '../hw/cpu/registers.js';

export interface FaultOutcome {
  readonly vector: number;
  readonly name: string;
  readonly errorCode: number | null;
  readonly address: string | null;
  readonly cpl: number;
  readonly reason: string;
}

export interface EntryAfter {
  readonly level: number;
  readonly levelName: string;
  readonly index: number;
  readonly entryAddress: number;
  readonly entry: string;
  /** Flag names as the walk read them, plus A and D when the MMU set them. */
  readonly flags: readonly string[];
}

export interface StepOutcome {
  readonly fault: FaultOutcome | null;
  readonly signal: { readonly signal: string; readonly code: string; readonly action: string } | null;
  /** The value read (little-endian number) or an instruction's result. */
  readonly value: string | null;
  /** The bytes read, lowest address first, hex. */
  readonly bytes: string | null;
  readonly physicalAddress: number | null;
  readonly syscall: SyscallOutcome | null;
  /** What the step wrote to the console (fds 0–2), in order. */
  readonly output: string;
  readonly tlb: 'hit' | 'miss' | null;
  readonly leaks: readonly string[];
  readonly exited: boolean;
  readonly oops: boolean;
  readonly refused: { readonly errno: string; readonly reason: string } | null;
  readonly violations: readonly string[];
  /** Processes the kernel switched to during the step, in order. */
  readonly switches: readonly string[];
  /** Whether the timer interrupt fired during the step. */
  readonly timer: boolean;
  /** Each paging-structure entry the walk used, with its value after the access. */
  readonly entries: readonly EntryAfter[];
  readonly skipped: string | null;
}

export interface SyscallOutcome {
  readonly name: string | null;
  readonly ret: number;
  readonly errno: string | null;
  /** Why the kernel answered so, when it says. */
  readonly note: string | null;
  /** Bytes the call returned to the caller (read, getcwd, readlink), hex. */
  readonly bytes: string | null;
  /** Other results: stat fields, a pipe's fds, credentials. */
  readonly detail: Readonly<Record<string, unknown>> | null;
}

export function emptyOutcome(skipped: string | null = null): StepOutcome {
  return {
    fault: null,
    signal: null,
    value: null,
    bytes: null,
    physicalAddress: null,
    syscall: null,
    output: '',
    tlb: null,
    leaks: [],
    exited: false,
    oops: false,
    refused: null,
    violations: [],
    switches: [],
    timer: false,
    entries: [],
    skipped,
  };
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export function summarise(events: readonly Envelope[]): StepOutcome {
  const out: Mutable<StepOutcome> = emptyOutcome();
  const entries: EntryAfter[] = [];
  const leaks: string[] = [];
  const violations: string[] = [];
  const switches: string[] = [];
  let bytes = '';
  for (const event of events) {
    const data = event.data as Record<string, unknown>;
    switch (event.type) {
      case 'cpu.exceptionRaised':
        if (out.fault === null) {
          const vector = data.vector as number;
          out.fault = {
            vector,
            name: VECTOR_MNEMONICS[vector] ?? `#${vector}`,
            errorCode: data.errorCode as number | null,
            address: data.address as string | null,
            cpl: data.cpl as number,
            reason: data.reason as string,
          };
        }
        break;
      case 'kernel.faultResolved':
        // The kernel fixed the page (demand paging, swap-in, copy-on-write) and the access
        // ran again: to the program nothing faulted.
        out.fault = null;
        break;
      case 'kernel.signalDelivered':
        out.signal ??= { signal: data.signal as string, code: data.code as string, action: data.action as string };
        break;
      case 'memory.read':
        if (data.by === 'raw' || data.cpl === undefined) break;
        out.physicalAddress ??= data.address as number;
        bytes += data.bytes as string;
        break;
      case 'memory.written':
      case 'cpu.fetched':
        if (event.actor !== 'raw' && event.actor !== 'kernel') out.physicalAddress ??= data.address as number;
        break;
      case 'cpu.executed':
        if (data.result !== null) out.value = data.result as string;
        break;
      case 'kernel.syscallReturned':
        out.syscall = {
          name: data.name as string | null,
          ret: data.ret as number,
          errno: data.errno as string | null,
          note: (data.note as string | null | undefined) ?? null,
          bytes: (data.bytes as string | undefined) ?? null,
          detail: (data.detail as Record<string, unknown> | undefined) ?? null,
        };
        out.value = '0x' + BigInt.asUintN(64, BigInt(data.ret as number)).toString(16);
        break;
      case 'kernel.consoleWritten':
        out.output += data.text as string;
        break;
      case 'tlb.hit':
        out.tlb ??= 'hit';
        break;
      case 'tlb.missed':
        out.tlb ??= 'miss';
        break;
      case 'mmu.walkStepped':
        entries.push({
          level: data.level as number,
          levelName: data.levelName as string,
          index: data.index as number,
          entryAddress: data.entryAddress as number,
          entry: data.entry as string,
          flags: data.flags as string[],
        });
        break;
      case 'memory.entryWritten':
        for (let i = 0; i < entries.length; i++) {
          if (entries[i]!.entryAddress !== data.address) continue;
          const why = data.why as string;
          const added = [why.includes('accessed') ? 'A' : null, why.includes('dirty') ? 'D' : null].filter((f): f is string => f !== null);
          const flags = [...entries[i]!.flags, ...added.filter((f) => !entries[i]!.flags.includes(f))];
          entries[i] = { ...entries[i]!, entry: data.after as string, flags };
        }
        break;
      case 'observer.secretLeaked':
        if (!leaks.includes(data.secret as string)) leaks.push(data.secret as string);
        break;
      case 'kernel.processExited':
        out.exited = true;
        break;
      case 'kernel.oopsed':
        out.oops = true;
        break;
      case 'kernel.requestRefused':
        out.refused ??= { errno: data.errno as string, reason: data.reason as string };
        break;
      case 'invariant.violated':
        violations.push(data.invariant as string);
        break;
      case 'cpu.contextEntered':
        if (data.pid !== null) switches.push(data.name as string);
        break;
      case 'kernel.timerFired':
        out.timer = true;
        break;
    }
  }
  if (bytes !== '') {
    out.bytes = bytes;
    out.value = littleEndianValueHex(bytes);
  }
  out.entries = entries;
  out.leaks = leaks;
  out.violations = violations;
  out.switches = switches;
  return out;
}

function littleEndianValueHex(bytes: string): string {
  let out = '';
  for (let i = bytes.length - 2; i >= 0; i -= 2) out += bytes.slice(i, i + 2);
  return '0x' + (out.replace(/^0+(?=.)/, '') || '0');
}

/** Error-code bit names (SDM §4.7) as scenarios write them. */
export const ERROR_CODE_BITS: Readonly<Record<string, number>> = {
  present: 1,
  p: 1,
  write: 2,
  w: 2,
  user: 4,
  u: 4,
  rsvd: 8,
  reserved: 8,
  fetch: 16,
  i: 16,
  pk: 32,
};

export function errorCodeBitsText(code: number): string {
  const names = ['present', 'write', 'user', 'rsvd', 'fetch', 'pk'];
  const set = names.filter((_, bit) => (code & (1 << bit)) !== 0);
  return set.length === 0 ? 'not-present read, supervisor' : set.join(', ');
}

/** One line a person reads: "#PF(present, user) at 0xffff888000001000 → SIGSEGV". */
export function describeOutcome(outcome: StepOutcome): string {
  if (outcome.skipped !== null) return `skipped: ${outcome.skipped}`;
  const parts: string[] = [];
  if (outcome.fault !== null) {
    const f = outcome.fault;
    const code = f.errorCode === null ? '' : f.vector === 14 ? `(${errorCodeBitsText(f.errorCode)})` : `(${f.errorCode === 0 ? '0' : '0x' + f.errorCode.toString(16)})`;
    parts.push(`${f.name}${code}${f.address === null ? '' : ` at ${f.address}`}: ${f.reason}`);
  }
  if (outcome.signal !== null) parts.push(`${outcome.signal.signal} (${outcome.signal.code}, ${outcome.signal.action})`);
  if (outcome.syscall !== null) {
    const s = outcome.syscall;
    const note = s.note === null ? '' : s.errno !== null && s.note.startsWith(`${s.errno}:`) ? s.note.slice(s.errno.length + 1).trim() : s.note;
    parts.push(`${s.name ?? 'syscall'} = ${s.ret}${s.errno === null ? '' : ` (${s.errno}${note === '' ? '' : `: ${note}`})`}`);
    if (s.bytes !== null && s.bytes.length > 0) parts.push(printable(s.bytes) ? `returned ${JSON.stringify(asText(s.bytes))}` : `returned bytes ${s.bytes}`);
    if (s.detail !== null) parts.push(describeDetail(s.detail));
    if (outcome.output !== '') parts.push(`printed ${JSON.stringify(outcome.output)}`);
  } else if (outcome.bytes !== null && outcome.bytes.length > 2 && printable(outcome.bytes)) {
    parts.push(`value ${JSON.stringify(asText(outcome.bytes))}`);
  } else if (outcome.value !== null) {
    parts.push(`value ${outcome.value}`);
  }
  if (parts.length === 0 && outcome.refused === null && !outcome.oops && !outcome.exited) parts.push('ok');
  if (outcome.physicalAddress !== null && outcome.fault === null) parts.push(`phys 0x${outcome.physicalAddress.toString(16)}`);
  if (outcome.tlb !== null && outcome.fault === null) parts.push(`TLB ${outcome.tlb}`);
  if (outcome.leaks.length > 0) parts.push(`LEAKED ${outcome.leaks.join(', ')}`);
  if (outcome.refused !== null) parts.push(`refused ${outcome.refused.errno}: ${outcome.refused.reason}`);
  if (outcome.oops) parts.push('kernel oops');
  if (outcome.exited) parts.push('process exited');
  if (outcome.timer) parts.push('timer fired');
  if (outcome.switches.length > 0) parts.push(`switched to ${outcome.switches.join(', then ')}`);
  if (outcome.violations.length > 0) parts.push(`violated ${outcome.violations.join(', ')}`);
  return parts.join('; ');
}

/** "fds 3 4", "uid 1000 euid 0": a call's other results, compactly. */
function describeDetail(detail: Readonly<Record<string, unknown>>): string {
  return Object.entries(detail)
    .map(([key, value]) => `${key} ${Array.isArray(value) ? value.join(',') : typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value)}`)
    .join(' ');
}

function asText(hexBytes: string): string {
  let text = '';
  for (let i = 0; i < hexBytes.length; i += 2) text += String.fromCharCode(parseInt(hexBytes.slice(i, i + 2), 16));
  return text;
}

/** Whether bytes read are printable ASCII text (then the outcome shows them as a string). */
function printable(hexBytes: string): boolean {
  for (let i = 0; i < hexBytes.length; i += 2) {
    const byte = parseInt(hexBytes.slice(i, i + 2), 16);
    if (byte < 0x20 || byte > 0x7e) return false;
  }
  return true;
}

/** "PML4[201] at 0x1648 = 0x2027 (P RW US A)": an entry of the walk after the access. */
export function describeEntry(entry: EntryAfter): string {
  return `${entry.levelName}[${entry.index}] at 0x${entry.entryAddress.toString(16)} = ${entry.entry}${entry.flags.length === 0 ? '' : ` (${entry.flags.join(' ')})`}`;
}
