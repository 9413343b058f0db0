# A set-user-ID-root program (passwd, old ping) starts with euid 0 and its caller's real
# uid. It must give root up once the privileged part is done. setuid(getuid()) with
# euid 0 sets the real, effective AND saved ids (setuid(2)): nothing of root is left
# (capabilities(7): all ids non-zero clears the permitted set), and setuid(0) fails from
# then on. seteuid(getuid()) changes only the effective id: the saved id stays 0, so
# whoever takes the program over gets root back with seteuid(0). Both programs here are
# the same passwd run by alice; they differ only in how they drop.
scenario "Dropping privilege: setuid() is permanent, seteuid() is reversible"
about "Linux keeps real, effective and saved uids; an unprivileged process may set its euid to any of them, so a saved uid of 0 is a way back to root."
teaches 29, 11
invariant all

fs {
  file "/usr/bin/passwd" "ELF passwd" { mode: 04755, owner: 0 }
}

process careful { uid: 1000, role: attacker }
process careless { uid: 1000, role: attacker }

careful: syscall execve("/usr/bin/passwd") expect returns 0  # alice runs the set-user-ID-root program
careful: syscall getuid expect returns 1000
careful: syscall geteuid expect returns 0  # the file's owner
careful: syscall openat(AT_FDCWD, "/etc/shadow", O_RDONLY) expect returns 3  # the privileged part
careful: syscall setuid(1000) expect returns 0  # drop: real, effective and saved
careless: syscall execve("/usr/bin/passwd") expect returns 0
careless: syscall openat(AT_FDCWD, "/etc/shadow", O_RDONLY) expect returns 3
careless: syscall seteuid(1000) expect returns 0  # "drop": the effective id only
# Both are now compromised: the attacker tries to become root again.
careful: syscall seteuid(0) expect errno EPERM
careful: syscall setresuid(0, 0, 0) expect errno EPERM
careful: syscall openat(AT_FDCWD, "/etc/shadow", O_RDONLY) expect errno EACCES
careless: syscall openat(AT_FDCWD, "/etc/shadow", O_RDONLY) expect errno EACCES  # looks dropped…
careless: syscall seteuid(0) expect returns 0  # …but the saved uid is still 0
careless: syscall openat(AT_FDCWD, "/etc/shadow", O_RDONLY) expect returns 4
assert careful euid 1000
assert careful suid 1000
assert careful lacks CAP_SETUID
assert careless euid 0
assert careless suid 0
assert careless has CAP_DAC_OVERRIDE
