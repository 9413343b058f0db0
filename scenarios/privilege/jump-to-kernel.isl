# Why neither order works. "Set CPL then jump": the CPL is the low bits of CS, and
# user code can only load CS by a far jump, which must land on a segment of its own
# privilege (DPL = CPL), so jumping to the kernel's code segment raises #GP(selector);
# MOV to CS is not even an instruction (#UD). "Jump to the kernel then set CPL": the
# kernel's code is mapped supervisor-only, so fetching it at CPL 3 raises #PF (with I/D
# set: an instruction fetch). The only ways in are the gates: INT n, SYSCALL, faults.
scenario "User code cannot enter the kernel by jumping"
about "Far jumps cannot raise the privilege level, and kernel text is supervisor-only: both orders of 'set CPL' and 'jump' fail."
teaches 14, 8
invariant all

process attacker { uid: 1000, catch: SIGSEGV|SIGILL }

attacker: jump 0xffffffff81000000 expect fault #PF(present, user, fetch), signal SIGSEGV
attacker: exec ljmp 0x10:0xffffffff81000000 expect fault #GP(0x10)
attacker: exec mov cs, 0x10 expect fault #UD, signal SIGILL
attacker: exec iret 0x10:0xffffffff81000000 expect fault #GP(0x10)
attacker: exec ljmp 0x33:0x400000 expect ok  # its own code segment: allowed
attacker: int 0x80 getpid expect ok  # the door that is meant to be used
