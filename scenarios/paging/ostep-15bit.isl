# OSTEP's paging-multilevel-translate.py homework with seed 0: a 15-bit address space,
# 32-byte pages, a two-level table with 1-byte entries (valid bit 7, PFN in bits 6..0),
# the page directory at page 108. The memory pages below are the ones the walks touch,
# copied from the homework's memory dump.
scenario "A textbook two-level walk: OSTEP, 15-bit addresses, 32-byte pages"
about "Reproduces an exam problem bit for bit: the same walk, the same physical address, the same value."
teaches 2, 3

machine {
  cpu teaching
  paging ostep-15
  memory 4 KiB
}

raw {
  phys 0xd80 hex "83fee0da7fd47febbe9ed5ade4ac90d692d8c1f89fe1ede9a1e8c7c2a9d1dbff"  # page 108: the page directory
  phys 0x420 hex "7f7f7f7f7f7f7f7fb57f9d7f7f7f7f7f7f7f7f7f7f7f7f7f7f7ff6b17f7f7f7f"  # page 33
  phys 0x6a0 hex "0f0c18090e121c0f081713071c1e191b09161b150e030d121c1d0e1a08181100"  # page 53
  phys 0xa80 hex "7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f947f7f7f7f7fce"  # page 84
  phys 0xac0 hex "7f7f7f7f7f7f7fc57f7f7f7f7f7f7f7f7f7f7f7fca7f7fee7f7f7f7f7f7f7f7f"  # page 86
  phys 0xfe0 hex "7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7fdf7f7f7f7f7f7f7f7f7f7f7f7f957f7f"  # page 127
  phys 0x3c0 hex "7f7f7f7f7f847f7f7f7f977fbd7f7ff47f7f7f7f7f7f7f7f7f7f7f7f7f7f9c7f"  # page 30
  pdbr 108
}

# 0x611c: PD index 24 -> PDE 0xa1 (valid, page 33); PT index 8 -> PTE 0xb5 (valid, page 53);
# offset 28 -> physical 0x6bc, which holds 0x08.
cpu: read 0x611c expect value 0x08, phys 0x6bc
cpu: read 0x17f5 expect phys 0x9d5
cpu: read 0x2592 expect phys 0x7b2
cpu: read 0x3e99 expect phys 0x959
cpu: read 0x3da8 expect fault #PF  # the PTE is 0x7f: not valid
cpu: read 0x7f6c expect fault #PF
cpu: read 0x1000 expect fault #PF  # the PDE is 0x7f: the walk stops at the first level
