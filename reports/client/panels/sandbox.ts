/**
 * What confines each process: its seccomp mode and filter chain (newest first, as the
 * kernel runs them), the Janus-style monitor tracing it with the monitor's own view of
 * the process (cwd, root, fds, a call held between check and use), the seccomp
 * supervisor's notifications, and the MAC profile it runs under with its rules.
 */
import type { KernelState, Process } from '../../../engine/kernel/state.js';
import type { SeccompState } from '../../../engine/kernel/seccomp/state.js';
import type { InterposeState, MonitorView } from '../../../engine/kernel/interpose/state.js';
import type { MacState } from '../../../engine/kernel/mac/state.js';
import { h, table, type Child } from '../dom.js';
import { registerPanel } from './registry.js';

interface Sandboxed {
  readonly seccomp?: SeccompState;
  readonly interpose?: InterposeState;
  readonly mac?: MacState;
}

function seccompRows(kernel: KernelState & Sandboxed, process: Process): Child[][] {
  const own = process.seccomp;
  if (own === undefined || own.mode === 'disabled') return [];
  if (own.mode === 'strict') return [[process.name, 'seccomp strict', 'read, write, exit, rt_sigreturn; anything else: SIGKILL']];
  return own.filters.map((id, index) => {
    const filter = kernel.seccomp?.filters.byId[id];
    const detail = filter === undefined ? `filter ${id}` : `${filter.label}: ${filter.program.length} instructions${filter.log ? ', logged' : ''}${filter.listener === null ? '' : `, listener fd file ${filter.listener}`}`;
    return [index === 0 ? process.name : '', `seccomp filter #${id}${index === 0 ? ' (newest, runs first)' : ''}`, detail];
  });
}

function monitorRows(process: Process, view: MonitorView | undefined): Child[][] {
  if (view === undefined) return [];
  const policy = view.policy;
  const rules = [...policy.allow.map((p) => `allow ${p}`), ...policy.deny.map((p) => `deny ${p}`), `network: ${policy.network ? 'on' : 'off'}`].join(' · ');
  const mirror = `its view: cwd ${view.cwd}, root ${view.root}, fds ${view.fds.map((fd) => `${fd.fd}=${fd.path}`).join(', ') || 'none'}`;
  const pending = view.pending === null ? '' : ` · holding ${view.pending.call} until the process resumes`;
  return [[process.name, `monitor ${policy.name} (${policy.mode})`, h('span', null, rules, h('br', null), h('span', { class: 'muted' }, mirror + pending))]];
}

function macRows(kernel: KernelState & Sandboxed, process: Process): Child[][] {
  const name = kernel.mac?.confined[process.pid];
  if (name === undefined) return [];
  const profile = kernel.mac?.profiles.byName[name];
  if (profile === undefined) return [[process.name, `MAC profile ${name}`, '']];
  const rules = profile.rules.map((rule) => rule.text);
  const lines = [...rules, `otherwise ${profile.fallback}`].map((line) => h('li', { class: 'mono' }, line));
  return [[process.name, `${profile.style === 'apparmor' ? 'AppArmor' : 'sandbox'} profile ${name}`, h('ul', { class: 'plain' }, lines)]];
}

function notificationRows(kernel: KernelState & Sandboxed): Child[][] {
  const notifications = kernel.interpose?.notifications;
  if (notifications === undefined) return [];
  return notifications.ids.map((id) => {
    const notification = notifications.byId[id]!;
    const target = kernel.processes.byId[notification.pid]?.name ?? String(notification.pid);
    const checked = notification.received === null ? '' : `; the supervisor read ${notification.received.path}`;
    return [target, `notification ${id}: ${notification.call}`, `${notification.state}${checked}`];
  });
}

registerPanel({
  id: 'sandbox',
  title: 'Sandboxing',
  order: 45,
  slices: [],
  open: true,
  render({ state }) {
    const kernel = state.kernel as KernelState & Sandboxed;
    const rows: Child[][] = [];
    for (const pid of kernel.processes.ids) {
      const process = kernel.processes.byId[pid]!;
      rows.push(...seccompRows(kernel, process), ...monitorRows(process, kernel.interpose?.views.byPid[pid]), ...macRows(kernel, process));
    }
    rows.push(...notificationRows(kernel));
    if (rows.length === 0) return null;
    return table(['process', 'confinement', 'detail'], rows, { class: 'grid compact sandbox' });
  },
});
