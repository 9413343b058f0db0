# The lecture's first system call: write(STDOUT_FILENO, "Hello, World!\n", 14). A
# process cannot touch the terminal itself; it asks the kernel through the system-call
# interface, naming the terminal by a small integer, a file descriptor. Descriptors 0, 1
# and 2 are stdin, stdout and stderr; open returns the lowest free number (POSIX), so
# the first file opened is 3, and a closed number is handed out again.
scenario "write(STDOUT_FILENO, \"Hello, World!\\n\", 14): system calls and descriptors as small integers"
about "A system call is a numbered request to the kernel (SYSCALL, or INT 0x80 with the i386 table); the kernel answers with a value or -errno."
teaches 20
invariant all

process app { uid: 1000 }

app: syscall write(STDOUT_FILENO, "Hello, World!\n", 14) expect returns 14, prints "Hello, World!\n"
app: syscall write(STDOUT_FILENO, "Hello, World!\n", 5) expect returns 5, prints "Hello"  # the count decides
app: syscall write(STDERR_FILENO, "to stderr\n", 10) expect returns 10, prints "to stderr\n"
app: syscall getpid expect returns 1
app: syscall openat(AT_FDCWD, "/etc/passwd", O_RDONLY) expect returns 3
app: syscall read(3, buf, 5) expect returns 5, reads "root:"
app: syscall openat(AT_FDCWD, "/etc/group", O_RDONLY) expect returns 4
app: syscall close(3) expect returns 0
app: syscall read(3, buf, 5) expect errno EBADF  # 3 names nothing now
app: syscall openat(AT_FDCWD, "/etc/passwd", O_RDONLY) expect returns 3  # the lowest free number again
app: syscall write(9, "x", 1) expect errno EBADF
app: syscall open_tree(AT_FDCWD, "/", 0) expect errno ENOSYS  # in the table, not simulated: the trace says so
app: int 0x80 20 expect returns 1  # getpid is 20 in the i386 table
