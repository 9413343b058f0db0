/**
 * Symbolic constants a scenario may write in system-call arguments, with Linux's x86-64
 * values (include/uapi/…: fcntl.h, stat.h, prctl.h, capability.h, signal.h, sched.h,
 * mount.h, mman.h, wait.h, securebits.h). `O_RDONLY|O_CLOEXEC` is their OR.
 */

const FLAGS: Readonly<Record<string, number>> = {
  AT_FDCWD: -100,
  AT_SYMLINK_NOFOLLOW: 0x100,
  AT_REMOVEDIR: 0x200,
  AT_EACCESS: 0x200,
  AT_SYMLINK_FOLLOW: 0x400,
  AT_EMPTY_PATH: 0x1000,
  O_RDONLY: 0o0,
  O_WRONLY: 0o1,
  O_RDWR: 0o2,
  O_CREAT: 0o100,
  O_EXCL: 0o200,
  O_NOCTTY: 0o400,
  O_TRUNC: 0o1000,
  O_APPEND: 0o2000,
  O_NONBLOCK: 0o4000,
  O_DIRECTORY: 0o200000,
  O_NOFOLLOW: 0o400000,
  O_CLOEXEC: 0o2000000,
  O_PATH: 0o10000000,
  F_OK: 0,
  X_OK: 1,
  W_OK: 2,
  R_OK: 4,
  S_ISUID: 0o4000,
  S_ISGID: 0o2000,
  S_ISVTX: 0o1000,
  S_IRWXU: 0o700,
  S_IRUSR: 0o400,
  S_IWUSR: 0o200,
  S_IXUSR: 0o100,
  S_IRWXG: 0o70,
  S_IRGRP: 0o40,
  S_IWGRP: 0o20,
  S_IXGRP: 0o10,
  S_IRWXO: 0o7,
  S_IROTH: 0o4,
  S_IWOTH: 0o2,
  S_IXOTH: 0o1,
  STDIN_FILENO: 0,
  STDOUT_FILENO: 1,
  STDERR_FILENO: 2,
  SEEK_SET: 0,
  SEEK_CUR: 1,
  SEEK_END: 2,
  SEEK_DATA: 3,
  SEEK_HOLE: 4,
  O_DIRECT: 0o40000,
  O_TMPFILE: 0o20200000,
  PR_SET_PDEATHSIG: 1,
  PR_GET_DUMPABLE: 3,
  PR_SET_DUMPABLE: 4,
  PR_GET_KEEPCAPS: 7,
  PR_SET_KEEPCAPS: 8,
  PR_SET_SECCOMP: 22,
  PR_GET_SECCOMP: 21,
  PR_CAPBSET_READ: 23,
  PR_CAPBSET_DROP: 24,
  PR_GET_SECUREBITS: 27,
  PR_SET_SECUREBITS: 28,
  PR_SET_NO_NEW_PRIVS: 38,
  PR_GET_NO_NEW_PRIVS: 39,
  PR_CAP_AMBIENT: 47,
  PR_CAP_AMBIENT_IS_SET: 1,
  PR_CAP_AMBIENT_RAISE: 2,
  PR_CAP_AMBIENT_LOWER: 3,
  PR_CAP_AMBIENT_CLEAR_ALL: 4,
  SECCOMP_MODE_STRICT: 1,
  SECCOMP_MODE_FILTER: 2,
  SECBIT_NOROOT: 1 << 0,
  SECBIT_NOROOT_LOCKED: 1 << 1,
  SECBIT_NO_SETUID_FIXUP: 1 << 2,
  SECBIT_NO_SETUID_FIXUP_LOCKED: 1 << 3,
  SECBIT_KEEP_CAPS: 1 << 4,
  SECBIT_KEEP_CAPS_LOCKED: 1 << 5,
  SECBIT_NO_CAP_AMBIENT_RAISE: 1 << 6,
  SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED: 1 << 7,
  SECBIT_EXEC_RESTRICT_FILE: 1 << 8,
  SECBIT_EXEC_RESTRICT_FILE_LOCKED: 1 << 9,
  SECBIT_EXEC_DENY_INTERACTIVE: 1 << 10,
  SECBIT_EXEC_DENY_INTERACTIVE_LOCKED: 1 << 11,
  SUID_DUMP_DISABLE: 0,
  SUID_DUMP_USER: 1,
  _LINUX_CAPABILITY_VERSION_1: 0x19980330,
  _LINUX_CAPABILITY_VERSION_2: 0x20071026,
  _LINUX_CAPABILITY_VERSION_3: 0x20080522,
  CLONE_VM: 0x100,
  CLONE_FS: 0x200,
  CLONE_FILES: 0x400,
  CLONE_SIGHAND: 0x800,
  CLONE_VFORK: 0x4000,
  CLONE_PARENT: 0x8000,
  CLONE_THREAD: 0x10000,
  CLONE_NEWNS: 0x20000,
  CLONE_NEWCGROUP: 0x2000000,
  CLONE_NEWUTS: 0x4000000,
  CLONE_NEWIPC: 0x8000000,
  CLONE_NEWUSER: 0x10000000,
  CLONE_NEWPID: 0x20000000,
  CLONE_NEWNET: 0x40000000,
  MS_RDONLY: 1,
  MS_NOSUID: 2,
  MS_NODEV: 4,
  MS_NOEXEC: 8,
  MS_REMOUNT: 32,
  MS_NOSYMFOLLOW: 256,
  MS_NOATIME: 1024,
  MS_NODIRATIME: 2048,
  MS_SILENT: 32768,
  MS_UNBINDABLE: 1 << 17,
  MS_STRICTATIME: 1 << 24,
  MS_BIND: 4096,
  MS_MOVE: 8192,
  MS_REC: 16384,
  MS_PRIVATE: 1 << 18,
  MS_SLAVE: 1 << 19,
  MS_SHARED: 1 << 20,
  MNT_FORCE: 1,
  MNT_DETACH: 2,
  MNT_EXPIRE: 4,
  UMOUNT_NOFOLLOW: 8,
  PROT_NONE: 0,
  PROT_READ: 1,
  PROT_WRITE: 2,
  PROT_EXEC: 4,
  MAP_SHARED: 0x01,
  MAP_PRIVATE: 0x02,
  MAP_FIXED: 0x10,
  MAP_ANONYMOUS: 0x20,
  MAP_ANON: 0x20,
  MAP_FIXED_NOREPLACE: 0x100000,
  WNOHANG: 1,
  WUNTRACED: 2,
  AF_UNIX: 1,
  AF_INET: 2,
  AF_INET6: 10,
  AF_NETLINK: 16,
  SOCK_STREAM: 1,
  SOCK_DGRAM: 2,
  SOCK_RAW: 3,
  SOCK_SEQPACKET: 5,
  SOCK_NONBLOCK: 0o4000,
  SOCK_CLOEXEC: 0o2000000,
  __WALL: 0x40000000,
  WEXITED: 4,
  WCONTINUED: 8,
  NULL: 0,
};

