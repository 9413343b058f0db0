// Proves that checkRights follows Intel SDM Vol. 3A §4.6.1/§4.6.2 case by case and builds the §4.7 error code bit for bit.
import { describe, expect, it } from 'vitest';
import {
  accessErrorBits,
  checkRights,
  PF_I,
  PF_P,
  PF_PK,
  PF_U,
  PF_W,
  type AccessKind,
  type EntryFormat,
  type PagingControl,
  type Rights,
} from '../../../engine/hw/mmu/index.js';
import { controlWith } from './fakeMemory.js';

/** A page: U(ser) or S(upervisor) address, W(ritable) or R(ead-only), X or N(o-execute). */
type PageKind = `${'U' | 'S'}${'W' | 'R'}${'X' | 'N'}`;

interface Row {
  readonly rule: string;
  readonly cpl: number;
  readonly kind: AccessKind;
  readonly page: PageKind;
  readonly implicit?: boolean;
  readonly pkey?: number;
  readonly control?: Partial<PagingControl>;
  readonly format?: EntryFormat;
  /** The #PF error code, or null when the access is allowed. */
  readonly expected: number | null;
}

function rightsOf(page: PageKind, pkey: number): Rights {
  return { user: page[0] === 'U', writable: page[1] === 'W', executable: page[2] === 'X', global: false, pkey };
}

