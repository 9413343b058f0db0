/**
 * The argument shapes of the system calls isolab implements, so that a scenario's call
 * is checked where it is written (count and kind of every argument) rather than failing
 * at run time. Kinds: `int` (a number, a constant such as O_RDONLY, or an OR of them),
 * `fd`, `path` (a "string", or a user address to copy it from), `buf` (data: a
 * "string", a user address, or the word `buf` for a kernel-side scratch buffer), `ptr`
 * (a user address or NULL), `fn` (a code address or a function name, for clone), `signal`
 * (SIGTERM or a number), `str` (a "string"), `caps` (a capability mask: CAP_A|CAP_B, or a
 * number), `pid` (a number, or a process's name for its pid), `intOrName` (an int as above, or
 * any other word as a name: a declared seccomp filter). A trailing `?` marks an optional argument;
 * `...` lets the last kind repeat (execve's argv).
 */

export type ArgKind = 'int' | 'fd' | 'path' | 'buf' | 'ptr' | 'fn' | 'signal' | 'str' | 'caps' | 'pid' | 'intOrName';

export interface Signature {
  readonly args: readonly string[];
  /** What the man page calls the arguments, for messages: "openat(dirfd, pathname, flags[, mode])". */
  readonly synopsis: string;
}

const sig = (synopsis: string, ...args: string[]): Signature => ({ synopsis, args });

export const SIGNATURES: Readonly<Record<string, Signature>> = {
  read: sig('read(fd, buf, count)', 'fd', 'buf', 'int'),
  write: sig('write(fd, buf, count)', 'fd', 'buf', 'int'),
  open: sig('open(pathname, flags[, mode])', 'path', 'int', 'int?'),
  creat: sig('creat(pathname, mode)', 'path', 'int'),
  openat: sig('openat(dirfd, pathname, flags[, mode])', 'fd', 'path', 'int', 'int?'),
  close: sig('close(fd)', 'fd'),
  lseek: sig('lseek(fd, offset, whence)', 'fd', 'int', 'int'),
  stat: sig('stat(pathname[, statbuf])', 'path', 'ptr?'),
  lstat: sig('lstat(pathname[, statbuf])', 'path', 'ptr?'),
  fstat: sig('fstat(fd[, statbuf])', 'fd', 'ptr?'),
  access: sig('access(pathname, mode)', 'path', 'int'),
  faccessat: sig('faccessat(dirfd, pathname, mode[, flags])', 'fd', 'path', 'int', 'int?'),
  mkdir: sig('mkdir(pathname, mode)', 'path', 'int'),
  mkdirat: sig('mkdirat(dirfd, pathname, mode)', 'fd', 'path', 'int'),
  rmdir: sig('rmdir(pathname)', 'path'),
  unlink: sig('unlink(pathname)', 'path'),
  unlinkat: sig('unlinkat(dirfd, pathname, flags)', 'fd', 'path', 'int'),
  symlink: sig('symlink(target, linkpath)', 'str', 'path'),
  symlinkat: sig('symlinkat(target, newdirfd, linkpath)', 'str', 'fd', 'path'),
  link: sig('link(oldpath, newpath)', 'path', 'path'),
  linkat: sig('linkat(olddirfd, oldpath, newdirfd, newpath, flags)', 'fd', 'path', 'fd', 'path', 'int'),
  renameat: sig('renameat(olddirfd, oldpath, newdirfd, newpath)', 'fd', 'path', 'fd', 'path'),
  readlinkat: sig('readlinkat(dirfd, pathname, buf, bufsiz)', 'fd', 'path', 'buf', 'int'),
  newfstatat: sig('newfstatat(dirfd, pathname[, statbuf, flags])', 'fd', 'path', 'ptr?', 'int?'),
  faccessat2: sig('faccessat2(dirfd, pathname, mode, flags)', 'fd', 'path', 'int', 'int'),
  fchmodat2: sig('fchmodat2(dirfd, pathname, mode, flags)', 'fd', 'path', 'int', 'int'),
  rename: sig('rename(oldpath, newpath)', 'path', 'path'),
  readlink: sig('readlink(pathname, buf, bufsiz)', 'path', 'buf', 'int'),
  chmod: sig('chmod(pathname, mode)', 'path', 'int'),
  fchmod: sig('fchmod(fd, mode)', 'fd', 'int'),
  fchmodat: sig('fchmodat(dirfd, pathname, mode[, flags])', 'fd', 'path', 'int', 'int?'),
  chown: sig('chown(pathname, owner, group)', 'path', 'int', 'int'),
  lchown: sig('lchown(pathname, owner, group)', 'path', 'int', 'int'),
  fchown: sig('fchown(fd, owner, group)', 'fd', 'int', 'int'),
  fchownat: sig('fchownat(dirfd, pathname, owner, group, flags)', 'fd', 'path', 'int', 'int', 'int'),
  umask: sig('umask(mask)', 'int'),
  chdir: sig('chdir(path)', 'path'),
  fchdir: sig('fchdir(fd)', 'fd'),
  getcwd: sig('getcwd([buf, size])', 'buf?', 'int?'),
  chroot: sig('chroot(path)', 'path'),
  pivot_root: sig('pivot_root(new_root, put_old)', 'path', 'path'),
  mount: sig('mount(source, target, filesystemtype, mountflags[, data])', 'str', 'path', 'str', 'int', 'str?'),
  umount2: sig('umount2(target, flags)', 'path', 'int'),
  dup: sig('dup(oldfd)', 'fd'),
  dup2: sig('dup2(oldfd, newfd)', 'fd', 'fd'),
  dup3: sig('dup3(oldfd, newfd, flags)', 'fd', 'fd', 'int'),
  pipe: sig('pipe([pipefd])', 'ptr?'),
  pipe2: sig('pipe2([pipefd, ]flags)', 'ptr?', 'int?'),
  socketpair: sig('socketpair(domain, type, protocol[, sv])', 'int', 'int', 'int', 'ptr?'),
  socket: sig('socket(domain, type, protocol)', 'int', 'int', 'int'),
  bind: sig('bind(sockfd, address[, addrlen])', 'fd', 'str?', 'int?'),
  connect: sig('connect(sockfd, address[, addrlen])', 'fd', 'str?', 'int?'),
  getdents64: sig('getdents64(fd, dirp, count)', 'fd', 'buf', 'int'),
  setuid: sig('setuid(uid)', 'int'),
  setgid: sig('setgid(gid)', 'int'),
  setreuid: sig('setreuid(ruid, euid)', 'int', 'int'),
  setregid: sig('setregid(rgid, egid)', 'int', 'int'),
  setresuid: sig('setresuid(ruid, euid, suid)', 'int', 'int', 'int'),
  setresgid: sig('setresgid(rgid, egid, sgid)', 'int', 'int', 'int'),
  seteuid: sig('seteuid(euid)', 'int'),
  setegid: sig('setegid(egid)', 'int'),
  setfsuid: sig('setfsuid(fsuid)', 'int'),
  setfsgid: sig('setfsgid(fsgid)', 'int'),
  setgroups: sig('setgroups(gid…)', 'int?...'),
  getresuid: sig('getresuid([ruid, euid, suid])', 'ptr?', 'ptr?', 'ptr?'),
  getresgid: sig('getresgid([rgid, egid, sgid])', 'ptr?', 'ptr?', 'ptr?'),
  getgroups: sig('getgroups([size, list])', 'int?', 'ptr?'),
  capget: sig('capget([header, data])', 'ptr?', 'ptr?'),
  capset: sig('capset(effective, permitted, inheritable)', 'caps', 'caps', 'caps'),
  // arg3 may name a declared seccomp filter: prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, NAME).
  prctl: sig('prctl(option[, arg2, arg3, arg4, arg5])', 'int', 'int?', 'intOrName?', 'int?', 'int?'),
  // args: a declared filter's name (SET_MODE_FILTER), NULL (SET_MODE_STRICT), an address.
  seccomp: sig('seccomp(operation, flags[, args])', 'int', 'int', 'ptr?'),
  // On a seccomp listener, flat: RECV; SEND, flags[, errno]; ADDFD, srcfd, flags (interpose/supervisor.ts).
  ioctl: sig('ioctl(fd, request[, arg, arg])', 'fd', 'int', 'int?', 'int?'),
  kill: sig('kill(pid, sig)', 'pid', 'signal'),
  fork: sig('fork()'),
  vfork: sig('vfork()'),
  clone: sig('clone(fn, stack, flags[, arg])', 'fn', 'ptr', 'int', 'ptr?'),
  execve: sig('execve(pathname[, argv…])', 'path', 'str?...'),
  exit: sig('exit(status)', 'int'),
  exit_group: sig('exit_group(status)', 'int'),
  wait4: sig('wait4(pid[, wstatus, options, rusage])', 'pid', 'ptr?', 'int?', 'ptr?'),
  waitpid: sig('waitpid(pid[, wstatus, options])', 'pid', 'ptr?', 'int?'),
  getpid: sig('getpid()'),
  getppid: sig('getppid()'),
  gettid: sig('gettid()'),
  getuid: sig('getuid()'),
  geteuid: sig('geteuid()'),
  getgid: sig('getgid()'),
  getegid: sig('getegid()'),
  sched_yield: sig('sched_yield()'),
  mmap: sig('mmap(addr, length, prot, flags, fd, offset)', 'ptr', 'int', 'int', 'int', 'fd', 'int'),
  munmap: sig('munmap(addr, length)', 'ptr', 'int'),
  mprotect: sig('mprotect(addr, length, prot)', 'ptr', 'int', 'int'),
};

