# Filters stack: each seccomp(SECCOMP_SET_MODE_FILTER) adds one in front of those already
# there, none can be removed, and fork and execve keep them all. At every call the
# kernel runs every filter and keeps the most restrictive answer (seccomp(2): KILL_PROCESS,
# KILL_THREAD, TRAP, ERRNO, USER_NOTIF, TRACE, LOG, ALLOW); between two answers of the
# same action the newer filter's wins, so the errno a caller sees depends on the order
# the filters were installed in. A process cannot undo a filter by adding a laxer one.
scenario "Stacked filters: the most restrictive action wins, the newest filter breaks ties"
about "seccomp_run_filters runs every filter of the chain, newest first, and keeps the lowest action (signed ACTION_ONLY); equal actions keep the newest filter's data."
teaches 22
invariant all

fs {
  dir "/srv" { mode: 0755 }
  file "/srv/data" "x" { mode: 0644, owner: 1000 }
}

seccomp audit { default: log, chmod: errno(EACCES), gettid: allow }
seccomp sandbox { default: allow, chmod: EPERM, getpid: trap }
seccomp lax { default: allow }

process one { uid: 1000, no_new_privs: on, catch: SIGSYS }
process two { uid: 1000, no_new_privs: on, catch: SIGSYS }

one: syscall seccomp(SECCOMP_SET_MODE_FILTER, 0, audit) expect returns 0
one: syscall seccomp(SECCOMP_SET_MODE_FILTER, 0, sandbox) expect returns 0
two: syscall seccomp(SECCOMP_SET_MODE_FILTER, 0, sandbox) expect returns 0
two: syscall seccomp(SECCOMP_SET_MODE_FILTER, 0, audit) expect returns 0

# ERRNO against ERRNO: the newest filter's errno.
one: syscall chmod("/srv/data", 0600) expect errno EPERM
two: syscall chmod("/srv/data", 0600) expect errno EACCES

# TRAP beats audit's LOG: SIGSYS, and rax still holds getpid's number (39).
one: syscall getpid expect signal SIGSYS, returns 39
# audit's LOG beats sandbox's ALLOW: the call runs, and is logged.
one: syscall getuid expect returns 1000
# Both allow gettid.
one: syscall gettid expect returns 1

# A laxer filter changes nothing; children inherit the whole chain.
one: syscall seccomp(SECCOMP_SET_MODE_FILTER, 0, lax) expect returns 0
one: syscall chmod("/srv/data", 0600) expect errno EPERM
one: syscall fork() as child expect returns 3
child: syscall chmod("/srv/data", 0600) expect errno EPERM
child: syscall prctl(PR_GET_SECCOMP) expect returns 2
