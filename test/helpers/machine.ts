// Test support: machines built from events, given/when/then over the mechanism deciders, and
// an engine harness that runs commands on a booted machine and returns what they decided.
import { credentialsData, credentialsFor } from '../../engine/kernel/cred/state.js';
import { expect } from 'vitest';
import type { Command, Envelope, EventDraft } from '../../engine/core/decider.js';
import { Engine } from '../../engine/core/engine.js';
import { assertNever } from '../../engine/core/errors.js';
import type { Limits } from '../../engine/core/limits.js';
import type { Instruction, SyscallRequest } from '../../engine/hw/cpu/instructions.js';
import { defaultCpuFeatures, type CpuFeatures } from '../../engine/hw/cpu/state.js';
import { FOUR_LEVEL } from '../../engine/hw/mmu/index.js';
import type { AccessKind } from '../../engine/hw/mmu/types.js';
import type { TlbEntry } from '../../engine/hw/tlb/state.js';
import type { MapData } from '../../engine/kernel/mm.js';
import { processByName, type Process, type SwitchPolicy } from '../../engine/kernel/state.js';
import type { MachineConfig } from '../../engine/machine/config.js';
import { initialMachineState } from '../../engine/machine/initial.js';
import { INVARIANTS } from '../../engine/machine/invariants.js';
import { MECHANISMS, foldMachine } from '../../engine/machine/mechanisms.js';
import type { MachineState } from '../../engine/machine/state.js';

// ------------------------------------------------------------------ machines

/** An x86-64 machine with 4-level paging, 64 MiB, a 64-entry FIFO TLB: the DSL's defaults. */
export function machineConfig(overrides: Partial<MachineConfig> = {}): MachineConfig {
  return {
    cpu: 'x86_64',
    geometry: FOUR_LEVEL,
    maxPhyAddr: 46,
    memoryBytes: 64 * 1024 * 1024,
    frameBytes: 4096,
    tlbEntries: 64,
    tlbReplacement: 'fifo',
    allocation: 'sequential',
    seed: 0,
    ...overrides,
  };
}

export interface MachineOptions {
  readonly config?: Partial<MachineConfig>;
  /** CR0/CR4/EFER over the long-mode defaults (PAE, PGE, PSE, WP, SCE). */
  readonly features?: Partial<CpuFeatures>;
}

export function machineState(options: MachineOptions = {}): MachineState {
  const config = machineConfig(options.config);
  const features = { ...defaultCpuFeatures(config.cpu === 'x86_64' ? 'long' : 'protected'), ...options.features };
  return initialMachineState(config, features);
}

// ------------------------------------------------------------------ given / when / then

/** Folds events onto a state with the engine's reducers; drafts are numbered from `firstSeq`. */
export function foldEvents(state: MachineState, events: readonly (EventDraft | Envelope)[], firstSeq = 0): MachineState {
  let seq = firstSeq;
  let folded = state;
  for (const event of events) {
    const envelope = 'seq' in event ? event : { seq, tick: 0, type: event.type, actor: event.actor, data: event.data, cause: null };
    seq = envelope.seq + 1;
    folded = foldMachine(folded, envelope);
  }
  return folded;
}

const DECIDERS = new Map<string, (state: MachineState, command: Command, context: { tick: number }) => readonly EventDraft[]>();
for (const mechanism of MECHANISMS) for (const [type, decide] of Object.entries(mechanism.decide)) DECIDERS.set(type, decide);

/** The mechanism decider for a command type, called directly (no engine, no follow-ups). */
export function decide(state: MachineState, command: Command): EventDraft[] {
  const decider = DECIDERS.get(command.type);
  if (decider === undefined) throw new Error(`no decider for ${command.type}`);
  return [...decider(state, command, { tick: 0 })];
}

/** What a then-clause names: an event type and, optionally, the part of its data that matters. */
export interface ExpectedEvent {
  readonly type: string;
  readonly data?: Record<string, unknown>;
}

export class Decision {
  constructor(
    readonly state: MachineState,
    readonly events: readonly EventDraft[],
  ) {}

  get types(): string[] {
    return this.events.map((event) => event.type);
  }

