# A hand-written BPF filter: an allowlist that checks the architecture, then the call
# number, then — for openat — a flag argument. A filter reads only struct seccomp_data
# (number, arch, instruction pointer, six argument registers): it can test openat's flags
# but not the path, which is a pointer into memory the filter cannot follow. The kernel
# checks a program when it is installed (seccomp_check_filter): a load outside
# seccomp_data is refused with EINVAL and the process stays unfiltered.
scenario "A BPF allowlist: numbers and flags can be filtered, paths cannot"
about "seccomp filters are classic BPF over seccomp_data; the kernel verifies them at install time and runs them at every system-call entry."
teaches 22
invariant all

filter allowlist from "allowlist.bpf"
filter broken from "broken.bpf"

process worker { uid: 1000, no_new_privs: on }

worker: syscall seccomp(SECCOMP_SET_MODE_FILTER, 0, broken) expect errno EINVAL
worker: syscall prctl(PR_GET_SECCOMP) expect returns 0  # nothing was installed
worker: syscall seccomp(SECCOMP_SET_MODE_FILTER, 0, allowlist) expect returns 0
worker: syscall openat(AT_FDCWD, "/etc/passwd", O_RDONLY) expect returns 3
worker: syscall openat(AT_FDCWD, "/etc/shadow", O_RDONLY) expect errno EACCES  # DAC, not the filter
worker: syscall openat(AT_FDCWD, "/tmp/out", O_WRONLY|O_CREAT) expect errno EACCES  # the filter: write flags
worker: syscall read(3, buf, 5) expect returns 5, reads "root:"
worker: syscall getpid expect errno EPERM  # not on the list
worker: int 0x80 getpid expect signal SIGSYS  # the i386 table: killed by the arch check
