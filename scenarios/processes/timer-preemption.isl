# Hardware interrupts enter the kernel whatever the CPU is doing: the timer (IRQ 0,
# vector 0x20) fires at ring 3, the CPU switches to ring 0 through the IDT, and the
# scheduler may give the CPU to another process — loading its CR3. A page fault enters
# the kernel the same way, and the kernel decides: here, a SIGSEGV that kills.
scenario "The timer interrupt preempts the running process; a page fault enters the kernel"
about "Interrupts and faults are the kernel's way in: the timer drives the context switch, a #PF becomes a signal."
teaches 15, 18

kernel {
  timer every 2 ticks
}

process first { uid: 1000 }
process second { uid: 1000 }

first: map 0x400000 size 4 KiB rw user
first: write 0x400000 = 0x1
# Two ticks have passed: the timer preempts first and round robin runs second. The step
# belongs to first, so the scheduler picks first again at the next tick.
first: read 0x400000 expect timer, switched second, switched first, value 0x1
# An explicit timer interrupt: round robin gives the CPU to second.
kernel: timer expect timer, switched second
second: map 0x400000 size 4 KiB rw user
second: read 0x400000 expect value 0x0
# No handler for SIGSEGV: the fault kills the process.
second: read 0x0 expect fault #PF(user), signal SIGSEGV, exits
assert second exited
assert first alive
