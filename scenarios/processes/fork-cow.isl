# fork(2) gives the child a copy of the parent's address space. Copying every page at
# once would be slow, so Linux shares them read-only and copies a page only when one
# side writes it: copy-on-write (mm/memory.c, do_wp_page). Each copy is an event here.
# Isolation must survive the sharing: after the copy, neither process sees the other's
# writes, although both use the same virtual address.
scenario "fork with copy-on-write: shared until written, then private"
about "Parent and child start with the same frames, mapped read-only; the first write faults and the kernel gives the writer its own copy."
teaches 1, 20
invariant all

process parent { uid: 1000 }

parent: map 0x400000 size 8 KiB rw user
parent: write 0x400000 = "parent data"
parent: write 0x401000 = "second page"
parent: syscall fork() as child expect returns 2
child: read 0x400000 size 11 expect value "parent data"  # the same frame, shared
child: write 0x400000 = "child data!"  # copy-on-write: the child gets its own frame
child: read 0x400000 size 11 expect value "child data!"
parent: read 0x400000 size 11 expect value "parent data"  # untouched
parent: write 0x401000 = "parent edit"  # the parent writes the other shared page: it copies too
child: read 0x401000 size 11 expect value "second page"
parent: read 0x401000 size 11 expect value "parent edit"
assert no violations
