# chroot(2) changes one process's idea of "/"; against root it is not a security
# boundary. Linux's chroot does not change the working directory, and ".." stops only
# at the process's root (path_resolution(7)); a walk that starts outside the root never
# meets it. So root inside a jail makes a subdirectory, chroots into it — its cwd now
# lies outside its new root — and walks ".." up to the real "/": the classic escape. The
# second chroot needs CAP_SYS_CHROOT. With it dropped from the jailed process's sets
# (the variant), the same attempt fails with EPERM and the jail holds: capabilities
# limit what root can do.
scenario "chroot escape by root, blocked when CAP_SYS_CHROOT is dropped"
about "A chroot jail confines lookups that start inside it; root with CAP_SYS_CHROOT can move its root below its cwd and walk out."
teaches 33, 30, 11
variant chroot_cap: CAP_SYS_CHROOT | none
invariant all

fs {
  dir "/jail" { mode: 0755 }
  dir "/jail/etc" { mode: 0755 }
  file "/jail/etc/secret" "inside the jail" { mode: 0644 }
  file "/etc/secret" "outside the jail" { mode: 0644 }
}

process jailed { uid: 0, role: attacker }

# Jailed the careful way (chroot(2) NOTES): chdir into the jail, then chroot.
jailed: syscall chdir("/jail") expect returns 0
jailed: syscall chroot("/jail") expect returns 0
jailed: syscall openat(AT_FDCWD, "/etc/secret", O_RDONLY) expect returns 3
jailed: syscall read(3, buf, 64) expect reads "inside the jail"
jailed: syscall chdir("../../..") expect returns 0  # ".." stops at the jail's root
jailed: syscall getcwd(buf, 4096) expect returns 2, reads "/\x00"  # getcwd copies the NUL too
# Whoever set the jail up left (or did not leave) CAP_SYS_CHROOT to the process.
jailed: syscall capset($chroot_cap|CAP_CHOWN|CAP_DAC_OVERRIDE|CAP_SETUID|CAP_SETGID, $chroot_cap|CAP_CHOWN|CAP_DAC_OVERRIDE|CAP_SETUID|CAP_SETGID, 0)
  expect returns 0
# The attacker in the jail: a new root below the cwd, then ".." past it.
jailed: syscall mkdir("/tunnel", 0755) expect returns 0
jailed: syscall chroot("/tunnel")
  expect returns 0 when chroot_cap=CAP_SYS_CHROOT
  expect errno EPERM when chroot_cap=none
jailed: syscall chdir("../../../..") expect returns 0
jailed: syscall chroot(".")
  expect returns 0 when chroot_cap=CAP_SYS_CHROOT
  expect errno EPERM when chroot_cap=none
jailed: syscall openat(AT_FDCWD, "/etc/secret", O_RDONLY) expect returns 4
jailed: syscall read(4, buf, 64)
  expect reads "outside the jail" when chroot_cap=CAP_SYS_CHROOT
  expect reads "inside the jail" when chroot_cap=none