// Defaults for every row: CR0.WP=1, IA32_EFER.NXE=1, SMEP=SMAP=PKE=0, EFLAGS.AC=0, PKRU=0, 4-level paging.
const ROWS: readonly Row[] = [
  // §4.6.1, user-mode accesses, data reads: any user-mode address, no supervisor-mode address.
  { rule: 'user read of a user page', cpl: 3, kind: 'read', page: 'URX', expected: null },
  { rule: 'user read of a supervisor page', cpl: 3, kind: 'read', page: 'SWX', expected: PF_P | PF_U },
  // Data writes: user-mode addresses with R/W=1 everywhere; never supervisor-mode addresses.
  { rule: 'user write to a writable user page', cpl: 3, kind: 'write', page: 'UWX', expected: null },
  { rule: 'user write to a read-only user page', cpl: 3, kind: 'write', page: 'URX', expected: PF_P | PF_W | PF_U },
  { rule: 'user write to a writable supervisor page', cpl: 3, kind: 'write', page: 'SWX', expected: PF_P | PF_W | PF_U },
  {
    rule: 'CR0.WP does not relax user writes to read-only pages',
    cpl: 3, kind: 'write', page: 'URX', control: { cr0Wp: false }, expected: PF_P | PF_W | PF_U,
  },
  // Instruction fetches: XD matters with NXE=1; supervisor-mode addresses never.
  { rule: 'user fetch from an executable user page', cpl: 3, kind: 'fetch', page: 'URX', expected: null },
  { rule: 'user fetch from an XD user page, NXE=1', cpl: 3, kind: 'fetch', page: 'URN', expected: PF_P | PF_U | PF_I },
  {
    rule: 'XD means nothing when NXE=0',
    cpl: 3, kind: 'fetch', page: 'URN', control: { efer_nxe: false }, expected: null,
  },
  { rule: 'user fetch from a supervisor page, NXE=1', cpl: 3, kind: 'fetch', page: 'SRX', expected: PF_P | PF_U | PF_I },
  {
    rule: 'I/D stays 0 with NXE=0 and SMEP=0 (§4.7)',
    cpl: 3, kind: 'fetch', page: 'SRX', control: { efer_nxe: false }, expected: PF_P | PF_U,
  },
  {
    rule: 'I/D is set by SMEP=1 even with NXE=0 (§4.7)',
    cpl: 3, kind: 'fetch', page: 'SRX', control: { efer_nxe: false, cr4Smep: true }, expected: PF_P | PF_U | PF_I,
  },
  {
    rule: 'SMEP does not restrict user-mode fetches',
    cpl: 3, kind: 'fetch', page: 'URX', control: { cr4Smep: true }, expected: null,
  },
  {
    rule: 'SMAP does not restrict user-mode reads',
    cpl: 3, kind: 'read', page: 'URX', control: { cr4Smap: true }, expected: null,
  },
  {
    rule: '32-bit paging: I/D needs SMEP, since CR4.PAE=0 (§4.7)',
    cpl: 3, kind: 'fetch', page: 'SRX', format: 'x86-32', expected: PF_P | PF_U,
  },
  {
    rule: '32-bit paging ignores NXE: no execute-disable (§4.6.1)',
    cpl: 3, kind: 'fetch', page: 'URN', format: 'x86-32', expected: null,
  },
  // §4.6.1, supervisor-mode accesses, data reads.
  { rule: 'supervisor read of a supervisor page', cpl: 0, kind: 'read', page: 'SRN', expected: null },
  { rule: 'supervisor read of a user page, SMAP=0', cpl: 0, kind: 'read', page: 'URN', expected: null },
  {
    rule: 'SMAP: explicit supervisor read of a user page with AC=0',
    cpl: 0, kind: 'read', page: 'URN', control: { cr4Smap: true }, expected: PF_P,
  },
  {
    rule: 'SMAP: explicit supervisor read with AC=1 is allowed',
    cpl: 0, kind: 'read', page: 'URN', control: { cr4Smap: true, rflagsAc: true }, expected: null,
  },
  {
    rule: 'SMAP: implicit supervisor read is refused even with AC=1',
    cpl: 0, kind: 'read', page: 'URN', implicit: true, control: { cr4Smap: true, rflagsAc: true }, expected: PF_P,
  },
  {
    rule: 'implicit access at CPL 3 is a supervisor access: U/S=0 in the error code',
    cpl: 3, kind: 'read', page: 'URN', implicit: true, control: { cr4Smap: true, rflagsAc: true }, expected: PF_P,
  },
  {
    rule: 'implicit access at CPL 3 may read a supervisor page (IDT, GDT)',
    cpl: 3, kind: 'read', page: 'SRN', implicit: true, expected: null,
  },
  { rule: 'CPL 1 is supervisor: SMAP applies', cpl: 1, kind: 'read', page: 'URN', control: { cr4Smap: true }, expected: PF_P },
  // Data writes to supervisor-mode addresses: CR0.WP.
  { rule: 'supervisor write to a read-only supervisor page, WP=1', cpl: 0, kind: 'write', page: 'SRN', expected: PF_P | PF_W },
  {
    rule: 'supervisor write to a read-only supervisor page, WP=0',
    cpl: 0, kind: 'write', page: 'SRN', control: { cr0Wp: false }, expected: null,
  },
  { rule: 'CPL 2 write to a read-only supervisor page, WP=1', cpl: 2, kind: 'write', page: 'SRN', expected: PF_P | PF_W },
  // Data writes to user-mode addresses: CR0.WP and SMAP.
  {
    rule: 'supervisor write to a read-only user page, WP=0, SMAP=0',
    cpl: 0, kind: 'write', page: 'URN', control: { cr0Wp: false }, expected: null,
  },
  { rule: 'supervisor write to a read-only user page, WP=1, SMAP=0', cpl: 0, kind: 'write', page: 'URN', expected: PF_P | PF_W },
  {
    rule: 'SMAP: supervisor write to a writable user page with AC=0',
    cpl: 0, kind: 'write', page: 'UWN', control: { cr4Smap: true }, expected: PF_P | PF_W,
  },
  {
    rule: 'SMAP: supervisor write to a writable user page with AC=1',
    cpl: 0, kind: 'write', page: 'UWN', control: { cr4Smap: true, rflagsAc: true }, expected: null,
  },
  {
    rule: 'SMAP with AC=1 still honours R/W when WP=1',
    cpl: 0, kind: 'write', page: 'URN', control: { cr4Smap: true, rflagsAc: true }, expected: PF_P | PF_W,
  },
  {
    rule: 'SMAP with AC=1 and WP=0 allows a write to a read-only user page',
    cpl: 0, kind: 'write', page: 'URN', control: { cr4Smap: true, rflagsAc: true, cr0Wp: false }, expected: null,
  },
  {
    rule: 'SMAP: implicit supervisor write to a user page is refused even with AC=1 and WP=0',
    cpl: 0, kind: 'write', page: 'UWN', implicit: true, control: { cr4Smap: true, rflagsAc: true, cr0Wp: false },
    expected: PF_P | PF_W,
  },
  // Instruction fetches from supervisor-mode and user-mode addresses: XD and SMEP.
  { rule: 'supervisor fetch from an executable supervisor page', cpl: 0, kind: 'fetch', page: 'SRX', expected: null },
  { rule: 'supervisor fetch from an XD supervisor page, NXE=1', cpl: 0, kind: 'fetch', page: 'SRN', expected: PF_P | PF_I },
  { rule: 'supervisor fetch from a user page, SMEP=0', cpl: 0, kind: 'fetch', page: 'URX', expected: null },
  {
    rule: 'SMEP: supervisor fetch from a user page',
    cpl: 0, kind: 'fetch', page: 'URX', control: { cr4Smep: true }, expected: PF_P | PF_I,
  },
  {
    rule: 'SMEP with NXE=0 still refuses and still sets I/D',
    cpl: 0, kind: 'fetch', page: 'URX', control: { cr4Smep: true, efer_nxe: false }, expected: PF_P | PF_I,
  },
  {
    rule: 'SMEP allows supervisor fetches from supervisor pages',
    cpl: 0, kind: 'fetch', page: 'SRX', control: { cr4Smep: true }, expected: null,
  },
  {
    rule: 'SMAP does not restrict instruction fetches',
    cpl: 0, kind: 'fetch', page: 'URX', control: { cr4Smap: true }, expected: null,
  },
  // §4.6.2, protection keys: PKRU bit 2i is ADi, bit 2i+1 is WDi; data accesses to user-mode addresses only.
  {
    rule: 'PKRU.AD1 refuses a user read',
    cpl: 3, kind: 'read', page: 'UWN', pkey: 1, control: { cr4Pke: true, pkru: 1 << 2 }, expected: PF_P | PF_U | PF_PK,
  },
  {
    rule: 'PKRU.WD1 refuses a user write',
    cpl: 3, kind: 'write', page: 'UWN', pkey: 1, control: { cr4Pke: true, pkru: 1 << 3 },
    expected: PF_P | PF_W | PF_U | PF_PK,
  },
  {
    rule: 'PKRU.WD1 allows a user read',
    cpl: 3, kind: 'read', page: 'UWN', pkey: 1, control: { cr4Pke: true, pkru: 1 << 3 }, expected: null,
  },
  {
    rule: 'PKRU.AD2 does not affect key 1',
    cpl: 3, kind: 'read', page: 'UWN', pkey: 1, control: { cr4Pke: true, pkru: 1 << 4 }, expected: null,
  },
  {
    rule: 'PKRU.AD15 (bit 30) refuses a read with key 15',
    cpl: 3, kind: 'read', page: 'UWN', pkey: 15, control: { cr4Pke: true, pkru: 0x40000000 }, expected: PF_P | PF_U | PF_PK,
  },
  {
    rule: 'PKRU.WD15 (bit 31) refuses a write with key 15',
    cpl: 3, kind: 'write', page: 'UWN', pkey: 15, control: { cr4Pke: true, pkru: 0x80000000 },
    expected: PF_P | PF_W | PF_U | PF_PK,
  },
  {
    rule: 'PKRU.AD applies to supervisor reads of user pages (SMAP=0)',
    cpl: 0, kind: 'read', page: 'UWN', pkey: 1, control: { cr4Pke: true, pkru: 1 << 2 }, expected: PF_P | PF_PK,
  },
  {
    rule: 'PKRU.WD applies to supervisor writes when WP=1',
    cpl: 0, kind: 'write', page: 'UWN', pkey: 1, control: { cr4Pke: true, pkru: 1 << 3 }, expected: PF_P | PF_W | PF_PK,
  },
  {
    rule: 'PKRU.WD does not apply to supervisor writes when WP=0',
    cpl: 0, kind: 'write', page: 'UWN', pkey: 1, control: { cr4Pke: true, pkru: 1 << 3, cr0Wp: false }, expected: null,
  },
  {
    rule: 'protection keys do not affect instruction fetches',
    cpl: 3, kind: 'fetch', page: 'UWX', pkey: 1, control: { cr4Pke: true, pkru: 1 << 2 }, expected: null,
  },
  {
    rule: 'protection keys do not affect supervisor-mode addresses',
    cpl: 0, kind: 'read', page: 'SWN', pkey: 1, control: { cr4Pke: true, pkru: 1 << 2 }, expected: null,
  },
  {
    rule: 'PKRU is ignored when CR4.PKE=0',
    cpl: 3, kind: 'read', page: 'UWN', pkey: 1, control: { pkru: 1 << 2 }, expected: null,
  },
  {
    rule: 'no protection keys with 32-bit paging, even with CR4.PKE=1',
    cpl: 3, kind: 'read', page: 'UWX', format: 'x86-32', control: { cr4Pke: true, pkru: 1 }, expected: null,
  },
  {
    rule: 'PK is set by its §4.7 definition alongside a R/W violation',
    cpl: 3, kind: 'write', page: 'URN', pkey: 2, control: { cr4Pke: true, pkru: 1 << 5 },
    expected: PF_P | PF_W | PF_U | PF_PK,
  },
  {
    rule: 'PK is set by its §4.7 definition alongside a SMAP violation',
    cpl: 0, kind: 'read', page: 'URN', control: { cr4Smap: true, cr4Pke: true, pkru: 1 }, expected: PF_P | PF_PK,
  },
  {
    rule: 'OSTEP entries carry no rights: everything is allowed',
    cpl: 3, kind: 'write', page: 'SRN', format: 'ostep', control: { cr4Smap: true, cr4Smep: true }, expected: null,
  },
];

