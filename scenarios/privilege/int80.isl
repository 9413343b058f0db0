# A safe transition into the kernel: INT n goes through the IDT, and the CPU allows it
# from ring 3 only through gates whose DPL is 3. Linux's INT 0x80 gate has DPL 3 (the
# i386 system-call entry); the page-fault gate (0xe) has DPL 0, so user code cannot
# fake a page fault: INT 0xe from ring 3 raises #GP with error code 0xe*8+2 = 0x72.
scenario "INT 0x80 enters the kernel from user space; INT 0xe does not"
about "The IDT gate's DPL decides who may use INT n: CPL <= DPL or #GP(vector*8+2). IRET returns to ring 3."
teaches 12, 13, 20
invariant all

process app { uid: 1000, catch: SIGSEGV|SIGTRAP }

app: int 0x80 getpid expect ok, returns 1
app: int 0x80 getuid expect returns 1000
app: int 0x80 20 expect returns 1  # getpid by number in the i386 table
app: syscall getpid expect returns 1  # the 64-bit entry: SYSCALL / SYSRET
app: int 0xe expect fault #GP(0x72), signal SIGSEGV
app: int 0x20 expect fault #GP(0x102)  # the timer's gate is DPL 0 too
app: int 3 expect signal SIGTRAP  # #BP has a DPL 3 gate: int3 works
app: exec sysret expect fault #GP(0)
