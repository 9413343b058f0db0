/**
 * Turns abstract actions into scenario lines, against a model of the mappings that
 * exist at that point, so every line compiles: a map that would overlap, or an unmap
 * or protect with nothing to act on, is dropped. The lines are exactly what the
 * counterexample prints, so a found attack is a scenario a person can read and re-run.
 */
import { hex } from '../engine/core/u64.js';
import { FILE_CALLS, INSTRUCTIONS, PERMS, SYSCALLS, type Action, type Target } from './actions.js';
import type { World } from './world.js';

interface Mapping {
  readonly start: bigint;
  readonly end: bigint;
}

const PAGE = 0x1000n;
const NONCANONICAL = 0x0000800000000000n;

export function renderActions(world: World, actions: readonly Action[]): string[] {
  const mappings = new Map<string, Mapping[]>();
  for (const [name, list] of world.compiled.context.mappings) mappings.set(name, list.map((m) => ({ start: m.start, end: m.end })));
  const lines: string[] = [];
  for (const action of actions) {
    const line = renderAction(world, mappings, action);
    if (line !== null) lines.push(line);
  }
  return lines;
}

function pagesOf(list: readonly Mapping[]): bigint[] {
  const out: bigint[] = [];
  for (const m of list) for (let va = m.start; va < m.end && out.length < 32; va += PAGE) out.push(va);
  return out;
}

function addressOf(world: World, mappings: Map<string, Mapping[]>, actor: string, target: Target): bigint {
  const pick = (list: readonly bigint[], fallback: bigint) => (list.length === 0 ? fallback : list[target.index % list.length]!);
  const offset = BigInt(target.offset);
  switch (target.pool) {
    case 'own':
      return pick(pagesOf(mappings.get(actor) ?? []), 0x400000n) + offset;
    case 'other': {
      const others = [...mappings].filter(([name]) => name !== actor).flatMap(([, list]) => pagesOf(list));
      return pick(others, 0x400000n) + offset;
    }
    case 'kernel':
      return pick(world.pools.kernel, 0xffff888000000000n) + offset;
    case 'free':
      return pick(world.pools.free, 0x10000000n) + offset;
    case 'noncanonical':
      return NONCANONICAL + BigInt(target.index) * PAGE + offset;
    case 'null':
      return offset;
  }
}

function renderAction(world: World, mappings: Map<string, Mapping[]>, action: Action): string | null {
  switch (action.kind) {
    case 'access': {
      const actor = world.attackers[action.actor % world.attackers.length]!;
      const va = hex(addressOf(world, mappings, actor, action.target));
      if (action.op === 'read') return `${actor}: read ${va} size ${action.size}`;
      if (action.op === 'write') return `${actor}: write ${va} = ${hex(action.value)}`;
      return `${actor}: jump ${va}`;
    }
    case 'kernel': {
      const actor = world.attackers[action.actor % world.attackers.length]!;
      const va = hex(addressOf(world, mappings, actor, action.target));
      const ac = action.ac ? ' with ac' : '';
      if (action.op === 'read') return `kernel in ${actor}: read ${va}${ac}`;
      if (action.op === 'write') return `kernel in ${actor}: write ${va} = 0x0${ac}`;
      return `kernel in ${actor}: jump ${va}`;
    }
    case 'exec': {
      const actor = world.attackers[action.actor % world.attackers.length]!;
      const text = INSTRUCTIONS[action.instruction % INSTRUCTIONS.length]!.replace('TARGET', hex(addressOf(world, mappings, actor, action.target)));
      return `${actor}: exec ${text}`;
    }
    case 'int': {
      const actor = world.attackers[action.actor % world.attackers.length]!;
      return action.vector === 0x80 ? `${actor}: int 0x80 getpid` : `${actor}: int ${hex(action.vector)}`;
    }
    case 'syscall': {
      const actor = world.attackers[action.actor % world.attackers.length]!;
      return `${actor}: syscall ${SYSCALLS[action.call % SYSCALLS.length]}`;
    }
    case 'map':
      return renderMap(world, mappings, action);
    case 'unmap':
    case 'protect': {
      const actor = world.attackers[action.actor % world.attackers.length]!;
      const list = mappings.get(actor) ?? [];
      if (list.length === 0) return null;
      const mapping = list[action.which % list.length]!;
      const size = `size ${Number(mapping.end - mapping.start) / 1024} KiB`;
      if (action.kind === 'protect') return `${actor}: protect ${hex(mapping.start)} ${size} ${PERMS[action.perms % PERMS.length]}`;
      mappings.set(actor, list.filter((m) => m !== mapping));
      return `${actor}: unmap ${hex(mapping.start)} ${size}`;
    }
    case 'bystander': {
      if (world.others.length === 0) return null;
      const process = world.others[action.process % world.others.length]!;
      const pages = pagesOf(mappings.get(process) ?? []);
      if (pages.length === 0) return null;
      const va = hex(pages[action.which % pages.length]!);
      return action.op === 'read' ? `${process}: read ${va}` : `${process}: write ${va} = 0x5a`;
    }
    case 'file':
      return renderFileCall(world, action);
    case 'timer':
      return 'kernel: timer';
  }
}

function renderMap(world: World, mappings: Map<string, Mapping[]>, action: Extract<Action, { kind: 'map' }>): string | null {
  const actor = world.attackers[action.actor % world.attackers.length]!;
  const candidates = [...world.pools.free, ...Object.values(world.pools.mapped).flat()];
  const start = candidates[action.slot % candidates.length];
  if (start === undefined) return null;
  const end = start + BigInt(action.pages) * PAGE;
  const list = mappings.get(actor) ?? [];
  if (end > world.pools.userTop || list.some((m) => start < m.end && end > m.start)) return null;
  mappings.set(actor, [...list, { start, end }]);
  return `${actor}: map ${hex(start)} size ${action.pages * 4} KiB ${PERMS[action.perms % PERMS.length]} ${action.user ? 'user' : 'kernel'}`;
}

/** A file or credential call with its placeholders filled from the world (null without a file system). */
function renderFileCall(world: World, action: Extract<Action, { kind: 'file' }>): string | null {
  const { paths, ids, processes } = world.files;
  if (paths.length === 0) return null;
  const actor = world.attackers[action.actor % world.attackers.length]!;
  const call = FILE_CALLS[action.call % FILE_CALLS.length]!
    .replace('{path2}', JSON.stringify(paths[action.b % paths.length]!))
    .replace('{path}', JSON.stringify(paths[action.a % paths.length]!))
    .replace('{pid}', processes[action.b % processes.length]!)
    .replaceAll('{id}', String(ids[action.b % ids.length]!))
    .replace('{fd}', String(action.a % 7));
  return `${actor}: syscall ${call}`;
}