/** Signal numbers (x86-64, include/uapi/asm-generic/signal.h). */
export const SIGNALS: Readonly<Record<string, number>> = {
  SIGHUP: 1,
  SIGINT: 2,
  SIGQUIT: 3,
  SIGILL: 4,
  SIGTRAP: 5,
  SIGABRT: 6,
  SIGBUS: 7,
  SIGFPE: 8,
  SIGKILL: 9,
  SIGUSR1: 10,
  SIGSEGV: 11,
  SIGUSR2: 12,
  SIGPIPE: 13,
  SIGALRM: 14,
  SIGTERM: 15,
  SIGCHLD: 17,
  SIGCONT: 18,
  SIGSTOP: 19,
  SIGTSTP: 20,
  SIGSYS: 31,
};

/** Capability numbers (include/uapi/linux/capability.h, Linux 6.x: CAP_LAST_CAP is 40). */
export const CAPABILITIES: readonly string[] = [
  'CAP_CHOWN',
  'CAP_DAC_OVERRIDE',
  'CAP_DAC_READ_SEARCH',
  'CAP_FOWNER',
  'CAP_FSETID',
  'CAP_KILL',
  'CAP_SETGID',
  'CAP_SETUID',
  'CAP_SETPCAP',
  'CAP_LINUX_IMMUTABLE',
  'CAP_NET_BIND_SERVICE',
  'CAP_NET_BROADCAST',
  'CAP_NET_ADMIN',
  'CAP_NET_RAW',
  'CAP_IPC_LOCK',
  'CAP_IPC_OWNER',
  'CAP_SYS_MODULE',
  'CAP_SYS_RAWIO',
  'CAP_SYS_CHROOT',
  'CAP_SYS_PTRACE',
  'CAP_SYS_PACCT',
  'CAP_SYS_ADMIN',
  'CAP_SYS_BOOT',
  'CAP_SYS_NICE',
  'CAP_SYS_RESOURCE',
  'CAP_SYS_TIME',
  'CAP_SYS_TTY_CONFIG',
  'CAP_MKNOD',
  'CAP_LEASE',
  'CAP_AUDIT_WRITE',
  'CAP_AUDIT_CONTROL',
  'CAP_SETFCAP',
  'CAP_MAC_OVERRIDE',
  'CAP_MAC_ADMIN',
  'CAP_SYSLOG',
  'CAP_WAKE_ALARM',
  'CAP_BLOCK_SUSPEND',
  'CAP_AUDIT_READ',
  'CAP_PERFMON',
  'CAP_BPF',
  'CAP_CHECKPOINT_RESTORE',
];

export const CAP_LAST_CAP = CAPABILITIES.length - 1;

/** Every capability: the full set root has. */
export const ALL_CAPS = (1n << BigInt(CAPABILITIES.length)) - 1n;

export function capabilityNumber(name: string): number | null {
  const index = CAPABILITIES.indexOf(name.toUpperCase().startsWith('CAP_') ? name.toUpperCase() : `CAP_${name.toUpperCase()}`);
  return index < 0 ? null : index;
}

export function capabilityBit(name: string): bigint {
  const number = capabilityNumber(name);
  if (number === null) throw new Error(`unknown capability ${name}`);
  return 1n << BigInt(number);
}

/** The value of a constant name, or null if isolab does not know it. */
export function constantValue(name: string): number | null {
  if (Object.prototype.hasOwnProperty.call(FLAGS, name)) return FLAGS[name]!;
  if (Object.prototype.hasOwnProperty.call(SIGNALS, name)) return SIGNALS[name]!;
  const cap = capabilityNumber(name);
  if (name.startsWith('CAP_') && cap !== null) return cap;
  return null;
}

export function constantNames(): string[] {
  return [...Object.keys(FLAGS), ...Object.keys(SIGNALS), ...CAPABILITIES];
}

export function signalName(number: number): string | null {
  return Object.entries(SIGNALS).find(([, value]) => value === number)?.[0] ?? null;
}

/** Names of the capabilities set in a mask, for traces and reports. */
export function capabilityNames(mask: bigint): string[] {
  return CAPABILITIES.filter((_, bit) => ((mask >> BigInt(bit)) & 1n) === 1n);
}