  /** The events decided, in order: each type exactly, each data matched on the fields given. */
  then(expected: readonly ExpectedEvent[]): this {
    expect(this.types).toEqual(expected.map((event) => event.type));
    expected.forEach((event, i) => {
      if (event.data !== undefined) expect(this.events[i]!.data).toMatchObject(event.data);
    });
    return this;
  }

  /** The single event of a type (fails if there is none or more than one). */
  only(type: string): Record<string, unknown> {
    const found = this.events.filter((event) => event.type === type);
    expect(found.map((event) => event.type)).toEqual([type]);
    return found[0]!.data as Record<string, unknown>;
  }

  /** The state after folding the decided events onto the given state. */
  get after(): MachineState {
    return foldEvents(this.state, this.events, 1_000_000);
  }
}

export class Given {
  constructor(readonly state: MachineState) {}

  /** Runs the command's mechanism decider on the state the given events built. */
  when(command: Command): Decision {
    return new Decision(this.state, decide(this.state, command));
  }
}

/** Given these events (folded in order onto a fresh machine, or onto `on`), when … then …. */
export function given(events: readonly (EventDraft | Envelope)[], options: MachineOptions & { readonly on?: MachineState } = {}): Given {
  return new Given(foldEvents(options.on ?? machineState(options), events));
}

// ------------------------------------------------------------------ event builders

/** `cpu.registerWritten` as a raw setup writes it. */
export function registerSet(register: string, after: number | bigint): EventDraft {
  return { type: 'cpu.registerWritten', actor: 'raw', data: { register, before: '0x0', after: '0x' + after.toString(16), why: 'given' } };
}

/** A TLB entry with sensible defaults: a 4 KiB user read/write page of PCID 0. */
export function tlbEntry(fields: Partial<TlbEntry> & { readonly pageNumber: number }): TlbEntry {
  return {
    pcid: 0,
    pageShift: 12,
    frameBase: 0x200000 + fields.pageNumber * 0x1000,
    writable: true,
    user: true,
    executable: false,
    global: false,
    dirty: false,
    pkey: 0,
    leafEntryAddress: 0,
    lastUse: 0,
    ...fields,
  };
}

/** `tlb.filled` putting an entry in a slot. */
export function tlbFilled(slot: number, entry: TlbEntry): EventDraft {
  return { type: 'tlb.filled', actor: 'tlb', data: { va: '0x' + (BigInt(entry.pageNumber) << BigInt(entry.pageShift)).toString(16), slot, entry, evicted: null } };
}

/** The indices of the TLB slots that hold an entry. */
export function occupiedSlots(state: MachineState): number[] {
  return state.tlb.slots.flatMap((entry, slot) => (entry === null ? [] : [slot]));
}

// ------------------------------------------------------------------ commands

export function instruction(instructionValue: Instruction, by = 'cpu', cpl?: number): Command {
  const text = describeInstruction(instructionValue);
  return { type: 'cpu.instruction', actor: by, data: { instruction: instructionValue, text, by, ...(cpl === undefined ? {} : { cpl }) } };
}

function describeInstruction(value: Instruction): string {
  switch (value.op) {
    case 'simple':
      return value.mnemonic;
    case 'mov-to-cr':
      return `mov cr${value.cr}, 0x${value.value.toString(16)}`;
    case 'mov-from-cr':
      return `mov rax, cr${value.cr}`;
    case 'wrmsr':
    case 'rdmsr':
      return `${value.op} 0x${value.msr.toString(16)}`;
    case 'in':
    case 'out':
      return `${value.op} 0x${value.port.toString(16)}`;
    case 'invlpg':
      return `invlpg 0x${value.va.toString(16)}`;
    case 'int':
      return `int 0x${value.vector.toString(16)}`;
    case 'syscall':
      return `syscall ${value.syscall.name ?? value.syscall.nr}`;
    case 'sysret':
      return 'sysret';
    case 'iret':
      return value.selector === null ? 'iret' : `iret 0x${value.selector.toString(16)}:0`;
    case 'ljmp':
      return `ljmp 0x${value.selector.toString(16)}:0x${value.offset.toString(16)}`;
    case 'mov-to-cs':
      return `mov cs, 0x${value.selector.toString(16)}`;
    case 'wrpkru':
      return `wrpkru 0x${value.value.toString(16)}`;
    default:
      return assertNever(value, 'instruction');
  }
}

