# A filter that compares only the system-call number can be walked around: the same
# number means different calls in different tables. This filter forbids execve — 59 in
# the x86-64 table — but a 64-bit process can still enter the kernel through INT 0x80,
# where calls are numbered from the i386 table: execve is 11 there (and 59 is oldolduname),
# while 11 in the x86-64 table is munmap, which the filter allows. seccomp_data.arch says
# which table the number is from (AUDIT_ARCH_X86_64 or AUDIT_ARCH_I386); seccomp(2)
# tells filter writers to check it first, as libseccomp and Docker's profiles do.
scenario "Architecture confusion: a filter that ignores seccomp_data.arch is bypassed with INT 0x80"
about "Check arch before nr: with arch unchecked, INT 0x80 execve (i386 number 11) passes a filter that blocks x86-64 execve (59); with the check, any i386 call is killed."
teaches 21, 22
variant arch: unchecked | checked
invariant all

seccomp noexec { default: allow, execve: kill_process, arch: $arch }

process attacker { uid: 1000, seccomp: noexec }

attacker: syscall fork() as probe expect returns 2
probe: syscall execve("/bin/sh") expect signal SIGSYS  # the x86-64 number 59 is caught either way
# Unchecked, i386 getuid (24, x86-64's sched_yield) passes; checked, AUDIT_ARCH_I386 is
# not AUDIT_ARCH_X86_64 and the filter kills the process before the call runs.
attacker: int 0x80 getuid
  expect returns 1000 when arch=unchecked
  expect signal SIGSYS when arch=checked
attacker: int 0x80 execve("/bin/sh")
  expect returns 0 when arch=unchecked
  expect skipped when arch=checked
