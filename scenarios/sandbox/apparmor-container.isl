# An AppArmor profile for a container (apparmor.d(5); Docker's docker-default profile is
# one): file rules name paths with globs — `*` within one name, `**` across names — and
# permissions (r, w, x); allow rules add up, a deny rule wins whatever the order, and in an
# enforcing profile what no rule grants is denied with EACCES. The path is the one the
# kernel resolved, from the namespace's root. Root in the container is confined too.
scenario "AppArmor: a path profile for a container"
about "An AppArmor profile grants files by glob and permission; deny rules win, ungranted access is denied, and network rules name socket families."
teaches 28
variant confinement: unconfined | container
invariant all

fs {
  dir "/srv" { mode: 0755 }
  file "/srv/index.txt" "hello\n" { mode: 0644 }
  dir "/srv/private" { mode: 0755 }
  file "/srv/private/key.txt" "secret\n" { mode: 0644 }
  symlink "/srv/shortcut" "/etc/shadow"
}

apparmor container { allow: "/etc/** r", deny: "/etc/shadow r", allow: "/srv/*.txt r", allow: "/var/tmp/** rw", allow: "/bin/* ix", network: inet }

process box { uid: 0, apparmor: $confinement }

box: syscall openat(AT_FDCWD, "/etc/passwd", O_RDONLY) expect returns 3
# The deny rule wins over "/etc/** r", even through a symbolic link.
box: syscall openat(AT_FDCWD, "/srv/shortcut", O_RDONLY)
  expect returns 4 when confinement=unconfined
  expect errno EACCES when confinement=container
# `*` stays within one name: /srv/private/key.txt is not granted.
box: syscall openat(AT_FDCWD, "/srv/index.txt", O_RDONLY)
  expect returns 5 when confinement=unconfined
  expect returns 4 when confinement=container
box: syscall openat(AT_FDCWD, "/srv/private/key.txt", O_RDONLY)
  expect returns 6 when confinement=unconfined
  expect errno EACCES when confinement=container
# Read is granted in /etc, write is not.
box: syscall openat(AT_FDCWD, "/etc/passwd", O_WRONLY)
  expect returns 7 when confinement=unconfined
  expect errno EACCES when confinement=container
box: syscall openat(AT_FDCWD, "/var/tmp/log", O_WRONLY|O_CREAT, 0644)
  expect returns 8 when confinement=unconfined
  expect returns 5 when confinement=container
# network inet: IPv4 sockets only.
box: syscall socket(AF_INET, SOCK_STREAM, 0)
  expect returns 9 when confinement=unconfined
  expect returns 6 when confinement=container
box: syscall socket(AF_INET6, SOCK_STREAM, 0)
  expect returns 10 when confinement=unconfined
  expect errno EACCES when confinement=container
box: syscall execve("/usr/bin/passwd")
  expect errno ENOENT when confinement=unconfined
  expect errno ENOENT when confinement=container
box: syscall execve("/bin/sh") expect returns 0
