# How a program gains privilege at execve (capabilities(7), "Transformation of
# capabilities during execve"): a set-user-ID-root file makes the effective uid 0 and,
# by the root rules, fills the permitted and effective sets; a file with file
# capabilities (setcap cap_net_raw+ep /usr/bin/ping) adds just those. Two things stop
# the gain: a nosuid mount ignores both, and no_new_privs (prctl(2),
# PR_SET_NO_NEW_PRIVS — what sandboxes and containers set) promises the process and its
# children can never gain privilege through execve again; it cannot be unset.
scenario "execve gains privilege from set-user-ID bits and file capabilities, unless nosuid or no_new_privs"
about "Escalation happens only at execve, from the file's owner and capability attributes; the kernel lets a process give up that door for good."
teaches 29, 30
variant nnp: off | on
invariant all

fs {
  dir "/srv" { mode: 0755 }
  file "/usr/bin/ping" "ELF ping" { mode: 0755, caps: CAP_NET_RAW, effective: on }
  file "/usr/bin/passwd" "ELF passwd" { mode: 04755, owner: 0 }
  dir "/srv/usb" { mode: 0755 }
  file "/srv/usb/rootshell" "ELF sh" { mode: 04755, owner: 0 }
  dir "/media" { mode: 0755 }
  dir "/media/usb" { mode: 0755 }
  bind "/srv/usb" "/media/usb" { nosuid: on }  # a removable disk, mounted nosuid
}

process alice { uid: 1000, no_new_privs: $nnp }

alice: syscall prctl(PR_GET_NO_NEW_PRIVS) expect returns 0 when nnp=off
alice: syscall prctl(PR_GET_NO_NEW_PRIVS) expect returns 1 when nnp=on
alice: syscall fork() as pinger expect returns 2
pinger: syscall execve("/usr/bin/ping") expect returns 0
alice: syscall fork() as usb expect returns 3
usb: syscall execve("/media/usb/rootshell") expect returns 0
usb: syscall geteuid expect returns 1000  # nosuid: the set-user-ID bit is ignored
alice: syscall execve("/usr/bin/passwd") expect returns 0
alice: syscall geteuid
  expect returns 0 when nnp=off
  expect returns 1000 when nnp=on
alice: syscall prctl(PR_SET_NO_NEW_PRIVS, 0, 0, 0, 0) expect errno EINVAL  # there is no way back
assert pinger has CAP_NET_RAW when nnp=off
assert pinger lacks CAP_NET_RAW when nnp=on
assert usb lacks CAP_SETUID
assert alice has CAP_SETUID when nnp=off
assert alice lacks CAP_SETUID when nnp=on
