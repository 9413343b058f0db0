/**
 * Control-register and flag bits the simulator models (Intel SDM Vol. 3A §2.5 "Control
 * Registers", §2.2.1 for IA32_EFER, Vol. 1 §3.4.3 for EFLAGS). Registers are numbers:
 * CR0/CR4/EFER/RFLAGS/PKRU are 32-bit here, and CR3 holds a 4 KiB-aligned physical
 * address (below 2^52) plus a 12-bit PCID, so it too is an exact number.
 */

export const CR0_PE = 1 << 0;
export const CR0_WP = 1 << 16;
export const CR0_PG = 1 << 31;

export const CR4_PSE = 1 << 4;
export const CR4_PAE = 1 << 5;
export const CR4_PGE = 1 << 7;
export const CR4_UMIP = 1 << 11;
export const CR4_LA57 = 1 << 12;
export const CR4_PCIDE = 1 << 17;
export const CR4_SMEP = 1 << 20;
export const CR4_SMAP = 1 << 21;
export const CR4_PKE = 1 << 22;

export const EFER_SCE = 1 << 0;
export const EFER_LME = 1 << 8;
export const EFER_LMA = 1 << 10;
export const EFER_NXE = 1 << 11;

export const RFLAGS_FIXED = 1 << 1;
export const RFLAGS_IF = 1 << 9;
export const RFLAGS_AC = 1 << 18;

/** Named single-bit flags a scenario may set directly: `cr4.smep on`. */
export const NAMED_BITS: Readonly<Record<string, { readonly register: 'cr0' | 'cr4' | 'efer' | 'rflags'; readonly bit: number }>> = {
  'cr0.pe': { register: 'cr0', bit: CR0_PE },
  'cr0.wp': { register: 'cr0', bit: CR0_WP },
  'cr0.pg': { register: 'cr0', bit: CR0_PG },
  'cr4.pse': { register: 'cr4', bit: CR4_PSE },
  'cr4.pae': { register: 'cr4', bit: CR4_PAE },
  'cr4.pge': { register: 'cr4', bit: CR4_PGE },
  'cr4.umip': { register: 'cr4', bit: CR4_UMIP },
  'cr4.la57': { register: 'cr4', bit: CR4_LA57 },
  'cr4.pcide': { register: 'cr4', bit: CR4_PCIDE },
  'cr4.smep': { register: 'cr4', bit: CR4_SMEP },
  'cr4.smap': { register: 'cr4', bit: CR4_SMAP },
  'cr4.pke': { register: 'cr4', bit: CR4_PKE },
  'efer.sce': { register: 'efer', bit: EFER_SCE },
  'efer.lme': { register: 'efer', bit: EFER_LME },
  'efer.lma': { register: 'efer', bit: EFER_LMA },
  'efer.nxe': { register: 'efer', bit: EFER_NXE },
  'rflags.if': { register: 'rflags', bit: RFLAGS_IF },
  'rflags.ac': { register: 'rflags', bit: RFLAGS_AC },
};

export function hasBit(register: number, bit: number): boolean {
  return (register & bit) !== 0;
}

export function withBit(register: number, bit: number, on: boolean): number {
  return (on ? register | bit : register & ~bit) >>> 0;
}

/** CR3 bits 11:0 are the PCID when CR4.PCIDE=1 (SDM §4.10.1). */
export const CR3_PCID_MASK = 0xfff;

export function cr3Base(cr3: number): number {
  return cr3 - (cr3 % 4096);
}

export function cr3Pcid(cr3: number, cr4: number): number {
  return hasBit(cr4, CR4_PCIDE) ? cr3 % 4096 : 0;
}

/** Exception vectors (SDM Vol. 3A Table 6-1) with their mnemonics. */
export const VECTORS = {
  DE: 0,
  DB: 1,
  NMI: 2,
  BP: 3,
  OF: 4,
  BR: 5,
  UD: 6,
  NM: 7,
  DF: 8,
  TS: 10,
  NP: 11,
  SS: 12,
  GP: 13,
  PF: 14,
  MF: 16,
  AC: 17,
} as const;

export const VECTOR_MNEMONICS: Readonly<Record<number, string>> = {
  0: '#DE',
  1: '#DB',
  2: 'NMI',
  3: '#BP',
  4: '#OF',
  5: '#BR',
  6: '#UD',
  7: '#NM',
  8: '#DF',
  10: '#TS',
  11: '#NP',
  12: '#SS',
  13: '#GP',
  14: '#PF',
  16: '#MF',
  17: '#AC',
};

export function vectorOfMnemonic(mnemonic: string): number | null {
  for (const [vector, name] of Object.entries(VECTOR_MNEMONICS)) if (name === mnemonic) return Number(vector);
  return null;
}

/** Vectors whose exception pushes an error code (SDM Vol. 3A Table 6-1). */
export function pushesErrorCode(vector: number): boolean {
  return vector === 8 || (vector >= 10 && vector <= 14) || vector === 17;
}
