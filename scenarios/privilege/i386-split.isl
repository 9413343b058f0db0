# 32-bit x86 with the 3G/1G split: user space is 0..0xbfffffff and the kernel maps all
# low memory at 0xc0000000 in every process, supervisor-only. There is no NX bit in
# 32-bit paging, so any readable page is executable; and SYSCALL does not exist in
# legacy mode on Intel: system calls go through INT 0x80.
scenario "i386: the kernel's 1 GiB above 0xc0000000"
about "2-level paging with 4 MiB kernel pages: the U/S bit protects the kernel; without NX, data executes."
teaches 8, 13

machine {
  cpu i386
  paging 2-level
  memory 64 MiB
}

process app { uid: 1000, catch: SIGSEGV|SIGILL }

app: map 0x08048000 size 4 KiB rw user
app: read 0xc0001000 expect fault #PF(present, user), signal SIGSEGV
kernel in app: read 0xc0001000 expect ok
app: write 0x08048000 = 0xc3
app: jump 0x08048000 expect ok  # no NX: the data page runs
app: int 0x80 getpid expect returns 1
app: syscall getpid expect fault #UD, signal SIGILL
