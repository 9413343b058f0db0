/** Secrets: placed by the scenario, learned when a user-mode read by a non-owner sees them. */
import type { Command, Envelope, EventDraft } from '../core/decider.js';
import { hexToBytes } from '../core/bytes.js';
import type { MechanismDefinition } from '../core/engine.js';
import { hex } from '../core/u64.js';
import type { MachineState } from '../machine/state.js';
import { directMapPhysical, kernelLayoutOf } from '../kernel/layout.js';
import { processByName } from '../kernel/state.js';
import { prepareUserAccess } from '../kernel/proc/uaccess.js';
import type { ObserverState, Secret } from './state.js';

export interface PlaceSecretData {
  readonly name: string;
  readonly owner: string;
  readonly va: bigint;
  readonly bytes: string;
}

/**
 * Where the secret goes for its owner: the physical address behind `va`, the bytes there
 * now, and for a process the events that make the page present and private first (a
 * page never touched, swapped out or shared copy-on-write) — the owner writing its own
 * secret, as the kernel's copy_to_user would. Or a reason why there is no such place.
 */
function placeOf(state: MachineState, owner: string, va: bigint, length: number): { physical: number; before: string; drafts: EventDraft[] } | string {
  if (owner === 'kernel') {
    const physical = directMapPhysical(kernelLayoutOf(state.config), va);
    if (physical === null) return `${hex(va)} is not in the kernel's direct map`;
    return { physical, before: state.memory.store.readHex(physical, length), drafts: [] };
  }
  const process = processByName(state.kernel, owner);
  if (process === null) return `no process ${owner}`;
  const range = prepareUserAccess(state, process, va, length, 'write');
  if (range === null) return `${owner} has nothing writable mapped at ${hex(va)}`;
  return { physical: range.physicalOf(va), before: range.readHex(va, length), drafts: range.drafts };
}

function decidePlaceSecret(state: MachineState, command: Command): EventDraft[] {
  const data = (command as Command<'observer.placeSecret', PlaceSecretData>).data;
  const place = placeOf(state, data.owner, data.va, data.bytes.length / 2);
  if (typeof place === 'string') {
    return [{ type: 'kernel.requestRefused', actor: 'observer', data: { operation: `secret ${data.name}`, errno: 'EFAULT', reason: place } }];
  }
  const physical = place.physical;
  return [
    ...place.drafts,
    {
      type: 'memory.written',
      actor: data.owner,
      data: { address: physical, bytes: data.bytes, before: place.before, by: data.owner, cpl: 0 },
    },
    {
      type: 'observer.secretPlaced',
      actor: 'observer',
      data: { name: data.name, owner: data.owner, va: hex(data.va), physicalAddress: physical, bytes: data.bytes },
    },
  ];
}

interface ReadData {
  readonly address: number;
  readonly size: number;
  readonly bytes: string;
  readonly by: string;
  readonly cpl: number;
}

/** Secrets whose bytes this user-mode read saw, with how many bytes. */
export function secretsSeen(observer: ObserverState, read: ReadData): { secret: Secret; count: number }[] {
  if (read.cpl !== 3 || observer.secrets.ids.length === 0) return [];
  const seen: { secret: Secret; count: number }[] = [];
  const readBytes = hexToBytes(read.bytes);
  for (const name of observer.secrets.ids) {
    const secret = observer.secrets.byName[name]!;
    if (secret.owner === read.by || secret.erased) continue;
    const secretBytes = hexToBytes(secret.bytes);
    let count = 0;
    for (let i = 0; i < readBytes.length; i++) {
      const at = read.address + i - secret.physicalAddress;
      if (at >= 0 && at < secretBytes.length && secretBytes[at] === readBytes[i]) count++;
    }
    if (count > 0) seen.push({ secret, count });
  }
  return seen;
}

function reactToRead(state: MachineState, event: Envelope): Command[] {
  const read = event.data as ReadData;
  return secretsSeen(state.observer, read).map(({ secret, count }) => ({
    type: 'observer.learn',
    actor: read.by,
    data: { actor: read.by, secret: secret.name, bytes: count, of: secret.bytes.length / 2, address: read.address },
  }));
}

/** Secrets whose bytes lie in frames the kernel just zeroed for reuse. */
function reactToZeroing(state: MachineState, event: Envelope): Command[] {
  const { frames } = event.data as { frames: number[] };
  const frameBytes = state.memory.frameBytes;
  const names = state.observer.secrets.ids.filter((name) => {
    const secret = state.observer.secrets.byName[name]!;
    const first = Math.floor(secret.physicalAddress / frameBytes);
    const last = Math.floor((secret.physicalAddress + secret.bytes.length / 2 - 1) / frameBytes);
    return !secret.erased && frames.some((pfn) => pfn >= first && pfn <= last);
  });
  return names.length === 0 ? [] : [{ type: 'observer.erase', actor: 'observer', data: { names } }];
}

function decideErase(_state: MachineState, command: Command): EventDraft[] {
  const { names } = command.data as { names: string[] };
  return names.map((name) => ({ type: 'observer.secretErased', actor: 'observer', data: { name } }));
}

function decideLearn(_state: MachineState, command: Command): EventDraft[] {
  return [{ type: 'observer.secretLeaked', actor: command.actor, data: command.data }];
}

export const observerMechanism: MechanismDefinition<MachineState, 'observer'> = {
  name: 'observer',
  slice: 'observer',
  decide: { 'observer.placeSecret': decidePlaceSecret, 'observer.learn': decideLearn, 'observer.erase': decideErase },
  evolve: {
    'observer.secretPlaced': (observer, event) => {
      const secret = { ...(event.data as Omit<Secret, 'erased'>), erased: false };
      return {
        ...observer,
        secrets: { ids: [...observer.secrets.ids, secret.name], byName: { ...observer.secrets.byName, [secret.name]: secret } },
      };
    },
    'observer.secretErased': (observer, event) => {
      const { name } = event.data as { name: string };
      const secret = observer.secrets.byName[name]!;
      return { ...observer, secrets: { ...observer.secrets, byName: { ...observer.secrets.byName, [name]: { ...secret, erased: true } } } };
    },
    'observer.secretLeaked': (observer, event) => {
      const { actor, secret } = event.data as { actor: string; secret: string };
      const known = observer.knowledge[actor] ?? [];
      if (known.includes(secret)) return observer;
      return { ...observer, knowledge: { ...observer.knowledge, [actor]: [...known, secret].sort() } };
    },
  },
  react: { 'memory.read': reactToRead, 'memory.framesZeroed': reactToZeroing },
};
