# A kernel bug hands the kernel a pointer into user memory. SMEP (CR4.SMEP) stops the
# kernel from executing user pages (ret2usr); SMAP (CR4.SMAP) stops it from reading or
# writing them, except inside copy_from_user/copy_to_user, which set EFLAGS.AC (STAC).
# Without them, the attacker's page is the kernel's code and data.
scenario "SMEP and SMAP stop the kernel from using user pages"
about "With SMEP a supervisor fetch from a user page faults; with SMAP a supervisor data access does unless EFLAGS.AC is set."
teaches 8, 15
variant smep: on | off
variant smap: on | off

machine {
  cpu x86_64 { smep: $smep, smap: $smap, nx: on }
}

process reader { uid: 1000 }
process jumper { uid: 1000 }

reader: map 0x500000 size 4 KiB rw user
reader: write 0x500000 = 0x41
# copy_from_user: the kernel sets EFLAGS.AC (STAC) around the access. Always allowed.
kernel in reader: read 0x500000 with ac expect ok, value 0x41
# A bug: the kernel dereferences the user pointer directly.
kernel in reader: read 0x500000
  expect fault #PF(present), oops when smap=on
  expect ok, value 0x41 when smap=off

jumper: map 0x400000 size 4 KiB rwx user  # the attacker's "shellcode"
jumper: write 0x400000 = 0xc3
# A bug: the kernel calls a function pointer the attacker controls (ret2usr).
kernel in jumper: jump 0x400000
  expect fault #PF(present, fetch), oops when smep=on
  expect ok when smep=off
