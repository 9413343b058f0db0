# kSBXProfileNoWriteExceptTemporary (sandbox_init(3)): "file system writes are restricted
# to the temporary folder /var/tmp and the folder specified by the confstr(3) configuration
# variable _CS_DARWIN_USER_TEMP_DIR" — /tmp stands for the latter in isolab's Linux-like
# tree. kSBXProfileNoWrite prohibits every write. A write is any acquisition for writing:
# opening for writing, truncating, creating, removing, renaming, chmod. The profile judges
# the object the kernel resolves, so a symbolic link planted in /tmp does not carry a write
# out to /etc/passwd. Root is confined like anyone else.
scenario "Writes only under /var/tmp and /tmp"
about "A sandbox profile confines writes to the temporary folders; links and .. do not lead a write out of them."
teaches 27
variant profile: none | no-write-except-temporary | no-write
invariant all

fs {
  dir "/home/alice" { mode: 0755, owner: 1000 }
  symlink "/tmp/passwd-link" "/etc/passwd"
}

process app { uid: 0, sandbox: $profile }

app: syscall openat(AT_FDCWD, "/var/tmp/cache", O_WRONLY|O_CREAT, 0644)
  expect returns 3 when profile=none
  expect returns 3 when profile=no-write-except-temporary
  expect errno EPERM when profile=no-write
app: syscall openat(AT_FDCWD, "/tmp/scratch", O_RDWR|O_CREAT, 0600)
  expect returns 4 when profile=none
  expect returns 4 when profile=no-write-except-temporary
  expect errno EPERM when profile=no-write
app: syscall openat(AT_FDCWD, "/home/alice/notes", O_WRONLY|O_CREAT, 0644)
  expect returns 5 when profile=none
  expect errno EPERM when profile=no-write-except-temporary
  expect errno EPERM when profile=no-write
# Through a link in /tmp: the file written would be /etc/passwd.
app: syscall openat(AT_FDCWD, "/tmp/passwd-link", O_WRONLY|O_TRUNC)
  expect returns 6 when profile=none
  expect errno EPERM when profile=no-write-except-temporary
  expect errno EPERM when profile=no-write
# ".." out of /var/tmp lands in /var.
app: syscall mkdir("/var/tmp/../escape", 0755)
  expect returns 0 when profile=none
  expect errno EPERM when profile=no-write-except-temporary
  expect errno EPERM when profile=no-write
app: syscall mkdir("/var/tmp/build", 0755)
  expect returns 0 when profile=none
  expect returns 0 when profile=no-write-except-temporary
  expect errno EPERM when profile=no-write
app: syscall unlink("/etc/group")
  expect returns 0 when profile=none
  expect errno EPERM when profile=no-write-except-temporary
  expect errno EPERM when profile=no-write
app: syscall chmod("/etc/shadow", 0644)
  expect returns 0 when profile=none
  expect errno EPERM when profile=no-write-except-temporary
  expect errno EPERM when profile=no-write
# Reading is not writing.
app: syscall openat(AT_FDCWD, "/etc/passwd", O_RDONLY)
  expect returns 7 when profile=none
  expect returns 5 when profile=no-write-except-temporary
  expect returns 3 when profile=no-write
