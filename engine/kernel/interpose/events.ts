/**
 * The monitor's events. `interpose.attached`, `.suspended`, `.released` and `.mirrored`
 * change its views (evolve.ts); `interpose.resumed` marks where a stopped call goes on
 * and `interpose.checked` records a decision — the call, the
 * path as given and as resolved, the mirrored cwd it was resolved against, the rule and
 * the verdict — and changes nothing.
 */
import type { EventDraft } from '../../core/decider.js';
import type { MirroredFd, MonitorView, PathCheck, PendingCall } from './state.js';

export type InterposeEventType = 'interpose.attached' | 'interpose.checked' | 'interpose.suspended' | 'interpose.resumed' | 'interpose.released' | 'interpose.mirrored';

/** A change to the monitor's copy of a process's state, learned from a call it saw succeed. */
export type MirrorChange =
  | { readonly kind: 'fdAdded'; readonly entry: MirroredFd }
  | { readonly kind: 'fdClosed'; readonly fd: number }
  | { readonly kind: 'cwdChanged'; readonly path: string }
  | { readonly kind: 'rootChanged'; readonly path: string }
  | { readonly kind: 'execed' };

export interface CheckedData extends PathCheck {
  readonly pid: number;
  readonly call: string;
  /** The monitor's copy of the working directory the path was resolved against. */
  readonly cwd: string;
  readonly root: string;
  /** entry: at the syscall-entry stop (janus); use: on the object the kernel resolved (resolved). */
  readonly at: 'entry' | 'use';
}

const draft = (type: InterposeEventType, actor: string, data: unknown): EventDraft => ({ type, actor, data });

export const interposeEvents = {
  attached: (actor: string, view: MonitorView, why: string) => draft('interpose.attached', actor, { ...view, why }),
  checked: (actor: string, data: CheckedData) => draft('interpose.checked', actor, data),
  suspended: (actor: string, pid: number, pending: PendingCall, note: string) => draft('interpose.suspended', actor, { pid, ...pending, note }),
  /** The stopped call goes on; `kernelResolves` says where the kernel's own walk leads now. */
  resumed: (actor: string, pid: number, call: string, kernelResolves: readonly { path: string; resolved: string }[]) => draft('interpose.resumed', actor, { pid, call, kernelResolves }),
  /** The monitor lets go of the call (it has returned, was refused or went to another gate). */
  released: (actor: string, pid: number, call: string) => draft('interpose.released', actor, { pid, call }),
  mirrored: (actor: string, pid: number, call: string, change: MirrorChange) => draft('interpose.mirrored', actor, { pid, call, change }),
};
