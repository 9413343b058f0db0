// Proves the MAC gate judges the object the kernel resolves, on every mediated call, with
// the kernel's orderings (DAC before the open hook), inheritance across fork and exec,
// and an event naming the deciding rule.
import { describe, expect, it } from 'vitest';
import { failuresOf } from '../../helpers/scenario.js';
import { decisions, observe, outcomes } from './run.js';

const WORLD = `scenario "t"
invariant all
fs {
  dir "/data" { mode: 0755 }
  file "/data/public" "p" { mode: 0644 }
  file "/data/secret" "s" { mode: 0600 }
  symlink "/tmp/to-secret" "/data/secret"
  symlink "/tmp/dangling" "/data/created"
  symlink "/tmp/up" ".."
}
sandbox guard { default: allow, deny_read: "^/data/secret$", deny_write: "^/data/", allow_write: "^/data/created$" }
`;

describe('the gate judges the resolved object', () => {
  it('symlinks, "..", relative paths and dirfds all reach the same decision', () => {
    const { result, events } = observe(`${WORLD}
process p { uid: 0, sandbox: guard, cwd: "/tmp" }
p: syscall openat(AT_FDCWD, "/tmp/to-secret", O_RDONLY) expect errno EPERM
p: syscall openat(AT_FDCWD, "up/data/./secret", O_RDONLY) expect errno EPERM
p: syscall openat(AT_FDCWD, "/data", O_RDONLY|O_DIRECTORY) expect returns 3
p: syscall openat(3, "secret", O_RDONLY) expect errno EPERM
p: syscall openat(3, "public", O_RDONLY) expect returns 4
`);
    expect(failuresOf(result)).toEqual([]);
    expect(decisions(events).filter((d) => d.verdict === 'deny').map((d) => d.path)).toEqual(['/data/secret', '/data/secret', '/data/secret']);
    expect(result.violations).toEqual([]);
  });

  it('O_CREAT through a dangling symlink is judged at the file it would create', () => {
    const { result, events } = observe(`${WORLD}
process p { uid: 0, sandbox: guard }
p: syscall openat(AT_FDCWD, "/tmp/dangling", O_WRONLY|O_CREAT, 0644) expect returns 3
p: syscall openat(AT_FDCWD, "/data/other", O_WRONLY|O_CREAT, 0644) expect errno EPERM
`);
    expect(failuresOf(result)).toEqual([]);
    expect(decisions(events).map((d) => `${d.operation} ${d.path} ${d.verdict}`)).toEqual(['file-write /data/created allow', 'file-write /data/other deny']);
  });

  it('names the rule that decided in mac.decided', () => {
    const { events } = observe(`${WORLD}
process p { uid: 0, sandbox: guard }
p: syscall openat(AT_FDCWD, "/data/public", O_RDWR)
`);
    expect(decisions(events)).toEqual([
      { operation: 'file-read', path: '/data/public', family: null, verdict: 'allow', rule: '(allow default)' },
      { operation: 'file-write', path: '/data/public', family: null, verdict: 'deny', rule: '(deny file-write* (regex #"^/data/"))' },
    ]);
    expect(outcomes(events)).toEqual(['openat EPERM']);
  });

  it('a DAC refusal comes before the profile on open (may_open before security_file_open)', () => {
    const { events } = observe(`${WORLD}
process p { uid: 1000, sandbox: guard }
p: syscall openat(AT_FDCWD, "/data/secret", O_RDONLY)
p: syscall openat(AT_FDCWD, "/data/missing", O_RDONLY)
`);
    expect(outcomes(events)).toEqual(['openat EACCES', 'openat ENOENT']);
  });

  it('mediates the calls that write names: unlink, rename, mkdir, symlink, link, chmod, chown, fchmod', () => {
    const { result, events } = observe(`${WORLD}
process p { uid: 0, sandbox: guard }
p: syscall unlink("/data/public") expect errno EPERM
p: syscall rename("/tmp/up", "/data/moved") expect errno EPERM
p: syscall mkdir("/data/d", 0755) expect errno EPERM
p: syscall symlink("/x", "/data/l") expect errno EPERM
p: syscall link("/data/public", "/tmp/hard") expect returns 0
p: syscall chmod("/tmp/to-secret", 0666) expect errno EPERM
p: syscall chown("/data/public", 1000, 1000) expect errno EPERM
p: syscall openat(AT_FDCWD, "/data/public", O_RDONLY) expect returns 3
p: syscall fchmod(3, 0600) expect errno EPERM
p: syscall mkdir("/tmp/d", 0755) expect returns 0
`);
    expect(failuresOf(result)).toEqual([]);
    expect(decisions(events).find((d) => d.path === '/data/secret' && d.operation === 'file-write')).toBeDefined();
  });

  it('unconfined processes are not judged', () => {
    const { events } = observe(`${WORLD}
process p { uid: 0 }
p: syscall openat(AT_FDCWD, "/data/secret", O_RDONLY)
`);
    expect(decisions(events)).toEqual([]);
    expect(outcomes(events)).toEqual(['openat 3']);
  });
});