describe('checkRights: SDM Vol. 3A §4.6 permission table', () => {
  it('has at least 40 rows', () => {
    expect(ROWS.length).toBeGreaterThanOrEqual(40);
  });

  it.each(ROWS.map((row) => [row.rule, row] as const))('%s', (_rule, row) => {
    const control = controlWith({ cpl: row.cpl, ...row.control });
    const request = { kind: row.kind, vaHigh: 0, vaLow: 0x4000, implicitSupervisor: row.implicit ?? false };
    const verdict = checkRights(rightsOf(row.page, row.pkey ?? 0), request, control, row.format ?? 'x86-64');
    if (row.expected === null) {
      expect(verdict).toBeNull();
    } else {
      expect(verdict).not.toBeNull();
      expect(verdict!.errorCode).toBe(row.expected);
    }
  });
});

describe('checkRights: reasons are sentences naming the rule', () => {
  const control = controlWith({ cpl: 0, cr4Smap: true });
  const cases: ReadonlyArray<[string, PageKind, AccessKind, Partial<PagingControl>, string]> = [
    ['user write, read-only', 'URN', 'write', { cpl: 3 }, 'user-mode write to a read-only page'],
    ['user read, supervisor', 'SRN', 'read', { cpl: 3 }, 'user-mode read of a supervisor page'],
    ['SMAP read', 'URN', 'read', {}, 'SMAP: supervisor read of a user page with EFLAGS.AC=0'],
    ['SMEP fetch', 'URX', 'fetch', { cr4Smep: true }, 'SMEP: supervisor instruction fetch from a user page'],
    ['WP write', 'SRN', 'write', {}, 'supervisor write to a read-only page with CR0.WP=1'],
    ['XD fetch', 'SRN', 'fetch', {}, 'supervisor instruction fetch from an execute-disable page'],
  ];
  it.each(cases)('%s', (_name, page, kind, overrides, reason) => {
    const verdict = checkRights(rightsOf(page, 0), { kind, vaHigh: 0, vaLow: 0 }, { ...control, ...overrides });
    expect(verdict?.reason).toBe(reason);
  });

  it('names the protection key and the PKRU bit', () => {
    const verdict = checkRights(
      rightsOf('UWN', 5),
      { kind: 'write', vaHigh: 0, vaLow: 0 },
      controlWith({ cpl: 3, cr4Pke: true, pkru: 1 << 11 }),
    );
    expect(verdict?.reason).toBe('protection key 5: PKRU.WD5=1 forbids this write to a user page');
  });
});

