/**
 * The helper's input for one case: a line-oriented spec (real-helper.c reads it from
 * stdin). Paths, contents and strings travel as "x" + hex, so no quoting is needed;
 * numbers are decimal or 0x-hex. Order: the tree (parents first), file capabilities,
 * mounts, the inode list that lets a stat result name its path, the working
 * directory, the credentials, then the calls.
 */
import type { RawArg, RawCall } from './calls.js';
import type { CaseMount, MountFlagsOption } from './case.js';
import type { ExactWorld } from './world.js';

/** "x" and the UTF-8 bytes in hex ("x" alone for an empty string). */
export function hexToken(text: string): string {
  return 'x' + Buffer.from(text, 'utf8').toString('hex');
}

/** Content is bytes, one per character (as the simulator stores it), not UTF-8. */
function contentToken(text: string): string {
  return 'x' + Buffer.from(text, 'latin1').toString('hex');
}

const octal = (mode: number) => '0' + mode.toString(8);

/** MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC (include/uapi/linux/mount.h). */
export function mountFlagBits(flags: MountFlagsOption): number {
  return (flags.readonly ? 1 : 0) | (flags.nosuid ? 2 : 0) | (flags.nodev ? 4 : 0) | (flags.noexec ? 8 : 0);
}

function treeLines(world: ExactWorld): string[] {
  const lines: string[] = [];
  for (const entry of world.entries) {
    const owner = `${octal(entry.mode)} ${entry.uid} ${entry.gid}`;
    const path = hexToken(entry.path);
    if (world.probes.has(entry.path)) lines.push(`probe ${path} ${owner}`);
    else if (entry.kind === 'file') lines.push(`file ${path} ${owner} ${contentToken(entry.content ?? '')}`);
    else if (entry.kind === 'symlink') lines.push(`symlink ${path} ${owner} ${hexToken(entry.target ?? '')}`);
    else lines.push(`${entry.kind} ${path} ${owner}`);
  }
  for (const entry of world.entries) {
    if (entry.fileCaps !== undefined && entry.fileCaps !== null) {
      lines.push(`fcaps ${hexToken(entry.path)} ${entry.fileCaps.permitted} ${entry.fileCaps.inheritable} ${entry.fileCaps.effective ? 1 : 0}`);
    }
  }
  return lines;
}

function mountLine(mount: CaseMount): string {
  const flags = mountFlagBits(mount.flags);
  return mount.kind === 'bind' ? `mount bind ${hexToken(mount.source)} ${hexToken(mount.target)} ${flags}` : `mount tmpfs ${hexToken(mount.target)} ${flags}`;
}

function credentialLines(world: ExactWorld): string[] {
  const c = world.credentials;
  const hex = (mask: bigint) => '0x' + mask.toString(16);
  return [
    `uids ${c.ruid} ${c.euid} ${c.suid} ${c.fsuid}`,
    `gids ${c.rgid} ${c.egid} ${c.sgid} ${c.fsgid}`,
    `groups ${c.groups.length}${c.groups.map((g) => ` ${g}`).join('')}`,
    `caps ${hex(c.permitted)} ${hex(c.effective)} ${hex(c.inheritable)} ${hex(c.bounding)} ${hex(c.ambient)}`,
    `securebits ${c.securebits}`,
    `nnp ${c.noNewPrivs ? 1 : 0}`,
  ];
}

function argToken(arg: RawArg): string {
  switch (arg.kind) {
    case 'int':
      return `i:0x${arg.value.toString(16)}`;
    case 'string':
      return `s:${hexToken(arg.text)}`;
    case 'out':
      return `o:${arg.sizeBytes}`;
    case 'gids':
      return `g:${arg.ids.length}${arg.ids.map((id) => `,${id}`).join('')}`;
    case 'capHeader':
      return 'h:';
    case 'capData':
      return `c:0x${arg.effective.toString(16)}:0x${arg.permitted.toString(16)}:0x${arg.inheritable.toString(16)}`;
  }
}

export function callLine(call: RawCall): string {
  return `call ${call.nr} ${call.name} ${call.args.length}${call.args.map((arg) => ` ${argToken(arg)}`).join('')}`;
}

/** The whole spec of a case. */
export function specOf(world: ExactWorld, mounts: readonly CaseMount[], calls: readonly RawCall[]): string {
  const lines = [
    ...treeLines(world),
    ...mounts.map(mountLine),
    ...world.entries.map((entry) => `inode ${hexToken(entry.path)}`),
    'inodes-end',
    `cwd ${hexToken(world.cwd)}`,
    ...credentialLines(world),
    ...calls.map(callLine),
  ];
  return lines.join('\n') + '\n';
}