describe('inheritance', () => {
  it('fork children and their children run under the profile; exec keeps it', () => {
    const { result } = observe(`${WORLD}
process p { uid: 0, sandbox: guard }
p: syscall fork() as child expect returns 2
child: syscall fork() as grandchild expect returns 3
grandchild: syscall openat(AT_FDCWD, "/data/secret", O_RDONLY) expect errno EPERM
child: syscall execve("/bin/sh") expect returns 0
child: syscall openat(AT_FDCWD, "/data/secret", O_RDONLY) expect errno EPERM
p: syscall openat(AT_FDCWD, "/data/public", O_RDONLY) expect returns 3
`);
    expect(failuresOf(result)).toEqual([]);
    expect(result.state.kernel.mac?.confined).toEqual({ 1: 'guard', 2: 'guard', 3: 'guard' });
  });

  it('a process cannot be confined twice', () => {
    const { result } = observe(`${WORLD}
apparmor other { allow: "/** r" }
process p { uid: 0, sandbox: guard, apparmor: other }
`);
    expect(result.state.kernel.mac?.confined).toEqual({ 1: 'guard' });
  });
});

describe('pure-computation and the network', () => {
  it('pure-computation leaves memory, the open descriptors and exit', () => {
    const { result, events } = observe(`scenario "t"
invariant all
process p { uid: 0, sandbox: pure-computation }
p: syscall getpid expect returns 1
p: syscall write(STDOUT_FILENO, "hi", 2) expect returns 2
p: syscall mmap(0, 4096, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) expect ok
p: syscall openat(AT_FDCWD, "/etc/passwd", O_RDONLY) expect errno EPERM
p: syscall stat("/etc/passwd") expect errno EPERM
p: syscall socket(AF_UNIX, SOCK_STREAM, 0) expect errno EPERM
p: syscall fork() expect errno EPERM
p: syscall execve("/bin/sh") expect errno EPERM
p: syscall exit(0)
`);
    expect(failuresOf(result)).toEqual([]);
    expect(outcomes(events).at(-1)).toBe('exit 0');
  });

  it('AppArmor answers EACCES, leaves stat alone and checks connect by the socket family', () => {
    const { result } = observe(`scenario "t"
invariant all
apparmor web { allow: "/etc/** r", network: unix }
process p { uid: 0, apparmor: web }
p: syscall stat("/root") expect returns 0
p: syscall openat(AT_FDCWD, "/root", O_RDONLY) expect errno EACCES
p: syscall socket(AF_INET, SOCK_STREAM, 0) expect errno EACCES
p: syscall socket(AF_UNIX, SOCK_STREAM, 0) expect returns 3
p: syscall connect(3, "/run/x.sock") expect errno ECONNREFUSED
`);
    expect(failuresOf(result)).toEqual([]);
  });
});

describe('the socket layer', () => {
  it('makes sockets of three families, binds, refuses connections', () => {
    const { result } = observe(`scenario "t"
process p { uid: 1000 }
p: syscall socket(AF_INET, SOCK_STREAM, 0) expect returns 3
p: syscall socket(AF_INET6, SOCK_DGRAM|SOCK_CLOEXEC, 0) expect returns 4
p: syscall socket(AF_UNIX, SOCK_SEQPACKET, 0) expect returns 5
p: syscall socket(AF_NETLINK, SOCK_RAW, 0) expect errno EAFNOSUPPORT
p: syscall socket(AF_INET, SOCK_SEQPACKET, 0) expect errno ESOCKTNOSUPPORT
p: syscall socket(AF_INET, SOCK_RAW, 0) expect errno EPERM
p: syscall bind(3, "0.0.0.0:8080") expect returns 0
p: syscall connect(3, "10.0.0.1:80") expect errno ECONNREFUSED
p: syscall connect(0, "10.0.0.1:80") expect errno ENOTSOCK
p: syscall connect(9, "10.0.0.1:80") expect errno EBADF
p: syscall socketpair(AF_UNIX, SOCK_STREAM, 0, 0x0) expect errno EFAULT
`);
    expect(failuresOf(result)).toEqual([]);
    expect(result.state.kernel.net?.sockets[Object.keys(result.state.kernel.net!.sockets)[0]!]).toMatchObject({ family: 'inet', type: 1, address: '0.0.0.0:8080' });
  });
});
