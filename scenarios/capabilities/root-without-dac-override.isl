# Root is still a process in ring 3 (the lecture): what makes it powerful is that the
# kernel's permission checks let uid 0 through. Linux splits that power into
# capabilities (capabilities(7)): reading a file whatever its mode is CAP_DAC_OVERRIDE
# (and CAP_DAC_READ_SEARCH for reading and searching). Two root processes: one keeps
# every capability; the other drops the DAC ones from its bounding, permitted and
# effective sets. The second is held to the mode bits like anyone else — here alice's
# 0600 private key — although its uid is still 0.
scenario "Capabilities limit what root can do: root without CAP_DAC_OVERRIDE"
about "DAC lets the owner, group and others in by mode bits; capabilities, not uid 0, let root past them."
teaches 30, 11
invariant all

fs {
  file "/etc/motd" "welcome" { mode: 0644 }
  dir "/home/alice" { mode: 0700, owner: 1000, group: 1000 }
  file "/home/alice/id_ed25519" "-----BEGIN OPENSSH PRIVATE KEY-----" { mode: 0600, owner: 1000, group: 1000 }
}

process admin { uid: 0 }
process daemon { uid: 0 }

admin: syscall openat(AT_FDCWD, "/home/alice/id_ed25519", O_RDONLY) expect returns 3
admin: syscall read(3, buf, 11) expect reads "-----BEGIN "
daemon: syscall prctl(PR_CAPBSET_DROP, CAP_DAC_OVERRIDE) expect returns 0
daemon: syscall prctl(PR_CAPBSET_DROP, CAP_DAC_READ_SEARCH) expect returns 0
# The bounding set limits what later programs may gain; the running process keeps its sets.
daemon: syscall openat(AT_FDCWD, "/home/alice/id_ed25519", O_RDONLY) expect returns 3
daemon: syscall close(3) expect returns 0
daemon: syscall capset(CAP_CHOWN|CAP_SETUID|CAP_KILL, CAP_CHOWN|CAP_SETUID|CAP_KILL, 0)
  expect returns 0
daemon: syscall getuid expect returns 0  # still root
daemon: syscall openat(AT_FDCWD, "/home/alice/id_ed25519", O_RDONLY) expect errno EACCES
daemon: syscall openat(AT_FDCWD, "/home/alice", O_RDONLY|O_DIRECTORY) expect errno EACCES  # no search either
daemon: syscall capset(CAP_DAC_OVERRIDE, CAP_DAC_OVERRIDE, 0) expect errno EPERM  # the permitted set never grows back
daemon: syscall chown("/etc/motd", 1000, 1000) expect returns 0  # what it kept still works
assert daemon lacks CAP_DAC_OVERRIDE
assert admin has CAP_DAC_OVERRIDE
assert daemon uid 0
