# The fix seccomp_unotify(2) advises for the race of unotify-race.isl: the supervisor
# performs the operation itself — it opens the path it checked — and injects the
# descriptor into the target with SECCOMP_IOCTL_NOTIF_ADDFD and SECCOMP_ADDFD_FLAG_SEND,
# which also makes it the return value of the target's openat. The target never
# resolves the path, so rewriting the buffer changes nothing: `isolab explore` finds no
# winning order.
scenario "seccomp user notification: the supervisor opens the file and injects the fd"
about "The supervisor opens what it checked and hands the fd over: the kernel never reads the path again."
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
keeper: syscall openat(AT_FDCWD, "/srv/public.txt", O_RDONLY)
keeper: syscall ioctl(3, SECCOMP_IOCTL_NOTIF_ADDFD, 4, SECCOMP_ADDFD_FLAG_SEND)
target: resume expect no violation

accomplice: map 0x20000000 size 4 KiB rw user shared pathbuf
accomplice: write 0x20000000 "/etc/shadow\x00" expect ok