export function setRegister(register: string, value: bigint): Command {
  return { type: 'cpu.setRegister', actor: 'raw', data: { register, value } };
}

export function access(by: string, kind: AccessKind, va: bigint, options: { size?: number; bytes?: string; cpl?: number } = {}): Command {
  const size = options.size ?? (options.bytes === undefined ? 1 : options.bytes.length / 2);
  return { type: 'cpu.access', actor: by, data: { va, kind, size, bytes: options.bytes, cpl: options.cpl, by } };
}

export function syscallRequest(nr: number, name: string | null, args: SyscallRequest['args'] = []): SyscallRequest {
  return { nr, name, args };
}

// ------------------------------------------------------------------ an engine harness

export interface BootOptions extends MachineOptions {
  readonly switchPolicy?: Partial<SwitchPolicy>;
  readonly timerPeriodTicks?: number | null;
  /** Invariant names to enable; every invariant by default. */
  readonly invariants?: readonly string[];
  readonly limits?: Limits;
  /** Skip `kernel.boot` (a raw machine). */
  readonly boot?: boolean;
}

export interface MappingOptions {
  readonly sizeBytes?: number;
  readonly write?: boolean;
  readonly execute?: boolean;
  readonly user?: boolean;
  readonly global?: boolean;
  readonly pkey?: number;
  readonly region?: string | null;
}

/**
 * A machine driven through the engine, as the scenario runner drives it: every command
 * runs with its follow-ups, and each call returns the envelopes it produced.
 */
export class Machine {
  readonly engine: Engine<MachineState>;
  /** The state before the first event. */
  readonly initial: MachineState;
  /** Every envelope since the machine was built. */
  readonly events: Envelope[] = [];

  constructor(options: BootOptions = {}) {
    const names = options.invariants ?? INVARIANTS.map((invariant) => invariant.name);
    this.initial = machineState(options);
    this.engine = new Engine(MECHANISMS, this.initial, {
      invariants: INVARIANTS.filter((invariant) => names.includes(invariant.name)),
      limits: options.limits,
    });
    this.engine.events$.subscribe((envelope) => this.events.push(envelope));
    if (options.boot !== false) {
      this.run({
        type: 'kernel.boot',
        actor: 'kernel',
        data: {
          timerPeriodTicks: options.timerPeriodTicks ?? null,
          switchPolicy: { flushOnReuse: true, pcidSlots: 6, ...options.switchPolicy },
        },
      });
    }
  }

  get state(): MachineState {
    return this.engine.state;
  }

  /** Given every event so far (folded onto this machine's initial state), and then these. */
  given(more: readonly EventDraft[] = []): Given {
    return given([...this.events, ...more], { on: this.initial });
  }

  /** Dispatches a command with its follow-ups; returns the envelopes they produced. */
  run(command: Command): Envelope[] {
    const first = this.events.length;
    this.engine.dispatch(command);
    return this.events.slice(first);
  }

  process(name: string): Process {
    const process = processByName(this.state.kernel, name);
    if (process === null) throw new Error(`no process ${name}`);
    return process;
  }

  createProcess(name: string, catches: readonly string[] = [], uid = 1000): Envelope[] {
    return this.run({ type: 'kernel.createProcess', actor: 'kernel', data: { name, creds: credentialsData(credentialsFor(uid, uid)), catches } });
  }

  /** A shared region; `contentHex` is its initial bytes in hex. */
  createRegion(name: string, sizeBytes: number, contentHex = ''): Envelope[] {
    return this.run({ type: 'kernel.createRegion', actor: 'kernel', data: { name, sizeBytes, content: contentHex } });
  }

