# Interposition must mirror the operating system's state (lecture: system-call
# interposition; Garfinkel, NDSS 2003, §4.1 "Incorrectly replicating OS semantics"). A
# path is only meaningful with the process's cwd and root, and an fd only with its table:
# a monitor that checks "shadow" must know the cwd is /etc, one that sees fchdir(4) must
# know fd 4 is a dup of a directory opened earlier, and a forked child must stay under
# the monitor with a copy of the parent's view. Each denied call below is refused because
# the monitor replicated the state the kernel will use; each allowed open needs `resume`
# (the kernel's use happens at the process's next step).
scenario "Janus: the monitor mirrors cwd, descriptors, .. and fork to judge a path"
about "A monitor can only judge a path with the process's cwd, root and fd table, so it must replicate each call that changes them."
teaches 24, 25

fs {
  dir "/tmp" { mode: 01777 }
  file "/tmp/notes" "notes\n" { mode: 0644 }
  file "/etc/shadow" "root:$6$salt$hash:19000::::::\n" { mode: 0640, owner: 0 }
}

monitor sandbox { allow: "/tmp", deny: "/etc", network: off, mode: janus }

process box { uid: 0, cwd: "/tmp", monitor: sandbox }

invariant all

# A relative name means the cwd: "notes" is /tmp/notes.
box: syscall openat(AT_FDCWD, "notes", O_RDONLY)
box: resume expect returns 3
# ".." is resolved by the monitor too: /tmp/../etc/shadow is /etc/shadow.
box: syscall openat(AT_FDCWD, "/tmp/../etc/shadow", O_RDONLY) expect errno EPERM
# chdir names no file to open: it goes through, and the monitor's copy of the cwd follows.
box: syscall chdir("/etc") expect returns 0
box: syscall openat(AT_FDCWD, "shadow", O_RDONLY) expect errno EPERM
# A directory fd, duplicated: the monitor follows fd 5 back to /tmp.
box: syscall openat(AT_FDCWD, "/tmp", O_RDONLY|O_DIRECTORY)
box: resume expect returns 4
box: syscall dup(4) expect returns 5
box: syscall fchdir(5) expect returns 0
box: syscall openat(5, "../etc/shadow", O_RDONLY) expect errno EPERM
# A child inherits the monitor and a copy of the view.
box: syscall fork() as child expect returns 2
child: syscall openat(AT_FDCWD, "/etc/shadow", O_RDONLY) expect errno EPERM
child: syscall openat(AT_FDCWD, "notes", O_RDONLY)
child: resume expect returns 6
