# The same race in its modern form: a seccomp supervisor (seccomp_unotify(2)). The
# target's filter sends openat to the supervisor (SECCOMP_RET_USER_NOTIF). The supervisor
# receives the notification and reads the path from the target's memory (in isolab the
# RECV step does both); an accomplice sharing that memory can rewrite the buffer before
# the kernel reads it again for the real call. Written here, the accomplice writes after
# the target's open is over, so nothing goes wrong; `isolab explore` finds the order that
# wins . unotify-addfd.isl is the fix the man page advises.
scenario "seccomp user notification: the path re-read after the supervisor's check"
about "A supervisor that checks a path in the target's memory and lets the kernel continue has the Janus race; injecting the fd it opened itself closes it."
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
target: write 0x10000000 "/srv/public.txt" expect ok
target: syscall openat(AT_FDCWD, 0x10000000, O_RDONLY)
# The supervisor receives the notification (and reads the path), then answers; the target
# runs again and its call ends as the answer says.
keeper: syscall ioctl(3, SECCOMP_IOCTL_NOTIF_RECV)
keeper: syscall ioctl(3, SECCOMP_IOCTL_NOTIF_SEND, SECCOMP_USER_NOTIF_FLAG_CONTINUE)
target: resume expect no violation

accomplice: map 0x20000000 size 4 KiB rw user shared pathbuf
accomplice: write 0x20000000 "/etc/shadow\x00" expect ok
