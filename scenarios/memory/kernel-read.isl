# A user process tries to read the kernel's memory.
scenario "User code cannot read kernel memory"
about "Every address space maps the kernel, but supervisor-only (U/S=0): a user read faults."
teaches 8
seed 7

machine {
  cpu x86_64 { smep: on, smap: on, nx: on }
  paging 4-level
  memory 64 MiB
  tlb 64 entries
}

secret kpass "hunter2" at 0xffff888000001000
process attacker { uid: 1000, catch: SIGSEGV }

attacker: map 0x400000 size 4 KiB rw user
attacker: write 0x400000 = 0x41          expect ok
attacker: read 0x400000                  expect value 0x41, tlb hit
attacker: read 0xffff888000001000        expect fault #PF(present, user), signal SIGSEGV, no leak
kernel in attacker: read 0xffff888000001000 size 7 expect value "hunter2"
attacker: exec cli                       expect fault #GP(0)
attacker: int 0x80 getpid                expect returns 1
assert attacker never knows kpass
