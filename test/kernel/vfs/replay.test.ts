// Proves the file system's events are the whole story (DESIGN.md, "Traces"): a scenario full of file
// calls gives byte-identical traces when run twice, its events are plain JSON, and folding them
// again from the initial state rebuilds the same final state — inodes, mounts, descriptors, channels.
import { describe, expect, it } from 'vitest';
import type { Envelope } from '../../../engine/core/decider.js';
import { canonicalJson } from '../../../engine/core/canonical.js';
import { hashOf } from '../../../engine/core/hash.js';
import { initialMachineState } from '../../../engine/machine/initial.js';
import { foldMachine } from '../../../engine/machine/mechanisms.js';
import { compileText, failuresOf, runText } from '../../helpers/scenario.js';

const SCENARIO = `scenario "files"
invariant vfs.dac, vfs.chroot-confinement
fs {
  dir "/srv" { mode: 0777 }
  file "/srv/f" "hello" { mode: 0644 }
  dir "/jail"
  dir "/mnt/a"
}
process root { uid: 0 }
process alice { uid: 1000 }
alice: syscall openat(AT_FDCWD, "/tmp/note", O_RDWR|O_CREAT, 0600) expect returns 3
alice: syscall write(3, "draft", 5) expect returns 5
alice: syscall pipe() expect returns 0
alice: syscall write(5, "ping", 4) expect returns 4
alice: syscall socketpair(AF_UNIX, SOCK_STREAM, 0) expect returns 0
alice: syscall dup2(3, 9) expect returns 9
alice: syscall mkdir("/srv/d", 0755) expect returns 0
alice: syscall symlink("/srv/f", "/srv/d/ln") expect returns 0
alice: syscall rename("/srv/d", "/srv/e") expect returns 0
alice: syscall link("/tmp/note", "/tmp/note2") expect returns 0
alice: syscall unlink("/tmp/note") expect returns 0
root: syscall mount("tmpfs", "/mnt/a", "tmpfs", MS_NOSUID) expect returns 0
root: syscall mount("/srv", "/jail", "", MS_BIND) expect returns 0
root: syscall umount2("/mnt/a", MNT_DETACH) expect returns 0
root: syscall chroot("/jail") expect returns 0
root: syscall chown("/f", 1000, 1000) expect returns 0
`;

function eventsOf(text: string): Envelope[] {
  const events: Envelope[] = [];
  runText(text, {}, { onEngine: (engine) => engine.events$.subscribe((envelope) => events.push(envelope)) });
  return events;
}

describe('file-system traces', () => {
  it('are deterministic: two runs give the same events', () => {
    expect(canonicalJson(eventsOf(SCENARIO))).toBe(canonicalJson(eventsOf(SCENARIO)));
  });

  it('carry plain JSON and rebuild the final state when folded again', () => {
    const events = eventsOf(SCENARIO);
    const result = runText(SCENARIO);
    expect(failuresOf(result)).toEqual([]);
    expect(result.violations).toEqual([]);
    const roundTripped = JSON.parse(JSON.stringify(events)) as Envelope[];
    expect(roundTripped).toEqual(events);
    const plan = compileText(SCENARIO);
    const replayed = roundTripped.reduce((state, event) => foldMachine(state, event), initialMachineState(plan.config, plan.features));
    expect(hashOf(replayed.vfs)).toBe(hashOf(result.state.vfs));
    expect(hashOf(replayed.kernel)).toBe(hashOf(result.state.kernel));
  });
});
