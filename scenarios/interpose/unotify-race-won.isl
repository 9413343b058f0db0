# The interleaving `isolab explore scenarios/interpose/unotify-race.isl` finds, written
# out: the supervisor read "/srv/public.txt" from the target's memory and let the call
# continue; the accomplice, sharing the page, rewrote the buffer; when the target runs
# again the kernel reads the path anew and opens /etc/shadow.
scenario "seccomp user notification: the accomplice rewrites the path after the supervisor's check"
about "SECCOMP_USER_NOTIF_FLAG_CONTINUE lets the kernel read the target's memory again: the supervisor's check does not bind the use."
teaches 22, 26

fs {
  dir "/srv" { mode: 0755 }
  file "/srv/public.txt" "public\n" { mode: 0644 }
  file "/etc/shadow" "root:$6$salt$hash:19000::::::\n" { mode: 0640, owner: 0 }
}

seccomp notify_open { default: allow, openat: notify }
region pathbuf size 4 KiB

process target { uid: 0 }
process keeper { uid: 0, supervises: target(notify_open) }
process accomplice { uid: 0 }

invariant interpose.notif-checked-object

target: map 0x10000000 size 4 KiB rw user shared pathbuf
accomplice: map 0x20000000 size 4 KiB rw user shared pathbuf
target: write 0x10000000 "/srv/public.txt"
# The filter sends openat to the supervisor; the target waits.
target: syscall openat(AT_FDCWD, 0x10000000, O_RDONLY) expect no violation
# Still waiting: nobody has answered yet.
target: resume expect refused
keeper: syscall ioctl(3, SECCOMP_IOCTL_NOTIF_RECV) expect returns 0
keeper: syscall ioctl(3, SECCOMP_IOCTL_NOTIF_SEND, SECCOMP_USER_NOTIF_FLAG_CONTINUE)
  expect returns 0
accomplice: write 0x20000000 "/etc/shadow\x00"
target: resume expect returns 4, violation interpose.notif-checked-object
target: syscall read(4, buf, 64) expect reads "root:$6$salt$hash:19000::::::\n"
