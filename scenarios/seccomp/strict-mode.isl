# The lecture's first system-call filter: prctl(PR_SET_SECCOMP, SECCOMP_MODE_STRICT).
# From then on the process may only read, write, _exit and return from a signal
# handler (kernel/seccomp.c mode1_syscalls: read, write, exit, rt_sigreturn). Anything
# else — even getpid, even exit_group — ends it with SIGKILL (seccomp(2),
# SECCOMP_SET_MODE_STRICT). A worker that only transforms bytes on descriptors it was
# given needs nothing more; the mode cannot be left, and prctl itself is now forbidden.
scenario "seccomp strict mode: read, write, _exit and sigreturn only"
about "After prctl(PR_SET_SECCOMP, SECCOMP_MODE_STRICT) every other system call kills the process with SIGKILL; the filter runs at system-call entry, before the call does anything."
teaches 21, 22
invariant all

process worker { uid: 1000 }
process calc { uid: 1000 }

worker: syscall pipe() expect returns 0  # fds 3 and 4, opened before the sandbox starts
worker: syscall prctl(PR_GET_SECCOMP) expect returns 0
worker: syscall prctl(PR_SET_SECCOMP, SECCOMP_MODE_STRICT) expect returns 0
worker: syscall write(4, "2+2", 3) expect returns 3
worker: syscall read(3, buf, 3) expect returns 3, reads "2+2"
worker: syscall write(STDOUT_FILENO, "4\n", 2) expect returns 2, prints "4\n"
worker: syscall getpid expect signal SIGKILL, exits  # not in the list: the kernel kills at entry

calc: syscall seccomp(SECCOMP_SET_MODE_STRICT, 0, NULL) expect returns 0  # the same through seccomp(2)
calc: int 0x80 write(1, "i386 write\n", 11) expect returns 11  # INT 0x80 is checked against the i386 list
calc: syscall prctl(PR_GET_SECCOMP) expect signal SIGKILL  # prctl is not allowed either
