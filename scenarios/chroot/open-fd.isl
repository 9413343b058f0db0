# The second classic chroot escape needs no privilege at all once the jail is built
# badly: a directory descriptor opened before chroot still names a directory outside the
# new root (chroot(2): "This call does not close open file descriptors, and such file
# descriptors may allow access to files outside the chroot tree"). fchdir to it puts the
# cwd outside the root, and relative paths from there are not confined. A careful jailer
# closes every descriptor (or opens them O_CLOEXEC and execs) before handing over.
scenario "chroot escape through a directory descriptor kept open across chroot"
about "chroot confines path lookups, not the descriptors a process already holds."
teaches 33
# The variant says which descriptor the jailer closes before handing over: the
# directory (3, careful) or only stdin (0, careless).
variant closes: 3 | 0
invariant all

fs {
  dir "/jail" { mode: 0755 }
  file "/etc/secret" "outside the jail" { mode: 0644 }
}

process service { uid: 0, role: attacker }

service: syscall openat(AT_FDCWD, "/", O_RDONLY|O_DIRECTORY) expect returns 3
service: syscall chdir("/jail") expect returns 0
service: syscall chroot("/jail") expect returns 0
service: syscall setresgid(1000, 1000, 1000) expect returns 0
service: syscall setresuid(1000, 1000, 1000) expect returns 0  # no capability left, not even CAP_SYS_CHROOT
service: syscall close($closes) expect returns 0
# Compromised: the attacker looks for a way out.
service: syscall fchdir(3)
  expect returns 0 when closes=0
  expect errno EBADF when closes=3
# A careless jailer closed only stdin: the file gets the lowest free number, 0.
service: syscall openat(AT_FDCWD, "etc/secret", O_RDONLY)
  expect returns 0 when closes=0
  expect errno ENOENT when closes=3
assert service lacks CAP_SYS_CHROOT
