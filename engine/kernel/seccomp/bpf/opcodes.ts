/**
 * Classic BPF opcode fields (include/uapi/linux/bpf_common.h, include/uapi/linux/filter.h).
 *
 * An opcode is 16 bits; only the low 8 carry meaning: the class in bits 0–2, then for
 * loads the size (bits 3–4) and mode (bits 5–7), for ALU and jumps the source (bit 3) and
 * operation (bits 4–7), for RET the return-value source, for MISC the TAX/TXA bit.
 */

// Instruction classes (BPF_CLASS).
export const BPF_LD = 0x00;
export const BPF_LDX = 0x01;
export const BPF_ST = 0x02;
export const BPF_STX = 0x03;
export const BPF_ALU = 0x04;
export const BPF_JMP = 0x05;
export const BPF_RET = 0x06;
export const BPF_MISC = 0x07;

// Load sizes (BPF_SIZE).
export const BPF_W = 0x00;
export const BPF_H = 0x08;
export const BPF_B = 0x10;

// Load modes (BPF_MODE).
export const BPF_IMM = 0x00;
export const BPF_ABS = 0x20;
export const BPF_IND = 0x40;
export const BPF_MEM = 0x60;
export const BPF_LEN = 0x80;
export const BPF_MSH = 0xa0;

// ALU operations (BPF_OP).
export const BPF_ADD = 0x00;
export const BPF_SUB = 0x10;
export const BPF_MUL = 0x20;
export const BPF_DIV = 0x30;
export const BPF_OR = 0x40;
export const BPF_AND = 0x50;
export const BPF_LSH = 0x60;
export const BPF_RSH = 0x70;
export const BPF_NEG = 0x80;
export const BPF_MOD = 0x90;
export const BPF_XOR = 0xa0;

// Jump operations (BPF_OP of class JMP).
export const BPF_JA = 0x00;
export const BPF_JEQ = 0x10;
export const BPF_JGT = 0x20;
export const BPF_JGE = 0x30;
export const BPF_JSET = 0x40;

// Operand source (BPF_SRC) and RET's value source (BPF_RVAL).
export const BPF_K = 0x00;
export const BPF_X = 0x08;
export const BPF_A = 0x10;

// MISC operations (BPF_MISCOP).
export const BPF_TAX = 0x00;
export const BPF_TXA = 0x80;

/** Scratch memory words M[0..15] (BPF_MEMWORDS). */
export const BPF_MEMWORDS = 16;
/** Longest program the kernel loads (BPF_MAXINSNS). */
export const BPF_MAXINSNS = 4096;

export const bpfClass = (code: number): number => code & 0x07;
export const bpfSize = (code: number): number => code & 0x18;
export const bpfMode = (code: number): number => code & 0xe0;
export const bpfOp = (code: number): number => code & 0xf0;
export const bpfSrc = (code: number): number => code & 0x08;
export const bpfRval = (code: number): number => code & 0x18;
export const bpfMiscOp = (code: number): number => code & 0xf8;

const CLASS_NAMES = ['LD', 'LDX', 'ST', 'STX', 'ALU', 'JMP', 'RET', 'MISC'] as const;
const SIZE_NAMES: Readonly<Record<number, string>> = { [BPF_W]: 'W', [BPF_H]: 'H', [BPF_B]: 'B', 0x18: 'DW' };
const MODE_NAMES: Readonly<Record<number, string>> = {
  [BPF_IMM]: 'IMM', [BPF_ABS]: 'ABS', [BPF_IND]: 'IND', [BPF_MEM]: 'MEM', [BPF_LEN]: 'LEN', [BPF_MSH]: 'MSH',
};
const ALU_NAMES: Readonly<Record<number, string>> = {
  [BPF_ADD]: 'ADD', [BPF_SUB]: 'SUB', [BPF_MUL]: 'MUL', [BPF_DIV]: 'DIV', [BPF_OR]: 'OR', [BPF_AND]: 'AND',
  [BPF_LSH]: 'LSH', [BPF_RSH]: 'RSH', [BPF_NEG]: 'NEG', [BPF_MOD]: 'MOD', [BPF_XOR]: 'XOR',
};
const JMP_NAMES: Readonly<Record<number, string>> = {
  [BPF_JA]: 'JA', [BPF_JEQ]: 'JEQ', [BPF_JGT]: 'JGT', [BPF_JGE]: 'JGE', [BPF_JSET]: 'JSET',
};

export function hex(value: number, digits = 2): string {
  return '0x' + (value >>> 0).toString(16).padStart(digits, '0');
}

/**
 * The opcode spelled as the kernel headers build it, e.g. "BPF_LD|BPF_H|BPF_ABS (0x28)".
 * Codes whose fields have no name are shown by number only.
 */
export function opcodeName(code: number): string {
  const fields = opcodeFields(code);
  return fields === null ? hex(code, 2) : `${fields.map((field) => 'BPF_' + field).join('|')} (${hex(code, 2)})`;
}

function opcodeFields(code: number): string[] | null {
  if (!Number.isInteger(code) || code < 0 || code > 0xff) return null;
  const cls = CLASS_NAMES[bpfClass(code)];
  switch (bpfClass(code)) {
    case BPF_LD:
    case BPF_LDX:
      return bpfMode(code) === BPF_IMM || bpfMode(code) === BPF_MEM
        ? named(cls, MODE_NAMES[bpfMode(code)], bpfSize(code) === BPF_W ? null : SIZE_NAMES[bpfSize(code)])
        : named(cls, SIZE_NAMES[bpfSize(code)], MODE_NAMES[bpfMode(code)]);
    case BPF_ST:
    case BPF_STX:
      return code === bpfClass(code) ? [cls] : null;
    case BPF_ALU:
      return named(cls, ALU_NAMES[bpfOp(code)], bpfSrc(code) === BPF_X ? 'X' : bpfOp(code) === BPF_NEG ? null : 'K');
    case BPF_JMP:
      return named(cls, JMP_NAMES[bpfOp(code)], bpfOp(code) === BPF_JA ? null : bpfSrc(code) === BPF_X ? 'X' : 'K');
    case BPF_RET:
      return named(cls, ({ [BPF_K]: 'K', [BPF_X]: 'X', [BPF_A]: 'A' } as Record<number, string>)[bpfRval(code)]);
    default:
      return code === (BPF_MISC | BPF_TAX) ? [cls, 'TAX'] : code === (BPF_MISC | BPF_TXA) ? [cls, 'TXA'] : null;
  }
}

/** The named fields in order; `null` is a field deliberately left out, `undefined` one without a name. */
function named(...parts: (string | null | undefined)[]): string[] | null {
  if (parts.some((part) => part === undefined)) return null;
  return parts.filter((part): part is string => typeof part === 'string');
}
