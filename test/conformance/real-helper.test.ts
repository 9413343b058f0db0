// Proves that the real side reports what the kernel really does, and touches nothing
// outside its temporary directory: its credential readings agree with /proc's, its
// header constants with isolab's table, a case sees only its own tree, leaves no mount
// or file behind, and a case it cannot set up is reported, never passed.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { ALICE, caseOf, dir, file, type ConformanceCase } from '../../conformance/case.js';
import { constantValue } from '../../engine/kernel/syscall/constants.js';
import { rawCallOf } from '../../conformance/calls.js';
import { capsText } from '../../conformance/outcome.js';
import { probeMachine, runHelper, runRealCase, type Available, type Machine } from '../../conformance/real.js';
import { specOf } from '../../conformance/spec.js';
import { exactWorld } from '../../conformance/world.js';

let machine: Available<Machine> = { ok: false, reason: 'the machine was not probed' };

beforeAll(() => {
  machine = probeMachine();
});

function needMachine(context: { skip: (note?: string) => never }): Machine {
  if (!machine.ok) return context.skip(machine.reason);
  return machine.value;
}

/** Fields of /proc/<pid>/status (proc(5)): "Uid:\t1000\t1000\t1000\t1000" → ["1000", …]. */
function procStatus(text: string): Record<string, string[]> {
  const fields: Record<string, string[]> = {};
  for (const line of text.split('\n')) {
    const cut = line.indexOf(':');
    if (cut > 0) fields[line.slice(0, cut)] = line.slice(cut + 1).trim().split(/\s+/);
  }
  return fields;
}

const probeCase = (calls: string[], start = ALICE, fs: ConformanceCase['entries'] = []): ConformanceCase => caseOf('credentials', { id: 'credentials/helper-self-check', rule: 'the helper itself', fs, process: start, calls });

describe('the real-kernel helper', () => {
  it('reports the ids and capabilities that /proc reports for a child dropped to uid 1000', (context) => {
    const m = needMachine(context);
    // Node's own spawn drops privilege (setgroups(0), setgid, setuid): an oracle independent of the helper.
    const status = procStatus(spawnSync('cat', ['/proc/self/status'], { uid: 1000, gid: 1000, encoding: 'utf8' }).stdout);
    const real = runRealCase(probeCase(['getuid() = 1000', 'geteuid() = 1000', 'getgid() = 1000']), m);
    if (!real.ok) throw new Error(real.reason);
    const c = real.value.credentials;
    expect(real.value.calls.map((call) => call.ret)).toEqual([1000, 1000, 1000]);
    expect([c.ruid, c.euid, c.suid, c.fsuid].map(String)).toEqual(status.Uid);
    expect([c.rgid, c.egid, c.sgid, c.fsgid].map(String)).toEqual(status.Gid);
    const mask = (field: string) => capsText(BigInt('0x' + status[field]![0]!), m.caps);
    expect([c.permitted, c.effective, c.inheritable, c.bounding, c.ambient]).toEqual([mask('CapPrm'), mask('CapEff'), mask('CapInh'), mask('CapBnd'), mask('CapAmb')]);
    expect(c.noNewPrivs).toBe(status.NoNewPrivs![0] === '1');
  });

  it('reports root with the capabilities /proc gives a root child', (context) => {
    const m = needMachine(context);
    const status = procStatus(spawnSync('cat', ['/proc/self/status'], { encoding: 'utf8' }).stdout);
    const real = runRealCase(probeCase(['getuid() = 0'], { uid: 0, gid: 0 }), m);
    if (!real.ok) throw new Error(real.reason);
    expect(real.value.credentials.permitted).toBe(capsText(BigInt('0x' + status.CapPrm![0]!), m.caps));
    expect(real.value.credentials.bounding).toBe(capsText(BigInt('0x' + status.CapBnd![0]!), m.caps));
    expect(real.value.calls[0]).toEqual({ call: 'getuid()', ret: 0, errno: null });
  });

  it("was compiled with the same constants as isolab's table (include/uapi headers)", (context) => {
    const m = needMachine(context);
    const names = Object.keys(m.constants).filter((name) => name !== 'CAP_LAST_CAP');
    expect(names.length).toBeGreaterThan(50);
    expect(Object.fromEntries(names.map((name) => [name, constantValue(name)]))).toEqual(Object.fromEntries(names.map((name) => [name, m.constants[name]])));
  });

  it('gives a case only its own tree: no host path is reachable, not even through ".."', (context) => {
    const m = needMachine(context);
    const hostPaths = [process.cwd(), m.helper.path, '/usr/bin/gcc'];
    const calls = [...hostPaths.map((path) => `stat(${JSON.stringify(path)}) = ENOENT`), 'chdir("/../../..") = 0', 'getcwd() = 2 "/\\u0000"', 'openat(AT_FDCWD, "/proc/self/status", O_RDONLY) = ENOENT'];
    const real = runRealCase(probeCase(calls, { uid: 0, gid: 0 }), m);
    if (!real.ok) throw new Error(real.reason);
    expect(real.value.calls.map((call) => call.errno ?? call.ret)).toEqual(['ENOENT', 'ENOENT', 'ENOENT', 0, 2, 'ENOENT']);
  });

  it('leaves nothing behind: the host directory stays empty, is removed, and no mount leaks', (context) => {
    const m = needMachine(context);
    const conformanceCase = caseOf('path', {
      id: 'path/helper-cleanup',
      rule: 'cleanup',
      fs: [dir('/srv'), file('/srv/f', 'x'), { kind: 'bind', source: '/srv', target: '/mnt', flags: { readonly: true } }, { kind: 'tmpfs', target: '/tmp', flags: {} }],
      process: { uid: 0, gid: 0 },
      calls: ['mkdir("/tmp/made", 0755) = 0'],
    });
    const world = exactWorld(conformanceCase, m.caps);
    if (!world.ok) throw new Error(world.reason);
    const run = runHelper(m.helper, specOf(world.value, conformanceCase.mounts, [rawCallOf('mkdir("/tmp/made", 0755)')]));
    expect(run.lines.find((line) => line.event === 'call')).toMatchObject({ ret: 0 });
    expect(run.leftovers).toEqual([]);
    expect(existsSync(run.directory)).toBe(false);
    expect(readFileSync('/proc/self/mountinfo', 'utf8')).not.toContain('isolab-case-');
  });

  it('reports a case it cannot set up as a reason, never as a pass', (context) => {
    const m = needMachine(context);
    // An ambient capability that is not inheritable: the kernel refuses to raise it.
    const real = runRealCase(probeCase(['getuid() = 1000'], { ...ALICE, caps: ['CAP_KILL'], ambient: ['CAP_KILL'] }), m);
    expect(real).toEqual({ ok: false, reason: 'the helper could not set the case up: prctl(PR_CAP_AMBIENT_RAISE) (EPERM)' });
  });

  it('skips a case that names a capability this machine lacks', (context) => {
    const m = needMachine(context);
    const lacking = ['CAP_SYS_RESOURCE', 'CAP_CHECKPOINT_RESTORE'].find((name) => (m.caps & (1n << BigInt(constantValue(name)!))) === 0n);
    if (lacking === undefined) return context.skip('this machine has every capability the test could name');
    const real = runRealCase(probeCase(['getuid() = 1000'], { ...ALICE, caps: [lacking] }), m);
    expect(real).toEqual({ ok: false, reason: `this machine's root lacks ${lacking}` });
  });
});
