# Two processes use the same virtual address for different data: each has its own page
# tables (its own CR3), and the kernel's allocator gives each mapping its own frame.
scenario "The same virtual address in two processes maps to different frames"
about "Each process has its own address space: switching CR3 switches the view of memory."
teaches 1, 4, 16, 17, 18
invariant all

process alice { uid: 1000 }
process bob { uid: 1001 }

alice: map 0x400000 size 4 KiB rw user
bob: map 0x400000 size 4 KiB rw user
alice: write 0x400000 = 0xa11ce expect ok
bob: write 0x400000 = 0xb0b expect ok
# Different frames behind the same address; each switch loads CR3 and (PCIDs off) flushes
# the TLB, so each first access after a switch misses.
alice: read 0x400000 size 4 expect value 0xa11ce, phys 0x107000, tlb miss
bob: read 0x400000 size 4 expect value 0xb0b, phys 0x10b000, tlb miss
alice: read 0x400000 size 4 expect value 0xa11ce, tlb miss
alice: read 0x400000 size 4 expect value 0xa11ce, tlb hit
