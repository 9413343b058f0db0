# A world for `isolab check`: the kernel holds a secret, and an attacker can make it
# touch user memory through a buggy system call (a "kernel in attacker" access). Two
# defences can be switched off: SMAP (variant smap), and the kernel's own discipline of
# mapping its pages supervisor-only (variant bug injects a driver that exposes the page
# holding the secret to user space). With both defences on, the checker finds nothing.
scenario "World: a kernel secret, SMAP, and a page that should be supervisor-only"
about "Run isolab check on it with smap=off or bug=on; the checker finds each attack by itself."
teaches 8, 15
variant smap: on | off
variant bug: off | on
invariant all

machine {
  cpu x86_64 { smep: on, smap: $smap, nx: on }
}

kernel {
  bug user-page 0xffff888000001000 { active: $bug }
}

secret kpass "hunter2" at 0xffff888000001000
process attacker { uid: 1000, catch: SIGSEGV|SIGILL|SIGTRAP|SIGFPE|SIGBUS, role: attacker }

attacker: map 0x400000 size 4 KiB rwx user
attacker: write 0x400000 = 0xc3 expect ok
