# Data is not code: with EFER.NXE set, a page mapped without execute permission has
# XD=1, and an instruction fetch from it raises #PF with the I/D bit. Without NX (the
# i386 situation), any readable page is executable: the classic stack-smashing shellcode.
scenario "NX stops execution of data"
about "A jump into a writable data page faults with #PF(present, user, fetch) when NX is on, and runs when it is off."
teaches 2
variant nx: on | off

machine {
  cpu x86_64 { nx: $nx }
}

process victim { uid: 1000, catch: SIGSEGV }

victim: map 0x600000 size 4 KiB rw user  # the heap or the stack: data
victim: write 0x600000 = 0xc3  # attacker-controlled bytes ("ret")
victim: jump 0x600000
  expect fault #PF(present, user, fetch), signal SIGSEGV when nx=on
  expect ok when nx=off
victim: map 0x400000 size 4 KiB r-x user  # real code
victim: jump 0x400000 expect ok
