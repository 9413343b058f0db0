/**
 * Text for the report: numbers in hex, registers decoded into flag names (Intel SDM
 * Vol. 3A §2.5 for CR0/CR4, §2.2.1 for IA32_EFER, Vol. 1 §3.4.3 for RFLAGS, §4.6.2
 * for PKRU), and an event's data as one line.
 */

export function hex(value: number | bigint): string {
  return '0x' + value.toString(16);
}

export function count(value: number, one: string, many = one + 's'): string {
  return `${value.toLocaleString('en-US')} ${value === 1 ? one : many}`;
}

/** Bit positions and names; only the bits the simulator models or a reader expects to see. */
const CR0_BITS: readonly [number, string][] = [
  [0, 'PE'],
  [1, 'MP'],
  [2, 'EM'],
  [3, 'TS'],
  [4, 'ET'],
  [5, 'NE'],
  [16, 'WP'],
  [18, 'AM'],
  [29, 'NW'],
  [30, 'CD'],
  [31, 'PG'],
];
const CR4_BITS: readonly [number, string][] = [
  [0, 'VME'],
  [1, 'PVI'],
  [2, 'TSD'],
  [3, 'DE'],
  [4, 'PSE'],
  [5, 'PAE'],
  [6, 'MCE'],
  [7, 'PGE'],
  [8, 'PCE'],
  [9, 'OSFXSR'],
  [10, 'OSXMMEXCPT'],
  [11, 'UMIP'],
  [12, 'LA57'],
  [13, 'VMXE'],
  [14, 'SMXE'],
  [16, 'FSGSBASE'],
  [17, 'PCIDE'],
  [18, 'OSXSAVE'],
  [20, 'SMEP'],
  [21, 'SMAP'],
  [22, 'PKE'],
  [23, 'CET'],
  [24, 'PKS'],
];
const EFER_BITS: readonly [number, string][] = [
  [0, 'SCE'],
  [8, 'LME'],
  [10, 'LMA'],
  [11, 'NXE'],
];
const RFLAGS_BITS: readonly [number, string][] = [
  [0, 'CF'],
  [2, 'PF'],
  [4, 'AF'],
  [6, 'ZF'],
  [7, 'SF'],
  [8, 'TF'],
  [9, 'IF'],
  [10, 'DF'],
  [11, 'OF'],
  [14, 'NT'],
  [16, 'RF'],
  [17, 'VM'],
  [18, 'AC'],
  [19, 'VIF'],
  [20, 'VIP'],
  [21, 'ID'],
];

export const REGISTER_BITS = { cr0: CR0_BITS, cr4: CR4_BITS, efer: EFER_BITS, rflags: RFLAGS_BITS } as const;

/** Names of the set bits of a 32-bit register, in bit order; unnamed set bits as "bit n". */
export function flagNames(value: number, bits: readonly (readonly [number, string])[], ignore: readonly number[] = []): string[] {
  const names: string[] = [];
  for (let bit = 0; bit < 32; bit++) {
    if (Math.floor(value / 2 ** bit) % 2 === 0 || ignore.includes(bit)) continue;
    const named = bits.find(([position]) => position === bit);
    names.push(named === undefined ? `bit ${bit}` : named[1]);
  }
  return names;
}

/** PKRU: for each key with a bit set, "key k: AD" / "WD" / "AD WD". */
export function pkruText(pkru: number): string {
  const keys: string[] = [];
  for (let key = 0; key < 16; key++) {
    const bits = Math.floor(pkru / 4 ** key) % 4;
    if (bits === 0) continue;
    keys.push(`key ${key}: ${[bits & 1 ? 'AD' : '', bits & 2 ? 'WD' : ''].filter((s) => s !== '').join(' ')}`);
  }
  return keys.length === 0 ? 'all keys allow access' : keys.join('; ');
}

/** A JSON value as short text: strings bare, arrays and objects compact. */
export function valueText(value: unknown, limit = 120): string {
  let text: string;
  if (typeof value === 'string') text = value;
  else if (value === undefined) text = '';
  else text = JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? hex(v) : v)) ?? String(value);
  return text.length > limit ? text.slice(0, limit - 1) + '…' : text;
}

/** Fields that say the most about an event, shown first in its one-line text. */
const LEADING_FIELDS = ['va', 'secret', 'invariant', 'message', 'register', 'after', 'slot', 'levelName', 'index', 'entry', 'reason', 'text', 'name', 'pid'];

/** An event's data as one line: "va=0x400000 slot=0 pcid=1". */
export function dataLine(data: unknown, limit = 160): string {
  if (data === null || typeof data !== 'object' || Array.isArray(data)) return valueText(data, limit);
  const fields = data as Record<string, unknown>;
  const keys = Object.keys(fields);
  const ordered = [...LEADING_FIELDS.filter((key) => keys.includes(key)), ...keys.filter((key) => !LEADING_FIELDS.includes(key))];
  let line = '';
  for (const key of ordered) {
    const value = fields[key];
    if (value === null || (Array.isArray(value) && value.length === 0)) continue;
    const part = `${key}=${valueText(value, 48)}`;
    line = line === '' ? part : `${line} ${part}`;
    if (line.length > limit) return line.slice(0, limit - 1) + '…';
  }
  return line;
}

/** How much an event type matters to a reader: 2 for a breach, 1 for a fault, else 0. */
export function severityOf(type: string): 0 | 1 | 2 {
  if (type === 'invariant.violated' || type === 'observer.secretLeaked') return 2;
  if (/exception|fault|signal|oops|Exited|refused|denied/i.test(type)) return 1;
  return 0;
}
