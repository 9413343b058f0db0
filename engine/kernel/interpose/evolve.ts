/** Reducers of the monitor's views, in the kernel slice under `interpose` (state.ts). */
import type { Envelope } from '../../core/decider.js';
import type { KernelState } from '../state.js';
import type { MirrorChange } from './events.js';
import { interposeStateOf, notificationsOf, withInterposeState, type MonitorView, type Notification, type PendingCall } from './state.js';

type Reducer = (kernel: KernelState, event: Envelope) => KernelState;

function withView(kernel: KernelState, pid: number, update: (view: MonitorView) => MonitorView): KernelState {
  const state = interposeStateOf(kernel);
  const view = state.views.byPid[pid];
  if (view === undefined) return kernel;
  return withInterposeState(kernel, { ...state, views: { ids: state.views.ids, byPid: { ...state.views.byPid, [pid]: update(view) } } });
}

export function applyMirrorChange(view: MonitorView, change: MirrorChange): MonitorView {
  switch (change.kind) {
    case 'fdAdded': {
      const fds = [...view.fds.filter((entry) => entry.fd !== change.entry.fd), change.entry].sort((a, b) => a.fd - b.fd);
      return { ...view, fds };
    }
    case 'fdClosed':
      return { ...view, fds: view.fds.filter((entry) => entry.fd !== change.fd) };
    case 'cwdChanged':
      return { ...view, cwd: change.path };
    case 'rootChanged':
      return { ...view, root: change.path };
    case 'execed':
      return { ...view, fds: view.fds.filter((entry) => !entry.cloexec) };
  }
}

function withNotifications(kernel: KernelState, update: (all: ReturnType<typeof notificationsOf>) => ReturnType<typeof notificationsOf>): KernelState {
  return withInterposeState(kernel, { ...interposeStateOf(kernel), notifications: update(notificationsOf(kernel)) });
}

function withNotification(kernel: KernelState, id: number, update: (notification: Notification) => Notification): KernelState {
  return withNotifications(kernel, (all) => {
    const notification = all.byId[id];
    return notification === undefined ? all : { ...all, byId: { ...all.byId, [id]: update(notification) } };
  });
}

export const interposeKernelReducers: Readonly<Record<string, Reducer>> = {
  'interpose.attached': (kernel, event) => {
    const { why: _why, ...view } = event.data as MonitorView & { why: string };
    const state = interposeStateOf(kernel);
    const ids = state.views.ids.includes(view.pid) ? state.views.ids : [...state.views.ids, view.pid];
    return withInterposeState(kernel, { ...state, views: { ids, byPid: { ...state.views.byPid, [view.pid]: view } } });
  },
  'interpose.suspended': (kernel, event) => {
    const { pid, abi, request, call, checks } = event.data as PendingCall & { pid: number };
    return withView(kernel, pid, (view) => ({ ...view, pending: { abi, request, call, checks } }));
  },
  'interpose.released': (kernel, event) => {
    const { pid } = event.data as { pid: number };
    return withView(kernel, pid, (view) => ({ ...view, pending: null }));
  },
  'interpose.notified': (kernel, event) => {
    const { note: _note, ...notification } = event.data as Notification & { note: string };
    return withNotifications(kernel, (all) => ({ ids: [...all.ids, notification.id], byId: { ...all.byId, [notification.id]: notification }, nextId: notification.id + 1 }));
  },
  'interpose.notificationReceived': (kernel, event) => {
    const { id, received } = event.data as Pick<Notification, 'id' | 'received'>;
    return withNotification(kernel, id, (notification) => ({ ...notification, received, state: 'received' }));
  },
  'interpose.notificationAnswered': (kernel, event) => {
    const { id, answer } = event.data as Pick<Notification, 'id' | 'answer'>;
    return withNotification(kernel, id, (notification) => ({ ...notification, answer, state: 'answered' }));
  },
  'interpose.notificationDone': (kernel, event) => {
    const { id } = event.data as { id: number };
    return withNotifications(kernel, (all) => {
      const { [id]: _done, ...byId } = all.byId;
      return { ids: all.ids.filter((other) => other !== id), byId, nextId: all.nextId };
    });
  },
  'interpose.mirrored': (kernel, event) => {
    const { pid, change } = event.data as { pid: number; change: MirrorChange };
    return withView(kernel, pid, (view) => applyMirrorChange(view, change));
  },
};
