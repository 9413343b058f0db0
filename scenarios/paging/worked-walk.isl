# The lecture's worked example: the 4-level walk of 0x000064a32b15e660.
# Bits 47:39 = 201 (PML4), 38:30 = 140 (PDPT), 29:21 = 344 (PD), 20:12 = 350 (PT),
# and 11:0 = 0x660, the offset in the page. `isolab translate 0x000064a32b15e660` shows it.
scenario "The 4-level page walk of 0x000064a32b15e660"
about "Page tables map a virtual address to a physical one in four steps; each entry carries rights, and the MMU sets the accessed and dirty bits it uses."
teaches 2, 3
variant wp: on | off

machine {
  cpu x86_64 { nx: on, wp: $wp }
  paging 4-level
  memory 1 MiB
}

# Tables at 0x1000 (PML4), 0x2000 (PDPT), 0x3000 (PD), 0x4000 (PT); the page at 0x5000.
# Each entry is the next table's address plus P|RW|US (0x7); the PTE is present and user,
# read-only (no RW) and executable.
raw {
  phys 0x1648 entry 0x2007  # PML4[201] = 0x1000 + 201 * 8
  phys 0x2460 entry 0x3007  # PDPT[140]
  phys 0x3ac0 entry 0x4007  # PD[344]
  phys 0x4af0 entry 0x5005  # PT[350]: P|US, read-only
  phys 0x5660 bytes "hello"
  cr3 0x1000
}

cpu: read 0x000064a32b15e660 size 5 cpl 3
  expect value "hello", phys 0x5660, tlb miss
  expect entry 0x1648 0x2027, entry 0x4af0 0x5025
cpu: read 0x000064a32b15e661 cpl 3 expect value 0x65, tlb hit
cpu: write 0x000064a32b15e660 = 0x48 cpl 3
  expect fault #PF(present, write, user), cr2 0x000064a32b15e660
# The kernel (CPL 0, with EFLAGS.AC set so SMAP allows it) writing the same read-only page:
# CR0.WP decides whether supervisor writes honour R/W.
cpu: write 0x000064a32b15e660 = 0x48 cpl 0 with ac
  expect fault #PF(present, write) when wp=on
  expect ok, entry 0x4af0 0x5065 when wp=off
cpu: read 0x000064a32b15f000 cpl 3 expect fault #PF(user)
cpu: read 0x800000000000 cpl 3 expect fault #GP(0)
