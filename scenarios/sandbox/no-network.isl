# The Apple sandbox's named profiles (sandbox_init(3), SANDBOX_NAMED): kSBXProfileNoNetwork
# prohibits all sockets-based networking, kSBXProfileNoInternet only TCP/IP. The sandbox
# is a MAC policy: the kernel consults the process's rule list at every hook (here the
# socket's creation, connect and bind) and answers EPERM, whoever the process is — even
# root. Without a profile, the socket is made; connecting it is refused only because
# nothing listens in isolab's machine.
scenario "A sandbox profile forbids networking"
about "A named sandbox profile denies sockets at the kernel's MAC hooks: no-network denies every family, no-internet only TCP/IP."
teaches 27
variant profile: none | no-internet | no-network
invariant all

process app { uid: 0, sandbox: $profile }

app: syscall socket(AF_INET, SOCK_STREAM, 0)
  expect returns 3 when profile=none
  expect errno EPERM when profile=no-internet
  expect errno EPERM when profile=no-network
app: syscall socket(AF_INET6, SOCK_DGRAM, 0)
  expect returns 4 when profile=none
  expect errno EPERM when profile=no-internet
  expect errno EPERM when profile=no-network
app: syscall socket(AF_UNIX, SOCK_STREAM, 0)
  expect returns 5 when profile=none
  expect returns 3 when profile=no-internet
  expect errno EPERM when profile=no-network
# Only a socket that exists can try to connect.
app: syscall connect(3, "93.184.216.34:80")
  expect errno ECONNREFUSED when profile=none
  expect errno ECONNREFUSED when profile=no-internet
  expect errno EBADF when profile=no-network
# A child made by fork runs under its parent's profile.
app: syscall fork() as child expect returns 2
child: syscall socket(AF_INET, SOCK_STREAM, 0)
  expect returns 6 when profile=none
  expect errno EPERM when profile=no-internet
  expect errno EPERM when profile=no-network
# Files are not the network: reading stays allowed under every profile.
app: syscall openat(AT_FDCWD, "/etc/passwd", O_RDONLY)
  expect returns 6 when profile=none
  expect returns 4 when profile=no-internet
  expect returns 3 when profile=no-network