  mapCommand(name: string, va: bigint, options: MappingOptions = {}): Command {
    const data: MapData = {
      pid: this.process(name).pid,
      va,
      sizeBytes: options.sizeBytes ?? 4096,
      read: true,
      write: options.write ?? true,
      execute: options.execute ?? false,
      user: options.user ?? true,
      global: options.global ?? false,
      pkey: options.pkey ?? 0,
      region: options.region ?? null,
      pageShift: this.state.config.geometry.offsetBits,
    };
    return { type: 'kernel.map', actor: name, data };
  }

  map(name: string, va: bigint, options: MappingOptions = {}): Envelope[] {
    return this.run(this.mapCommand(name, va, options));
  }

  unmapCommand(name: string, va: bigint, sizeBytes = 4096): Command {
    return { type: 'kernel.unmap', actor: name, data: { pid: this.process(name).pid, va, sizeBytes } };
  }

  unmap(name: string, va: bigint, sizeBytes = 4096): Envelope[] {
    return this.run(this.unmapCommand(name, va, sizeBytes));
  }

  protectCommand(name: string, va: bigint, rights: { read?: boolean; write?: boolean; execute?: boolean }, sizeBytes = 4096): Command {
    return {
      type: 'kernel.protect',
      actor: name,
      data: { pid: this.process(name).pid, va, sizeBytes, read: rights.read ?? true, write: rights.write ?? false, execute: rights.execute ?? false },
    };
  }

  protect(name: string, va: bigint, rights: { read?: boolean; write?: boolean; execute?: boolean }, sizeBytes = 4096): Envelope[] {
    return this.run(this.protectCommand(name, va, rights, sizeBytes));
  }

  /** Makes a process current the way the scenario runner does (timer when one is in user mode). */
  switchTo(name: string): Envelope[] {
    const pid = this.process(name).pid;
    if (this.state.kernel.current === pid) return [];
    if (this.state.cpu.cpl === 3 && this.state.kernel.current !== null) {
      const first = this.events.length;
      this.engine.dispatch({ type: 'kernel.chooseNext', actor: 'scenario', data: { pid, reason: 'test' } });
      this.engine.dispatch({ type: 'cpu.interrupt', actor: 'cpu', data: { vector: 0x20 } });
      return this.events.slice(first);
    }
    return this.run({ type: 'kernel.switchTo', actor: 'scenario', data: { pid, reason: 'test' } });
  }

  /** A user-mode access by a process: switches to it first, returns only the access's events. */
  access(name: string, kind: AccessKind, va: bigint, options: { size?: number; bytes?: string; cpl?: number } = {}): Envelope[] {
    this.switchTo(name);
    return this.run(access(name, kind, va, options));
  }

  read(name: string, va: bigint, size = 1): Envelope[] {
    return this.access(name, 'read', va, { size });
  }

  write(name: string, va: bigint, bytes: string): Envelope[] {
    return this.access(name, 'write', va, { bytes });
  }

  /** An instruction executed by a process at its CPL: switches to it first. */
  exec(name: string, value: Instruction): Envelope[] {
    this.switchTo(name);
    return this.run(instruction(value, name));
  }

  /** A kernel step at CPL 0 in a process's address space, as `kernel in P:` runs. */
  kernelAccess(inProcess: string, kind: AccessKind, va: bigint, options: { size?: number; bytes?: string } = {}): Envelope[] {
    this.switchTo(inProcess);
    return this.run(access('kernel', kind, va, { ...options, cpl: 0 }));
  }
}

/** The event types of a list of envelopes or drafts, in order. */
export function typesOf(events: readonly { readonly type: string }[]): string[] {
  return events.map((event) => event.type);
}

/** The data of every event of a type. */
export function dataOf<T = Record<string, unknown>>(events: readonly { readonly type: string; readonly data: unknown }[], type: string): T[] {
  return events.filter((event) => event.type === type).map((event) => event.data as T);
}

/** The data of the one event of a type (fails when there is not exactly one). */
export function oneOf<T = Record<string, unknown>>(events: readonly { readonly type: string; readonly data: unknown }[], type: string): T {
  const found = dataOf<T>(events, type);
  expect(found, `exactly one ${type} in ${typesOf(events).join(', ')}`).toHaveLength(1);
  return found[0]!;
}
