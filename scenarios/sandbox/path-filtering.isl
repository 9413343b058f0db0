# A seccomp filter sees struct seccomp_data only: the call's number, the architecture and
# six argument VALUES. openat's path is a pointer into the caller's memory, and cBPF
# cannot dereference it (seccomp(2): "the filter cannot dereference pointer arguments";
# doing so would race with the caller anyway). So a filter can deny openat outright or
# let it through, never by path: `filtered` keeps /etc/shadow only by losing /etc/passwd
# too. A MAC profile is consulted by the kernel after it resolved the path (the LSM
# hooks), so `confined` reads /etc/passwd and not /etc/shadow — and neither a symbolic
# link nor ".." changes what the profile sees, because it judges the file the kernel
# opens. Both run as root: neither defence depends on file permissions.
scenario "Path filtering: impossible in seccomp, what a MAC profile is for"
about "seccomp filters see pointer values, not paths; a sandbox profile judges the resolved file, so it can allow /etc/passwd and deny /etc/shadow."
teaches 22, 27
invariant all

fs {
  symlink "/tmp/innocent" "/etc/shadow"
}

seccomp no_open { default: allow, openat: EACCES }
sandbox no_shadow { default: allow, deny_read: "^/etc/shadow$" }

process filtered { uid: 0, seccomp: no_open }
process confined { uid: 0, sandbox: no_shadow }

# seccomp: all or nothing for openat.
filtered: syscall openat(AT_FDCWD, "/etc/passwd", O_RDONLY) expect errno EACCES
filtered: syscall openat(AT_FDCWD, "/etc/shadow", O_RDONLY) expect errno EACCES

# The MAC profile: by path, after resolution.
confined: syscall openat(AT_FDCWD, "/etc/passwd", O_RDONLY) expect returns 3
confined: syscall openat(AT_FDCWD, "/etc/shadow", O_RDONLY) expect errno EPERM
confined: syscall openat(AT_FDCWD, "/tmp/innocent", O_RDONLY) expect errno EPERM
confined: syscall openat(AT_FDCWD, "/etc/../tmp/../etc/shadow", O_RDONLY) expect errno EPERM
confined: syscall chdir("/etc") expect returns 0
confined: syscall openat(AT_FDCWD, "./shadow", O_RDONLY) expect errno EPERM
