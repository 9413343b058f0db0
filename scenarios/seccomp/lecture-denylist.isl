# The lecture's seccomp profile (a container runtime's JSON): allow everything by
# default, answer chmod, fchmod, fchmodat and chown with an error. The runtime turns it
# into a BPF program and installs it before the container's first instruction; the
# program sees only the call's number, architecture and six argument registers — never
# the path behind a pointer, so it can refuse chmod altogether but cannot refuse
# "chmod of /srv/app only". The same list written as an inline rule list gives the same
# answers. Note what a denylist misses: fchmodat2 (Linux 6.6) and chown's siblings
# lchown, fchown and fchownat are not in it.
scenario "The lecture's denylist profile: chmod, fchmod, fchmodat and chown answer EPERM"
about "A seccomp profile filters by system-call number: the listed calls fail with an errno before they run, everything else (open, write…) proceeds; calls the list forgot still work."
teaches 22, 23
variant filter: none | lecture | rules
invariant all

fs {
  dir "/srv" { mode: 0755 }
  dir "/srv/app" { mode: 0755, owner: 1000 }
  file "/srv/app/run.sh" "#!/bin/sh" { mode: 0644, owner: 1000 }
}

seccomp none { default: allow }
profile lecture from "lecture-profile.json"
seccomp rules { default: allow, chmod: EPERM, fchmod: EPERM, fchmodat: EPERM, chown: EPERM }

process app { uid: 1000, cwd: "/srv/app", seccomp: $filter }

app: syscall openat(AT_FDCWD, "run.sh", O_RDWR) expect returns 3  # open is not on the list
app: syscall write(3, "echo hi", 7) expect returns 7
app: syscall chmod("run.sh", 0755)
  expect returns 0 when filter=none
  expect errno EPERM when filter=lecture
  expect errno EPERM when filter=rules
app: syscall fchmod(3, 0755)
  expect returns 0 when filter=none
  expect errno EPERM when filter=lecture
  expect errno EPERM when filter=rules
app: syscall fchmodat(AT_FDCWD, "run.sh", 0755)
  expect returns 0 when filter=none
  expect errno EPERM when filter=lecture
  expect errno EPERM when filter=rules
app: syscall chown("run.sh", 1000, 1000)
  expect returns 0 when filter=none
  expect errno EPERM when filter=lecture
  expect errno EPERM when filter=rules
app: syscall fchmodat2(AT_FDCWD, "run.sh", 0700, 0) expect returns 0  # not on the list: a denylist is only as good as its list
app: syscall fchown(3, 1000, 1000) expect returns 0
app: syscall prctl(PR_GET_SECCOMP) expect returns 2
