# The Janus TOCTTOU race (lecture: system-call interposition; Garfinkel, "Traps and
# Pitfalls: Practical Problems in System Call Interposition Based Security Tools", NDSS
# 2003, §4.3.1). A monitor stops each call of the sandboxed process at entry, resolves
# the path itself and checks it; the kernel resolves the path again when the call goes
# on. Written here, the accomplice swaps the symbolic link only after the box's open has
# completed, so nothing goes wrong. `isolab explore` tries the other orders: in janus
# mode it finds the one where the swap falls between the monitor's check and the
# kernel's use, and the kernel opens /etc/shadow although the monitor allowed
# /tmp/allowed. In resolved mode the monitor checks the object the kernel resolved, in
# the same step as the use: no order wins.
scenario "Janus: a symbolic link swapped between the monitor's check and the kernel's use"
about "A path checked by a monitor and used later by the kernel can change in between; checking the object the kernel resolved closes the gap."
teaches 24, 26

variant mode: janus | resolved

fs {
  dir "/tmp" { mode: 01777 }
  file "/tmp/allowed" "harmless\n" { mode: 0644 }
  symlink "/tmp/link" "/tmp/allowed"
  symlink "/tmp/evil" "/etc/shadow"
  file "/etc/shadow" "root:$6$salt$hash:19000::::::\n" { mode: 0640, owner: 0 }
}

monitor sandbox { allow: "/tmp/*", deny: "/etc/*", network: off, mode: $mode }

process box { uid: 0, cwd: "/tmp", monitor: sandbox }
process accomplice { uid: 0 }

invariant interpose.policy-holds

# The monitor resolves /tmp/link → /tmp/allowed (janus) or waits for the kernel (resolved).
box: syscall openat(AT_FDCWD, "/tmp/link", O_RDONLY)
box: resume expect no violation
accomplice: syscall rename("/tmp/evil", "/tmp/link") expect returns 0
