# The TLB caches translations. If a cached translation survives a switch to another
# address space, the next process reads through it into the previous one's memory.
# Without PCIDs, x86 flushes non-global entries on every CR3 load (SDM §4.10.4.1), so
# the kernel cannot get this wrong. With PCIDs, entries are tagged and survive; the
# kernel must flush a PCID when it hands it to another process (Linux does, in
# choose_new_asid). Here the kernel has one PCID to share, and the variant "flush" says
# whether it flushes on reuse.
scenario "A missing TLB flush on context switch leaks another process's memory"
about "Stale TLB entries keep the previous address space alive: with PCIDs and no flush on PCID reuse, the attacker reads the victim's page."
teaches 7, 18
variant flush: on | off
variant pcid: on | off
invariant tlb.coherent, memory.process-isolation

machine {
  tlb 64 entries { pcid: $pcid }
}

kernel {
  switch { flush: $flush, pcids: 1 }
}

process victim { uid: 1000 }
process attacker { uid: 1001 }

victim: map 0x400000 size 4 KiB rw user
secret pin "4242" at 0x400000 in victim
victim: read 0x400000 size 4 expect value "4242", tlb miss
# The attacker maps its own, empty page at the same address. Switching to it without a
# flush leaves the victim's entry usable under the shared PCID.
attacker: map 0x400000 size 4 KiB rw user expect violation tlb.coherent when flush=off and pcid=on
attacker: read 0x400000 size 4
  expect leak pin, value "4242", tlb hit, violation tlb.coherent when flush=off and pcid=on
  expect no leak, value 0x0, tlb miss when flush=on
  expect no leak, value 0x0, tlb miss when pcid=off
assert attacker knows pin when flush=off and pcid=on
assert attacker never knows pin when flush=on
assert attacker never knows pin when pcid=off