describe('accessErrorBits: the parts of the error code that describe the access (§4.7)', () => {
  it('sets W/R for writes only, U/S for explicit CPL-3 accesses only', () => {
    const user = controlWith({ cpl: 3 });
    expect(accessErrorBits({ kind: 'write', vaHigh: 0, vaLow: 0 }, user, 'x86-64')).toBe(PF_W | PF_U);
    expect(accessErrorBits({ kind: 'read', vaHigh: 0, vaLow: 0 }, user, 'x86-64')).toBe(PF_U);
    expect(accessErrorBits({ kind: 'read', vaHigh: 0, vaLow: 0, implicitSupervisor: true }, user, 'x86-64')).toBe(0);
  });

  it('sets I/D for fetches when SMEP=1, or when PAE-style paging has NXE=1', () => {
    const fetch = { kind: 'fetch', vaHigh: 0, vaLow: 0 } as const;
    expect(accessErrorBits(fetch, controlWith({ efer_nxe: true }), 'x86-64')).toBe(PF_I);
    expect(accessErrorBits(fetch, controlWith({ efer_nxe: false }), 'x86-64')).toBe(0);
    expect(accessErrorBits(fetch, controlWith({ efer_nxe: true }), 'x86-32')).toBe(0);
    expect(accessErrorBits(fetch, controlWith({ efer_nxe: false, cr4Smep: true }), 'x86-32')).toBe(PF_I);
  });
});
