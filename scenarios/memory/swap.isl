# Swapping (the lecture: keeping unused memory on disk). When memory runs short the
# kernel writes a page out to the swap device, marks the page-table entry not present,
# and gives the frame to someone else — zeroed first, so its old contents never reach
# the new owner. The owner's next access faults; the kernel reads the page back into a
# frame (any free one) and the access goes on as if nothing happened. Here another
# process gets the victim's frame while the page is out, and finds only zeros.
scenario "A swapped-out page is faulted back in, and its frame is handed on zeroed"
about "Page-out and page-in are kernel events; the page table's present bit turns the owner's next access into a fault the kernel resolves."
teaches 7, 1
invariant all

process victim { uid: 1000 }
process other { uid: 1001 }

victim: map 0x400000 size 4 KiB rw user
secret token "s3cr3t-t0k3n" at 0x400000 in victim
victim: read 0x400000 size 12 expect value "s3cr3t-t0k3n"
kernel: swapout victim 0x400000
other: map 0x400000 size 4 KiB rw user  # gets the frame the victim's page left
other: read 0x400000 size 12 expect no leak, value 0x0
victim: read 0x400000 size 12 expect value "s3cr3t-t0k3n", no fault  # the fault is handled: swapped back in
assert other never knows token
