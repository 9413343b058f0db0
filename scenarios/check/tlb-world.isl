# A world for `isolab check`: a victim holds a secret in a page it has just used (so its
# translation sits in the TLB), and an attacker shares the CPU. The attack steps are not
# written here: the checker searches for them. With PCIDs and the flush on PCID reuse
# switched off, a stale entry lets the attacker read the victim's page.
scenario "World: a victim's page in the TLB, an attacker on the same CPU"
about "Run isolab check on it; with flush=off the checker finds the stale-TLB read by itself."
teaches 7, 18
variant flush: on | off
invariant memory.process-isolation, secret.no-leak

machine {
  tlb 64 entries { pcid: on }
}

kernel {
  switch { flush: $flush, pcids: 1 }
}

process victim { uid: 1000 }
process attacker { uid: 1001, catch: SIGSEGV|SIGILL|SIGTRAP|SIGFPE|SIGBUS, role: attacker }

victim: map 0x400000 size 8 KiB rw user
secret pin "4242" at 0x400000 in victim
victim: read 0x400000 size 4 expect value "4242"
