/** System calls on files and descriptors (filled in as they are implemented). */
import { fail, ok, type SyscallContext, type SyscallHandler, type SyscallResult } from '../syscall/context.js';
import { readUserBytes } from '../syscall/user-memory.js';

/** The bytes a `buf` argument names: a "string" given by value, or count bytes at a user address. */
function bufferOf(c: SyscallContext, index: number, count: number): Uint8Array | null {
  const arg = c.args[index];
  if (typeof arg === 'object' && 'text' in arg) return new TextEncoder().encode(arg.text).subarray(0, count);
  if (typeof arg === 'string') return readUserBytes(c.state, c.process, BigInt(arg), count);
  return null;
}

/** write(2) to the console (the terminal behind fds 0–2). */
function write(c: SyscallContext): SyscallResult {
  const fd = c.int32(0);
  const entry = c.process.fds.find((slot) => slot.fd === fd);
  if (entry === undefined) return fail('EBADF', `fd ${fd} is not open`);
  const file = c.state.kernel.files.byId[entry.file];
  if (file === undefined) return fail('EBADF', `fd ${fd} is not open`);
  const count = c.int(2);
  if (count < 0) return fail('EINVAL');
  const bytes = bufferOf(c, 1, count);
  if (bytes === null) return fail('EFAULT', 'the buffer is not readable user memory');
  if (file.kind !== 'console') return fail('EBADF', `${file.kind} files are not writable yet`);
  const text = new TextDecoder().decode(bytes);
  return ok(bytes.length, { events: [{ type: 'kernel.consoleWritten', actor: c.process.name, data: { pid: c.process.pid, fd, text } }] });
}

export const VFS_HANDLERS: Readonly<Record<string, SyscallHandler>> = { write };
