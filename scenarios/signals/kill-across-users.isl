# kill(2) is a system call like any other, and the kernel checks it: an unprivileged
# process may signal a process only if its real or effective uid equals the target's
# real or saved uid (kill(2), kernel/signal.c check_kill_permission). So one user cannot
# kill another user's processes — unless it holds CAP_KILL, which root has and a
# confined root may not. Signal 0 checks the permission without sending anything.
scenario "Signals cannot cross users without CAP_KILL"
about "Processes are isolated in what they can do to each other, not only in memory: the kernel checks every signal."
teaches 31, 30
invariant all

process alice_shell { uid: 1000 }
process alice_job { uid: 1000 }
process bob_daemon { uid: 1001, catch: SIGTERM }
process mallory { uid: 1002, role: attacker }
process operator { uid: 1003, caps: CAP_KILL }

mallory: syscall kill(bob_daemon, 0) expect errno EPERM  # even asking is refused
mallory: syscall kill(bob_daemon, SIGKILL) expect errno EPERM
mallory: syscall kill(alice_job, SIGTERM) expect errno EPERM
alice_shell: syscall kill(alice_job, 0) expect returns 0  # same user
alice_shell: syscall kill(bob_daemon, SIGTERM) expect errno EPERM
operator: syscall kill(bob_daemon, SIGTERM) expect returns 0  # CAP_KILL: any process; bob catches it
alice_shell: syscall kill(alice_job, SIGKILL) expect returns 0
alice_shell: syscall kill(alice_job, 0) expect errno ESRCH  # gone: init reaped it
assert alice_job exited
assert bob_daemon alive
assert mallory alive