/**
 * C library names that are not kernel calls on x86-64, and the call they make:
 * waitpid(pid, status, options) is wait4(pid, status, options, NULL).
 */
export const LIBC_ALIASES: Readonly<Record<string, string>> = { waitpid: 'wait4' };

/**
 * C library functions that call another system call with some arguments fixed:
 * seteuid(e) is setresuid(-1, e, -1) and setegid(e) is setresgid(-1, e, -1) in glibc
 * (sysdeps/unix/sysv/linux/seteuid.c). `args` places the given arguments: a number is
 * the index of a given argument, a string a fixed value.
 */
export const LIBC_WRAPPERS: Readonly<Record<string, { readonly call: string; readonly args: readonly (number | string)[] }>> = {
  seteuid: { call: 'setresuid', args: ['0xffffffffffffffff', 0, '0xffffffffffffffff'] },
  setegid: { call: 'setresgid', args: ['0xffffffffffffffff', 0, '0xffffffffffffffff'] },
};

export interface ArgSpec {
  readonly kind: ArgKind;
  readonly optional: boolean;
  readonly repeats: boolean;
}

export function argSpecs(signature: Signature): ArgSpec[] {
  return signature.args.map((text) => {
    const repeats = text.endsWith('...');
    const bare = repeats ? text.slice(0, -3) : text;
    const optional = bare.endsWith('?');
    return { kind: (optional ? bare.slice(0, -1) : bare) as ArgKind, optional, repeats };
  });
}
