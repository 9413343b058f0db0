# The lecture's process creation, as written:
#   pid_t child_pid = clone(child_main, child_stack_top, SIGCHLD, NULL);
#   if (child_pid > 0) waitpid(child_pid, NULL, 0);
# clone makes a new process that runs child_main on its own stack; SIGCHLD in the flags
# is the signal the parent gets when it ends. waitpid blocks until then, collects the
# exit status and frees the child's last trace (a zombie until then, wait(2)).
scenario "clone(child_main, stack, SIGCHLD) then waitpid: creating a process and waiting for it"
about "Pids are small integers the kernel hands out; the parent names its child by pid, and a child that exits stays a zombie until its parent waits."
teaches 20
invariant all

process parent { uid: 1000 }

parent: syscall getpid expect returns 1
parent: syscall clone(child_main, stack, SIGCHLD, NULL) as child expect returns 2
child: syscall getpid expect returns 2
child: syscall getppid expect returns 1
child: syscall write(STDOUT_FILENO, "child running\n", 14) expect prints "child running\n"
parent: syscall waitpid(child, NULL, WNOHANG) expect returns 0  # still running: nothing to collect yet
child: syscall exit_group(7)
parent: syscall waitpid(child, NULL, 0) expect returns 2
parent: syscall waitpid(child, NULL, 0) expect errno ECHILD  # collected once, gone
assert child exited
