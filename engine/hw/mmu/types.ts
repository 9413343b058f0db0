/**
 * Types shared by the page walker, the permission rules and the TLB.
 * Follows Intel SDM Vol. 3A ch. 4 ("Paging"); section numbers are given where used.
 */

/** How paging-structure entries are laid out. */
export type EntryFormat =
  /** 8-byte entries of 4-level/5-level paging (SDM §4.5): flags in bits 0..11, XD bit 63, PK bits 62:59. */
  | 'x86-64'
  /** 4-byte entries of 32-bit paging (SDM §4.3): no XD, no PK; 4 MiB pages with CR4.PSE. */
  | 'x86-32'
  /**
   * Teaching format of OSTEP's paging homework (paging-multilevel-translate.py): the
   * top bit of an entry is "valid", the remaining bits the PFN; no permission bits.
   */
  | 'ostep';

export interface PagingGeometry {
  /** Name used in scenarios: '4-level', '5-level', '2-level', 'ostep-15', 'custom'. */
  readonly name: string;
  /** Width of a linear (virtual) address: 48, 57, 32, 15. */
  readonly linearBits: number;
  /** Bits of the page offset: 12 for x86, 5 for a 32-byte teaching page. */
  readonly offsetBits: number;
  /** Index bits per level, top level first: [9,9,9,9] for 4-level paging. */
  readonly levelIndexBits: readonly number[];
  /** Names of the levels, top first: ['PML4', 'PDPT', 'PD', 'PT']. */
  readonly levelNames: readonly string[];
  /** Size of an entry in bytes: 8, 4 or 1 (or 2 for a teaching geometry). */
  readonly entryBytes: number;
  readonly format: EntryFormat;
  /**
   * Levels (0 = top) whose entries may map a large page with PS=1: [1, 2] for
   * 4-level paging (1 GiB PDPTE, 2 MiB PDE), [0] for 32-bit paging (4 MiB PDE,
   * only when CR4.PSE=1), [] otherwise.
   */
  readonly largePageLevels: readonly number[];
  /** Whether addresses must be canonical (64-bit modes only; SDM Vol. 1 §3.3.7.1). */
  readonly canonical: boolean;
}

export type AccessKind = 'read' | 'write' | 'fetch';

/** The control-register state a walk depends on. */
export interface PagingControl {
  /** Physical address of the top-level table (CR3 bits 51:12, or the teaching PDBR). */
  readonly rootAddress: number;
  readonly cpl: number;
  readonly cr0Wp: boolean;
  readonly cr4Pse: boolean;
  readonly cr4Smep: boolean;
  readonly cr4Smap: boolean;
  readonly cr4Pke: boolean;
  readonly efer_nxe: boolean;
  readonly rflagsAc: boolean;
  /** PKRU: 2 bits per key, AD at bit 2k, WD at bit 2k+1 (SDM §4.6.2). */
  readonly pkru: number;
  readonly maxPhyAddr: number;
}

/**
 * An access as the MMU sees it. `implicitSupervisor` marks accesses the processor makes
 * itself at any CPL (GDT/IDT reads), which SMAP always blocks on user pages (§4.6).
 */
export interface AccessRequest {
  readonly kind: AccessKind;
  /** The virtual address split into two exact 32-bit halves (see splitVirtual). */
  readonly vaHigh: number;
  readonly vaLow: number;
  readonly implicitSupervisor?: boolean;
}

/** One step of a walk, exactly as recorded in an `mmu.walkStepped` event. */
export interface WalkStep {
  /** 0 = top level. */
  readonly level: number;
  readonly levelName: string;
  /** Physical address of the table read at this level. */
  readonly tableAddress: number;
  readonly index: number;
  /** Physical address of the entry (tableAddress + index * entryBytes). */
  readonly entryAddress: number;
  /** The entry's raw value as read, in hex ("0x…", exact). */
  readonly entry: string;
  /** Flag names set in the entry: P, RW, US, PWT, PCD, A, D, PS, G, XD, and PK=n. */
  readonly flags: readonly string[];
}

/** Rights combined across the levels of a successful walk (SDM §4.6). */
export interface Rights {
  /** R/W=1 at every level. */
  readonly writable: boolean;
  /** U/S=1 at every level: a "user-mode address". */
  readonly user: boolean;
  /** XD=0 at every level (or EFER.NXE=0). */
  readonly executable: boolean;
  readonly global: boolean;
  /** Protection key of the final entry (0 when PKE is not in use). */
  readonly pkey: number;
}

/** Page-fault error-code bits (SDM §4.7). */
export const PF_P = 1 << 0;
export const PF_W = 1 << 1;
export const PF_U = 1 << 2;
export const PF_RSVD = 1 << 3;
export const PF_I = 1 << 4;
export const PF_PK = 1 << 5;

/** An accessed/dirty update the processor writes back into a paging-structure entry. */
export interface EntryUpdate {
  readonly entryAddress: number;
  readonly entryBytes: number;
  readonly before: string;
  readonly after: string;
  readonly setAccessed: boolean;
  readonly setDirty: boolean;
}

export type WalkResult =
  | {
      readonly kind: 'translated';
      readonly steps: readonly WalkStep[];
      /** Physical address of the first byte accessed. */
      readonly physicalAddress: number;
      /** Physical base of the page and its size as a shift (12, 21, 22, 30). */
      readonly frameBase: number;
      readonly pageShift: number;
      readonly rights: Rights;
      /** Address of the final entry (the one whose D flag a write sets). */
      readonly leafEntryAddress: number;
      /** Whether the final entry already had D=1 (after this access's own update). */
      readonly dirty: boolean;
      readonly updates: readonly EntryUpdate[];
    }
  | {
      readonly kind: 'fault';
      readonly steps: readonly WalkStep[];
      /** Architectural #PF error code. */
      readonly errorCode: number;
      /** Why, in a sentence: "PDE not present", "user read of a supervisor page", … */
      readonly reason: string;
      /**
       * Accessed flags the processor sets although the access faults: on a protection
       * violation the translation exists and its entries were used (SDM Vol. 3A §4.8,
       * and the footnote to "Interrupt 14" in ch. 6: the PDE's A flag is set when the
       * fault occurs). Empty for not-present and reserved-bit faults.
       */
      readonly updates: readonly EntryUpdate[];
    };
