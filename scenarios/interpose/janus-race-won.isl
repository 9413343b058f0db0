# The interleaving `isolab explore scenarios/interpose/janus-race.isl --variant mode=janus`
# finds, written out: the accomplice swaps /tmp/link between the monitor's check (at the
# box's syscall-entry stop) and the kernel's use (when the box is resumed). The monitor
# checked /tmp/link → /tmp/allowed and allowed it; the kernel resolves /tmp/link →
# /etc/shadow and opens it. The monitor's copy of the fd table still says fd 3 is
# /tmp/allowed: its view and the kernel's now disagree.
scenario "Janus: the accomplice wins the race and the box reads /etc/shadow"
about "Check and use are two moments; whatever changes the name in between decides what the kernel opens."
teaches 24, 26

fs {
  dir "/tmp" { mode: 01777 }
  file "/tmp/allowed" "harmless\n" { mode: 0644 }
  symlink "/tmp/link" "/tmp/allowed"
  symlink "/tmp/evil" "/etc/shadow"
  file "/etc/shadow" "root:$6$salt$hash:19000::::::\n" { mode: 0640, owner: 0 }
}

monitor sandbox { allow: "/tmp/*", deny: "/etc/*", network: off, mode: janus }

process box { uid: 0, cwd: "/tmp", monitor: sandbox }
process accomplice { uid: 0 }

invariant interpose.policy-holds

# Asking for /etc/shadow directly is refused at entry: the policy itself is sound.
box: syscall openat(AT_FDCWD, "/etc/shadow", O_RDONLY) expect errno EPERM
# The monitor resolves /tmp/link → /tmp/allowed, allows it, and holds the call at entry.
box: syscall openat(AT_FDCWD, "/tmp/link", O_RDONLY) expect no violation
accomplice: syscall rename("/tmp/evil", "/tmp/link") expect returns 0
# The kernel resolves /tmp/link now: it leads to /etc/shadow.
box: resume expect returns 3, violation interpose.policy-holds
box: syscall read(3, buf, 64) expect reads "root:$6$salt$hash:19000::::::\n"
