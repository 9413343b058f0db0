# Isolation by default, sharing on request: two processes map the same region (as
# shm_open + mmap does) and talk through it; a third, which did not map it, cannot.
scenario "Processes communicate through an explicitly shared page"
about "A shared region is the same frame in two address spaces; everything else stays private."
teaches 6, 16
invariant memory.process-isolation

region mailbox size 4 KiB
process producer { uid: 1000 }
process consumer { uid: 1000 }
process outsider { uid: 1002, catch: SIGSEGV }

producer: map 0x10000000 size 4 KiB rw user shared mailbox
consumer: map 0x20000000 size 4 KiB r user shared mailbox
producer: write 0x10000000 "ping"
consumer: read 0x20000000 size 4 expect value "ping"
consumer: write 0x20000000 = 0x0 expect fault #PF(present, write, user), signal SIGSEGV
outsider: read 0x10000000 expect fault #PF(user), signal SIGSEGV
