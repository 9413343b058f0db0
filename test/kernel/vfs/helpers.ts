// Test support for the file system: a booted machine with a scenario's fs block and
// processes, and system calls run straight through the handlers, their events folded and
// the file system's invariants checked on every one.
import type { EventDraft } from '../../../engine/core/decider.js';
import type { MachineState } from '../../../engine/machine/state.js';
import { credentialsData, credentialsFromData, type CredentialsData } from '../../../engine/kernel/cred/state.js';
import { SyscallContext, isError, type SyscallArg, type SyscallResult } from '../../../engine/kernel/syscall/context.js';
import { constantValue } from '../../../engine/kernel/syscall/constants.js';
import { processByName, type Process } from '../../../engine/kernel/state.js';
import { VFS_HANDLERS } from '../../../engine/kernel/vfs/syscalls.js';
import { VFS_INVARIANTS } from '../../../engine/kernel/vfs/invariants.js';
import { lookupAbsolute, type PathRef } from '../../../engine/kernel/vfs/state.js';
import { pathFromRoot } from '../../../engine/kernel/vfs/tree.js';
import { foldEvents } from '../../helpers/machine.js';
import { runText } from '../../helpers/scenario.js';

/** A machine booted from a scenario's fs block and process lines (no steps). */
export function world(fs: string, processes: string): MachineState {
  return runText(`scenario "vfs test"\nfs {\n${fs}\n}\n${processes}\n`).state;
}

/** An argument: a number (or constant names joined by |), a "string" given as {text}, or a word such as buf. */
export type Arg = number | bigint | string | { readonly text: string } | { readonly symbol: string };

export const text = (value: string) => ({ text: value }) as const;
export const word = (value: string) => ({ symbol: value }) as const;

function encode(arg: Arg): SyscallArg {
  if (typeof arg === 'object') return arg;
  if (typeof arg === 'string') {
    const value = arg.split('|').reduce((all, name) => {
      const known = constantValue(name.trim());
      if (known === null) throw new Error(`unknown constant ${name}`);
      return all | BigInt.asUintN(64, BigInt(known));
    }, 0n);
    return '0x' + value.toString(16);
  }
  return '0x' + BigInt.asUintN(64, BigInt(arg)).toString(16);
}

export interface Call {
  readonly result: SyscallResult;
  readonly events: readonly EventDraft[];
  /** Invariant violations the call's events caused. */
  readonly violations: readonly string[];
  readonly ret: number;
  readonly errno: string | null;
  /** The bytes the call returned, as text. */
  readonly text: string | null;
  readonly detail: Readonly<Record<string, unknown>> | null;
}

/** Runs system calls on a state, one process at a time, folding their events. */
export class Sys {
  constructor(public state: MachineState) {}

  process(name: string): Process {
    const process = processByName(this.state.kernel, name);
    if (process === null) throw new Error(`no process ${name}`);
    return process;
  }

  call(name: string, syscall: string, ...args: Arg[]): Call {
    const handler = VFS_HANDLERS[syscall];
    if (handler === undefined) throw new Error(`no handler ${syscall}`);
    const result = handler(new SyscallContext(this.state, this.process(name), 'x86_64', syscall, args.map(encode), null));
    const events = result.events ?? [];
    const violations: string[] = [];
    let seq = 1_000_000;
    for (const event of events) {
      const envelope = { seq: seq++, tick: 0, type: event.type, actor: event.actor, data: event.data, cause: null };
      const after = foldEvents(this.state, [envelope]);
      for (const invariant of VFS_INVARIANTS) {
        if (invariant.on !== undefined && !invariant.on.includes(event.type)) continue;
        const broken = invariant.check(this.state, envelope, after);
        if (broken !== null) violations.push(`${invariant.name}: ${broken}`);
      }
      this.state = after;
    }
    const ok = isError(result) ? null : result;
    return {
      result,
      events,
      violations,
      ret: ok === null ? -1 : ok.ret,
      errno: isError(result) ? result.errno : null,
      text: ok?.bytes === undefined ? null : Buffer.from(ok.bytes, 'hex').toString('latin1'),
      detail: ok?.detail ?? null,
    };
  }

  /** Replaces a process's credentials (as the credentials mechanism would). */
  setCreds(name: string, change: (creds: CredentialsData) => CredentialsData): void {
    const process = this.process(name);
    const data = change(credentialsData(process.creds));
    const byId = { ...this.state.kernel.processes.byId, [process.pid]: { ...process, creds: credentialsFromData(data) } };
    this.state = { ...this.state, kernel: { ...this.state.kernel, processes: { ...this.state.kernel.processes, byId } } };
  }

  /** The place an absolute path names from the global root, following mounts (not links). */
  place(path: string): PathRef {
    const found = lookupAbsolute(this.state.vfs, path);
    if (found === null) throw new Error(`no ${path}`);
    return found;
  }

  /** A process's cwd as a path from the global root ("(unreachable)…" never happens from there). */
  cwdOf(name: string): string {
    const fs = this.process(name).fs!;
    return pathFromRoot(this.state.vfs, fs.cwd, this.state.vfs.root!).path;
  }

  rootOf(name: string): string {
    const fs = this.process(name).fs!;
    return pathFromRoot(this.state.vfs, fs.root, this.state.vfs.root!).path;
  }
}

export function sys(fs: string, processes: string): Sys {
  return new Sys(world(fs, processes));
}
