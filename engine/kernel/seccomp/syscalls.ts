/**
 * seccomp(2) and the seccomp options of prctl(2) (kernel/seccomp.c do_seccomp,
 * prctl_set_seccomp, prctl_get_seccomp).
 *
 * The filter argument (`struct sock_fprog *`) is, in a scenario, the name of a program
 * the scenario declared (`filter NAME from "…"`, `profile NAME …`, `seccomp NAME { … }`):
 * `seccomp(SECCOMP_SET_MODE_FILTER, 0, NAME)`. A NULL or any other address is EFAULT:
 * isolab does not read a sock_fprog from user memory.
 */
import { littleEndianBytes, littleEndianValue } from '../../core/bytes.js';
import { hex } from '../../core/u64.js';
import { constantValue } from '../syscall/constants.js';
import { fail, ok, type SyscallContext, type SyscallHandler, type SyscallResult } from '../syscall/context.js';
import { readUserBytes, writeUserBytes } from '../syscall/user-memory.js';
import {
  SECCOMP_GET_ACTION_AVAIL,
  SECCOMP_GET_NOTIF_SIZES,
  SECCOMP_MODE_FILTER,
  SECCOMP_MODE_STRICT,
  SECCOMP_SET_MODE_FILTER,
  SECCOMP_SET_MODE_STRICT,
  SECCOMP_ACTIONS,
  actionValue,
} from './constants.js';
import { setModeFilter, setModeStrict, type ProgramArgument } from './install.js';
import { namedProgram, processSeccompOf } from './state.js';

const MODE_NUMBERS = { disabled: 0, strict: SECCOMP_MODE_STRICT, filter: SECCOMP_MODE_FILTER } as const;

/** struct seccomp_notif_sizes (include/uapi/linux/seccomp.h): seccomp_notif, seccomp_notif_resp, seccomp_data. */
export const NOTIF_SIZES = { seccomp_notif: 80, seccomp_notif_resp: 24, seccomp_data: 64 } as const;

/** Whether the argument is absent or NULL. */
function isNull(c: SyscallContext, index: number): boolean {
  return !c.has(index) || (c.symbol(index) === null && typeof c.args[index] === 'string' && c.u64(index) === 0n);
}

/** The program a filter argument names. */
export function programArgument(c: SyscallContext, index: number): ProgramArgument {
  const name = c.symbol(index);
  if (name !== null) {
    const named = namedProgram(c.state.kernel, name);
    return named === null ? { efault: `no filter named ${name} is declared in this scenario` } : { program: named.program, label: name };
  }
  if (isNull(c, index)) return { efault: 'the filter pointer is NULL' };
  return { efault: `isolab does not read a struct sock_fprog from memory (${hex(c.u64(index))}); pass the name of a declared filter` };
}

/** SECCOMP_GET_ACTION_AVAIL: reads a u32 action; a constant's name stands for the value at the address. */
function actionAvail(c: SyscallContext): SyscallResult {
  let value: number;
  const symbol = c.symbol(2);
  if (symbol !== null) {
    const known = constantValue(symbol);
    if (known === null) return fail('EFAULT', `EFAULT: ${symbol} is neither an address nor a constant`);
    value = known >>> 0;
  } else {
    const bytes = readUserBytes(c.state, c.process, c.u64(2), 4);
    if (bytes === null) return fail('EFAULT', `EFAULT: cannot read the action at ${hex(c.u64(2))}`);
    value = Number(littleEndianValue(bytes));
  }
  // seccomp_get_action_avail compares the whole value: ERRNO(1) is not an action.
  const action = SECCOMP_ACTIONS.find((name) => actionValue(name) === value);
  if (action === undefined) return fail('EOPNOTSUPP', `EOPNOTSUPP: 0x${value.toString(16)} is not an action this kernel knows`);
  return ok(0, { note: `SECCOMP_RET_${action} is available` });
}

function notifSizes(c: SyscallContext): SyscallResult {
  const detail = { ...NOTIF_SIZES };
  if (isNull(c, 2)) return fail('EFAULT', 'EFAULT: no struct seccomp_notif_sizes to fill');
  const bytes = new Uint8Array(6);
  [NOTIF_SIZES.seccomp_notif, NOTIF_SIZES.seccomp_notif_resp, NOTIF_SIZES.seccomp_data].forEach((size, i) => bytes.set(littleEndianBytes(BigInt(size), 2), i * 2));
  const written = writeUserBytes(c.state, c.process, c.u64(2), bytes);
  if (written === null) return fail('EFAULT', `EFAULT: cannot write the sizes at ${hex(c.u64(2))}`);
  return ok(0, { detail, events: written });
}

/** seccomp(operation, flags, args): do_seccomp. */
function seccomp(c: SyscallContext): SyscallResult {
  const operation = c.int32(0) >>> 0;
  const flags = c.int32(1) >>> 0;
  switch (operation) {
    case SECCOMP_SET_MODE_STRICT:
      if (flags !== 0 || !isNull(c, 2)) return fail('EINVAL', 'EINVAL: SECCOMP_SET_MODE_STRICT takes flags 0 and args NULL');
      return setModeStrict(c.process, 'seccomp');
    case SECCOMP_SET_MODE_FILTER:
      return setModeFilter(c.state, c.process, { flags, argument: programArgument(c, 2), via: 'seccomp' });
    case SECCOMP_GET_ACTION_AVAIL:
      if (flags !== 0) return fail('EINVAL', 'EINVAL: SECCOMP_GET_ACTION_AVAIL takes flags 0');
      return actionAvail(c);
    case SECCOMP_GET_NOTIF_SIZES:
      if (flags !== 0) return fail('EINVAL', 'EINVAL: SECCOMP_GET_NOTIF_SIZES takes flags 0');
      return notifSizes(c);
    default:
      return fail('EINVAL', `EINVAL: ${operation} is not a seccomp operation`);
  }
}

/** prctl(PR_SET_SECCOMP, mode, filter): prctl_set_seccomp (arg2 at index 1, arg3 at index 2). */
export function prctlSetSeccomp(c: SyscallContext): SyscallResult {
  const mode = c.u64(1);
  if (mode === BigInt(SECCOMP_MODE_STRICT)) return setModeStrict(c.process, 'prctl');
  if (mode === BigInt(SECCOMP_MODE_FILTER)) return setModeFilter(c.state, c.process, { flags: 0, argument: programArgument(c, 2), via: 'prctl' });
  return fail('EINVAL', `EINVAL: PR_SET_SECCOMP takes SECCOMP_MODE_STRICT (1) or SECCOMP_MODE_FILTER (2), not ${mode}`);
}

/** prctl(PR_GET_SECCOMP): the mode (a process in strict mode is killed before it gets here). */
export function prctlGetSeccomp(c: SyscallContext): SyscallResult {
  const mode = processSeccompOf(c.process).mode;
  return ok(MODE_NUMBERS[mode], { note: `seccomp mode ${mode}` });
}

export const SECCOMP_HANDLERS: Readonly<Record<string, SyscallHandler>> = { seccomp };
