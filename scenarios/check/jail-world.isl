# A world for `isolab check` with a file system: a jailed service and a user who
# dropped root, facing an attacker that tries the kernel's file and credential calls
# (open, chdir/fchdir, chroot, chmod/chown, links, renames, exec, the set*id family,
# capset, prctl, kill) with paths, ids and descriptors drawn from this world. Every
# invariant is checked after every event: DAC (vfs.dac), the jail (vfs.chroot-confinement),
# a permanent privilege drop (cred.permanent-drop), the capability rules
# (cred.capability-sets) and who may signal whom (proc.signals-permitted). With the
# kernel's rules intact, no sequence breaks them.
scenario "A jail and a dropped privilege, for the checker"
about "The attacker, root without CAP_SYS_CHROOT inside a jail, and a uid-1000 user try every file and credential call with this world's paths."
teaches 30, 33

fs {
  dir "/jail" { mode: 0755 }
  dir "/jail/etc" { mode: 0755 }
  file "/jail/etc/passwd" "root:x:0:0::/:/bin/sh\n" { mode: 0644 }
  dir "/jail/tmp" { mode: 01777 }
  dir "/home/alice" { mode: 0700, owner: 1000, group: 1000 }
  file "/home/alice/notes" "alice's notes\n" { mode: 0600, owner: 1000, group: 1000 }
  file "/usr/bin/passwd" "ELF passwd" { mode: 04755 }
}

process attacker { uid: 0, caps: CAP_CHOWN|CAP_SETUID|CAP_SETGID|CAP_KILL|CAP_SETPCAP|CAP_SYS_CHROOT, role: attacker }
process user { uid: 1000, role: attacker }
process victim { uid: 1001 }

invariant all

# The jail: chroot, chdir into it, then give up CAP_SYS_CHROOT for good (bounding set and
# permitted set), as a careful service manager does.
attacker: syscall chroot("/jail") expect returns 0
attacker: syscall chdir("/") expect returns 0
attacker: syscall prctl(PR_CAPBSET_DROP, CAP_SYS_CHROOT) expect returns 0
attacker: syscall capset(CAP_CHOWN|CAP_SETUID|CAP_SETGID|CAP_KILL, CAP_CHOWN|CAP_SETUID|CAP_SETGID|CAP_KILL, none)
  expect returns 0
attacker: syscall chroot("/") expect errno EPERM
