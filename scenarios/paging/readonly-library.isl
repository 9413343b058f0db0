# A shared library's code is one set of frames mapped read-only (and executable) into
# every process that uses it: sharing saves memory, and R/W=0 keeps one process from
# patching the code another runs.
scenario "A shared library is mapped read-only into several processes"
about "Two processes map the same libc frames r-x; both read the same bytes at the same physical address; a write faults."
teaches 5, 16

region libc size 8 KiB { content: "\x7fELF libc code" }
process editor { uid: 1000, catch: SIGSEGV }
process browser { uid: 1001 }

editor: map 0x7f0000000000 size 8 KiB r-x user shared libc
browser: map 0x7f0000000000 size 8 KiB r-x user shared libc
editor: read 0x7f0000000001 size 3 expect value "ELF"
browser: read 0x7f0000000001 size 3 expect value "ELF"
editor: jump 0x7f0000000000 expect ok
editor: write 0x7f0000000000 = 0x90 expect fault #PF(present, write, user), signal SIGSEGV
browser: read 0x7f0000000000 expect value 0x7f
