# Instruction isolation: the CPU checks the CPL for every instruction. At ring 3 the
# instructions that control the machine raise #GP(0); the kernel turns that into SIGSEGV.
# Being root (uid 0) changes nothing here: uid is the kernel's notion, CPL the CPU's.
scenario "Privileged instructions fault at ring 3, even for root"
about "cli, hlt, mov to CR3, lgdt, lidt, wrmsr and port I/O need CPL 0; uid 0 still runs at CPL 3."
teaches 9, 10, 11
invariant cpu.control-registers-privileged

process root { uid: 0, gid: 0, catch: SIGSEGV }

root: exec cli expect fault #GP(0), signal SIGSEGV
root: exec hlt expect fault #GP(0)
root: exec mov cr3, 0x1000 expect fault #GP(0)
root: exec mov rax, cr3 expect fault #GP(0)
root: exec mov cr4, 0x0 expect fault #GP(0)
root: exec lgdt expect fault #GP(0)
root: exec lidt expect fault #GP(0)
root: exec wrmsr 0xc0000082, 0x0 expect fault #GP(0)
root: exec out 0x60 expect fault #GP(0)
root: exec invlpg 0x400000 expect fault #GP(0)
# Sensitive but not privileged: SGDT and SMSW run at CPL 3 (unless CR4.UMIP).
root: exec sgdt expect ok
root: exec smsw expect ok
# The kernel, at CPL 0, may do all of it.
kernel: exec mov rax, cr3 expect ok
kernel: exec invlpg 0x400000 expect ok
