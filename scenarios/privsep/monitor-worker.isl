# Privilege separation, the lecture's story: split a program into modules; give each the
# least privilege it needs. A root monitor keeps the one privileged job (checking a
# password against /etc/shadow); a worker does the risky job (parsing what arrives from
# the network) as an unprivileged user. The monitor makes a socket pair and forks; the
# worker drops every id to nobody (65534) with setresgid/setresuid — permanent, because
# no id stays 0 (setresuid(2), capabilities(7)) — and asks the monitor over the socket.
# When the worker is compromised, the attacker has only the worker's credentials.
scenario "Privilege separation: a root monitor and an unprivileged worker over a socket pair"
about "The kernel isolates the two processes; the worker's only way to the privileged operation is a request the monitor may refuse."
teaches 29, 31
invariant all

process monitor { uid: 0 }

monitor: syscall socketpair(AF_UNIX, SOCK_STREAM, 0) expect returns 0  # fds 3 and 4
monitor: syscall fork() as worker expect returns 2
monitor: syscall close(4) expect returns 0  # each side keeps one end
worker: syscall close(3) expect returns 0
worker: syscall setgroups() expect returns 0
worker: syscall setresgid(65534, 65534, 65534) expect returns 0
worker: syscall setresuid(65534, 65534, 65534) expect returns 0
# From here on the worker parses hostile input: assume the attacker runs its code.
worker: syscall openat(AT_FDCWD, "/etc/shadow", O_RDONLY) expect errno EACCES
worker: syscall setuid(0) expect errno EPERM  # the drop cannot be undone
worker: syscall setresuid(-1, 0, -1) expect errno EPERM
worker: syscall kill(monitor, SIGKILL) expect errno EPERM  # another user's process
worker: syscall write(4, "auth alice hunter2", 18) expect returns 18
monitor: syscall read(3, buf, 64) expect returns 18, reads "auth alice hunter2"
monitor: syscall openat(AT_FDCWD, "/etc/shadow", O_RDONLY) expect returns 4
monitor: syscall write(3, "denied", 6) expect returns 6
worker: syscall read(4, buf, 64) expect reads "denied"
assert worker uid 65534
assert worker suid 65534
assert worker lacks CAP_DAC_OVERRIDE
assert monitor alive
