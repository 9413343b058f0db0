/** Secrets: placed by the scenario, learned when a user-mode read by a non-owner sees them. */
import type { Command, Envelope, EventDraft } from '../core/decider.js';
import { hexToBytes } from '../core/bytes.js';
import type { MechanismDefinition } from '../core/engine.js';
import { hex } from '../core/u64.js';
import type { MachineState } from '../machine/state.js';
import { directMapPhysical, kernelLayoutOf } from '../kernel/layout.js';
import { processByName, vmaAt } from '../kernel/state.js';
import type { ObserverState, Secret } from './state.js';

export interface PlaceSecretData {
  readonly name: string;
  readonly owner: string;
  readonly va: bigint;
  readonly bytes: string;
}

/** The physical address behind `va` for the secret's owner, or a reason why there is none. */
function physicalOf(state: MachineState, owner: string, va: bigint): number | string {
  if (owner === 'kernel') {
    const physical = directMapPhysical(kernelLayoutOf(state.config), va);
    return physical ?? `${hex(va)} is not in the kernel's direct map`;
  }
  const process = processByName(state.kernel, owner);
  if (process === null) return `no process ${owner}`;
  const vma = vmaAt(process, va);
  if (vma === null) return `${owner} has nothing mapped at ${hex(va)}`;
  const frameBytes = state.memory.frameBytes;
  const offset = Number(va - vma.start);
  return vma.frames[Math.floor(offset / frameBytes)]! * frameBytes + (offset % frameBytes);
}

function decidePlaceSecret(state: MachineState, command: Command): EventDraft[] {
  const data = (command as Command<'observer.placeSecret', PlaceSecretData>).data;
  const physical = physicalOf(state, data.owner, data.va);
  if (typeof physical === 'string') {
    return [{ type: 'kernel.requestRefused', actor: 'observer', data: { operation: `secret ${data.name}`, errno: 'EFAULT', reason: physical } }];
  }
  const length = data.bytes.length / 2;
  const before = state.memory.store.read(physical, length);
  return [
    {
      type: 'memory.written',
      actor: data.owner,
      data: { address: physical, bytes: data.bytes, before: Array.from(before, (b) => b.toString(16).padStart(2, '0')).join(''), by: data.owner, cpl: 0 },
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
