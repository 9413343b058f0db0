/**
 * Constants of the process and memory calls, with Linux's x86 values: clone flags
 * (include/uapi/linux/sched.h), mmap/mprotect flags (include/uapi/asm-generic/
 * mman-common.h, arch/x86/include/uapi/asm/mman.h), wait options (include/uapi/linux/
 * wait.h) and every signal with its default action (include/uapi/asm-generic/signal.h,
 * signal(7)). The scenario language's names for them are in syscall/constants.ts.
 */

export const CSIGNAL = 0xff;
export const CLONE_NEWTIME = 0x80;
export const CLONE_VM = 0x100;
export const CLONE_FS = 0x200;
export const CLONE_FILES = 0x400;
export const CLONE_SIGHAND = 0x800;
export const CLONE_PIDFD = 0x1000;
export const CLONE_PTRACE = 0x2000;
export const CLONE_VFORK = 0x4000;
export const CLONE_PARENT = 0x8000;
export const CLONE_THREAD = 0x10000;
export const CLONE_NEWNS = 0x20000;
export const CLONE_SYSVSEM = 0x40000;
export const CLONE_SETTLS = 0x80000;
export const CLONE_PARENT_SETTID = 0x100000;
export const CLONE_CHILD_CLEARTID = 0x200000;
export const CLONE_DETACHED = 0x400000;
export const CLONE_UNTRACED = 0x800000;
export const CLONE_CHILD_SETTID = 0x1000000;
export const CLONE_NEWCGROUP = 0x2000000;
export const CLONE_NEWUTS = 0x4000000;
export const CLONE_NEWIPC = 0x8000000;
export const CLONE_NEWUSER = 0x10000000;
export const CLONE_NEWPID = 0x20000000;
export const CLONE_NEWNET = 0x40000000;
export const CLONE_IO = 0x80000000;

/** The namespace flags of legacy clone (CLONE_NEWTIME shares its bit with the exit signal there). */
export const CLONE_NAMESPACES = CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET;

export const PROT_NONE = 0;
export const PROT_READ = 1;
export const PROT_WRITE = 2;
export const PROT_EXEC = 4;
export const PROT_SEM = 8;
export const PROT_GROWSDOWN = 0x01000000;
export const PROT_GROWSUP = 0x02000000;

export const MAP_SHARED = 0x01;
export const MAP_PRIVATE = 0x02;
export const MAP_SHARED_VALIDATE = 0x03;
export const MAP_TYPE = 0x0f;
export const MAP_FIXED = 0x10;
export const MAP_ANONYMOUS = 0x20;
export const MAP_GROWSDOWN = 0x100;
export const MAP_DENYWRITE = 0x800;
export const MAP_EXECUTABLE = 0x1000;
export const MAP_LOCKED = 0x2000;
export const MAP_NORESERVE = 0x4000;
export const MAP_POPULATE = 0x8000;
export const MAP_NONBLOCK = 0x10000;
export const MAP_STACK = 0x20000;
export const MAP_HUGETLB = 0x40000;
export const MAP_SYNC = 0x80000;
export const MAP_FIXED_NOREPLACE = 0x100000;

export const WNOHANG = 1;
export const WUNTRACED = 2;
export const WSTOPPED = 2;
export const WEXITED = 4;
export const WCONTINUED = 8;
export const WNOWAIT = 0x01000000;
export const __WNOTHREAD = 0x20000000;
export const __WALL = 0x40000000;
export const __WCLONE = 0x80000000;

/** Options wait4 accepts (kernel/exit.c, kernel_wait4); anything else is EINVAL. */
export const WAIT4_OPTIONS = WNOHANG | WUNTRACED | WCONTINUED | __WNOTHREAD | __WCLONE | __WALL;

/** The largest signal number (_NSIG). */
export const NSIG = 64;
export const SIGKILL = 9;
export const SIGCHLD = 17;
export const SIGCONT = 18;
export const SIGSTOP = 19;

/** What a signal does when nobody catches it (signal(7), "Standard signals"). */
export type DefaultAction = 'term' | 'core' | 'ign' | 'stop' | 'cont';

const STANDARD: readonly (readonly [string, DefaultAction])[] = [
  ['SIGHUP', 'term'],
  ['SIGINT', 'term'],
  ['SIGQUIT', 'core'],
  ['SIGILL', 'core'],
  ['SIGTRAP', 'core'],
  ['SIGABRT', 'core'],
  ['SIGBUS', 'core'],
  ['SIGFPE', 'core'],
  ['SIGKILL', 'term'],
  ['SIGUSR1', 'term'],
  ['SIGSEGV', 'core'],
  ['SIGUSR2', 'term'],
  ['SIGPIPE', 'term'],
  ['SIGALRM', 'term'],
  ['SIGTERM', 'term'],
  ['SIGSTKFLT', 'term'],
  ['SIGCHLD', 'ign'],
  ['SIGCONT', 'cont'],
  ['SIGSTOP', 'stop'],
  ['SIGTSTP', 'stop'],
  ['SIGTTIN', 'stop'],
  ['SIGTTOU', 'stop'],
  ['SIGURG', 'ign'],
  ['SIGXCPU', 'core'],
  ['SIGXFSZ', 'core'],
  ['SIGVTALRM', 'term'],
  ['SIGPROF', 'term'],
  ['SIGWINCH', 'ign'],
  ['SIGIO', 'term'],
  ['SIGPWR', 'term'],
  ['SIGSYS', 'core'],
];

/** Aliases the kernel headers define for the same numbers. */
const ALIASES: Readonly<Record<string, number>> = { SIGIOT: 6, SIGPOLL: 29, SIGUNUSED: 31 };

/**
 * The name of a signal number 1..64: the standard names, then glibc's names for the
 * real-time range (32 and 33 are used by glibc itself; SIGRTMIN is 34, SIGRTMAX 64).
 */
export function signalNameOf(number: number): string | null {
  if (number >= 1 && number <= STANDARD.length) return STANDARD[number - 1]![0];
  if (number === 32 || number === 33) return `SIG${number}`;
  if (number === 34) return 'SIGRTMIN';
  if (number === NSIG) return 'SIGRTMAX';
  if (number > 34 && number < NSIG) return `SIGRTMIN+${number - 34}`;
  return null;
}

export function signalNumberOf(name: string): number | null {
  const index = STANDARD.findIndex(([standard]) => standard === name);
  if (index >= 0) return index + 1;
  if (ALIASES[name] !== undefined) return ALIASES[name]!;
  for (let number = 32; number <= NSIG; number++) if (signalNameOf(number) === name) return number;
  return null;
}

/** Real-time signals terminate by default (signal(7), "Real-time signals"). */
export function defaultActionOf(number: number): DefaultAction {
  return number >= 1 && number <= STANDARD.length ? STANDARD[number - 1]![1] : 'term';
}

/** valid_signal(): 0 (the permission probe) through _NSIG. */
export function isValidSignal(number: number): boolean {
  return Number.isInteger(number) && number >= 0 && number <= NSIG;
}

/** SIGKILL and SIGSTOP cannot be caught, blocked or ignored (signal(7)). */
export function isCatchable(number: number): boolean {
  return number !== SIGKILL && number !== SIGSTOP;
}
