# Every address space maps the kernel (so a system call needs no CR3 switch), but with
# U/S=0 at the top level: code at CPL 3 faults on it, the kernel at CPL 0 does not.
scenario "User code cannot read kernel memory"
about "The kernel half of every address space is supervisor-only: a user read faults with #PF(present, user) and the kernel turns it into SIGSEGV."
teaches 8, 15
seed 7
invariant all

machine {
  cpu x86_64 { smep: on, smap: on, nx: on }
  paging 4-level
  memory 64 MiB
}

secret kpass "hunter2" at 0xffff888000001000
process attacker { uid: 1000, catch: SIGSEGV }

attacker: map 0x400000 size 4 KiB rw user
attacker: write 0x400000 = 0x41 expect ok
attacker: read 0xffff888000001000 size 7
  expect fault #PF(present, user), cr2 0xffff888000001000, signal SIGSEGV, no leak
attacker: write 0xffff888000001000 = 0x0 expect fault #PF(present, write, user)
# The kernel itself reads it through the same mapping, at CPL 0.
kernel in attacker: read 0xffff888000001000 size 7 expect value "hunter2", phys 0x1000
assert attacker never knows kpass
