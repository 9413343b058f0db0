/**
 * The kernel's side of a trap (concept 15): the CPU entered through an IDT gate or
 * SYSCALL; the kernel decides what it means. A page fault the kernel can resolve — a
 * first touch of anonymous memory, a swapped-out page, a write to a page shared
 * copy-on-write — is fixed and the access retried (proc/fault.ts). Other faults from
 * user mode become signals as Linux's handlers send them (arch/x86/kernel/traps.c,
 * arch/x86/mm/fault.c): #PF → SIGSEGV (SEGV_MAPERR with no mapping or a kernel address,
 * SEGV_ACCERR on a rights violation, SEGV_PKUERR on a protection key), #GP → SIGSEGV
 * (SI_KERNEL), #UD → SIGILL (ILL_ILLOPN), #DE → SIGFPE (FPE_INTDIV), #BP → SIGTRAP,
 * #NP → SIGBUS. A fault in kernel mode with no exception fixup is an oops, which kills
 * the task. A signal with a handler is delivered and the process goes on; otherwise its
 * default action (terminate) applies, and the process ends as exit does (proc/lifecycle.ts).
 */
import type { Command, EventDraft } from '../core/decider.js';
import { hex } from '../core/u64.js';
import type { MachineState } from '../machine/state.js';
import { VECTORS } from '../hw/cpu/registers.js';
import { PF_PK } from '../hw/mmu/types.js';
import { kernelLayoutOf } from './layout.js';
import { processOf, vmaAt, type Process } from './state.js';
import { resolveFault, type AccessRetry } from './proc/fault.js';
import { endProcess } from './proc/lifecycle.js';
import { signalNumberOf } from './proc/constants.js';
import { exitedStatus, signaledStatus } from './proc/signals.js';

export interface ExceptionData {
  readonly vector: number;
  readonly errorCode: number | null;
  readonly fromCpl: number;
  readonly address: string | null;
  /** The access that faulted, when the CPU reports it: the kernel retries it after fixing the page. */
  readonly access?: AccessRetry | null;
}

interface SignalChoice {
  readonly signal: string;
  readonly code: string;
}

function signalFor(state: MachineState, process: Process, data: ExceptionData): SignalChoice {
  switch (data.vector) {
    case VECTORS.PF: {
      const address = BigInt(data.address ?? '0');
      if (((data.errorCode ?? 0) & PF_PK) !== 0) return { signal: 'SIGSEGV', code: 'SEGV_PKUERR' };
      const layout = kernelLayoutOf(state.config);
      if (address >= layout.userTop || vmaAt(process, address) === null) return { signal: 'SIGSEGV', code: 'SEGV_MAPERR' };
      return { signal: 'SIGSEGV', code: 'SEGV_ACCERR' };
    }
    case VECTORS.GP:
      return { signal: 'SIGSEGV', code: 'SI_KERNEL' };
    case VECTORS.UD:
      return { signal: 'SIGILL', code: 'ILL_ILLOPN' };
    case VECTORS.DE:
      return { signal: 'SIGFPE', code: 'FPE_INTDIV' };
    case VECTORS.BP:
      return { signal: 'SIGTRAP', code: 'SI_KERNEL' };
    case VECTORS.NP:
      return { signal: 'SIGBUS', code: 'SI_KERNEL' };
    default:
      return { signal: 'SIGSEGV', code: 'SI_KERNEL' };
  }
}

export function decideException(state: MachineState, command: Command): EventDraft[] {
  const data = (command as Command<'kernel.exception', ExceptionData>).data;
  const { kernel } = state;
  const process = processOf(kernel, kernel.current);
  if (data.vector === VECTORS.PF && process !== null && data.address !== null) {
    const resolved = resolveFault(state, process, BigInt(data.address), data.errorCode ?? 0, data.fromCpl, data.access ?? null);
    if (resolved !== null) return resolved;
  }
  if (data.fromCpl === 0) {
    const drafts: EventDraft[] = [
      {
        type: 'kernel.oopsed',
        actor: 'kernel',
        data: { vector: data.vector, errorCode: data.errorCode, address: data.address, pid: process?.pid ?? null },
      },
    ];
    if (process !== null) drafts.push(...terminate(state, process, 'SIGSEGV', 'killed after a kernel oops'));
    return drafts;
  }
  if (process === null) return [{ type: 'kernel.oopsed', actor: 'kernel', data: { ...data, pid: null } }];
  return deliverSignal(state, process, signalFor(state, process, data), data.address);
}

export function deliverSignal(state: MachineState, process: Process, choice: SignalChoice, address: string | null): EventDraft[] {
  const handled = process.catches.includes(choice.signal);
  const drafts: EventDraft[] = [
    {
      type: 'kernel.signalDelivered',
      actor: 'kernel',
      data: { pid: process.pid, name: process.name, signal: choice.signal, code: choice.code, address, action: handled ? 'handler' : 'terminate' },
    },
  ];
  if (handled) {
    drafts.push({ type: 'cpu.returned', actor: 'cpu', data: { via: 'iret', toCpl: 3 } });
    return drafts;
  }
  return [...drafts, ...terminate(state, process, choice.signal, `killed by ${choice.signal}`)];
}

/**
 * exit(status): the process ends with wait status status<<8 and, like any ending,
 * becomes a zombie for its parent to collect (proc/lifecycle.ts).
 */
export function exitProcess(state: MachineState, process: Process, status: number): EventDraft[] {
  return endProcess(state, process, { signal: null, how: `exit(${status & 0xff})`, waitStatus: exitedStatus(status) });
}

/** The process ends (by a signal when `signal` is set); the CPU idles in the kernel if it was running. */
export function terminate(state: MachineState, process: Process, signal: string | null, how: string, waitStatus: number = signalWaitStatus(signal)): EventDraft[] {
  return endProcess(state, process, { signal, how, waitStatus });
}

export function addressText(value: bigint | null): string | null {
  return value === null ? null : hex(value);
}

/** The wait status of a death by signal: the signal number in the low 7 bits (wait(2)). */
export function signalWaitStatus(signal: string | null): number {
  return signal === null ? 0 : signaledStatus(signalNumberOf(signal) ?? 0);
}
