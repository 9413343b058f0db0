// Proves capset(2) and capget(2) follow kernel/capability.c and cap_capset: the four EPERM
// rules in the kernel's order, bits beyond CAP_LAST_CAP dropped, the ambient set trimmed to
// permitted ∩ inheritable; capget's sets in the result and, given a header, the kernel's
// version negotiation, pid lookup and copy to user memory.
import { describe, expect, it } from 'vitest';
import { littleEndianBytes, littleEndianValue } from '../../../engine/core/bytes.js';
import { ALL_CAPS } from '../../../engine/kernel/syscall/constants.js';
import { READ_ONLY_PAGE, USER_PAGE, call, callWith, caps, credsOf, stateWith, userBytes, withUserBytes } from './helpers.js';

const NET = caps('CAP_NET_RAW', 'CAP_NET_ADMIN');
const holder = credsOf(1000, { caps: { permitted: NET, effective: NET } });

describe('capset(2)', () => {
  it('lets a process shrink its permitted set and choose an effective subset of it', () => {
    const after = callWith(holder, 'capset', [caps('CAP_NET_RAW'), caps('CAP_NET_RAW'), 0n]).creds.caps;
    expect([after.permitted, after.effective]).toEqual([caps('CAP_NET_RAW'), caps('CAP_NET_RAW')]);
  });

  it('EPERM when the permitted set would grow', () => {
    const refused = callWith(holder, 'capset', [0n, NET | caps('CAP_SYS_ADMIN'), 0n]);
    expect(refused.errno).toBe('EPERM');
    expect(refused.result.note).toMatch(/permitted set may only shrink: CAP_SYS_ADMIN/);
  });

  it('EPERM when effective is not a subset of the new permitted set', () => {
    expect(callWith(holder, 'capset', [NET, caps('CAP_NET_RAW'), 0n]).errno).toBe('EPERM');
  });

  it('EPERM when inheritable gains beyond old inheritable ∪ old permitted without CAP_SETPCAP', () => {
    expect(callWith(holder, 'capset', [0n, NET, caps('CAP_NET_RAW')]).errno).toBeNull();
    expect(callWith(holder, 'capset', [0n, NET, caps('CAP_KILL')]).errno).toBe('EPERM');
  });

  it('with CAP_SETPCAP inheritable may gain anything in the bounding set, never beyond it', () => {
    const setpcap = credsOf(1000, { caps: { permitted: caps('CAP_SETPCAP'), effective: caps('CAP_SETPCAP'), bounding: ALL_CAPS & ~caps('CAP_SYS_ADMIN') } });
    expect(callWith(setpcap, 'capset', [caps('CAP_SETPCAP'), caps('CAP_SETPCAP'), caps('CAP_KILL')]).creds.caps.inheritable).toBe(caps('CAP_KILL'));
    const outside = callWith(setpcap, 'capset', [caps('CAP_SETPCAP'), caps('CAP_SETPCAP'), caps('CAP_SYS_ADMIN')]);
    expect(outside.errno).toBe('EPERM');
    expect(outside.result.note).toMatch(/outside the bounding set/);
  });

  it('drops bits above CAP_LAST_CAP (mk_kernel_cap), as Linux turned a high word of 0xffffffff into 0x1ff', () => {
    const root = credsOf(0);
    expect(callWith(root, 'capset', [0n, (0xffffffffn << 32n) | 1n, 0n]).creds.caps.permitted).toBe((0x1ffn << 32n) | 1n);
  });

  it('trims the ambient set to what stays both permitted and inheritable', () => {
    const raw = caps('CAP_NET_RAW');
    const ambient = credsOf(1000, { caps: { permitted: NET, effective: NET, inheritable: raw, ambient: raw } });
    const after = callWith(ambient, 'capset', [0n, caps('CAP_NET_ADMIN'), raw]);
    expect(after.creds.caps.ambient).toBe(0n);
    expect(after.result.note).toMatch(/ambient loses CAP_NET_RAW/);
  });
});

describe('capget(2)', () => {
  it('without arguments returns the three sets by name in the result', () => {
    const detail = callWith(holder, 'capget').result;
    expect('detail' in detail && detail.detail).toEqual({ effective: ['CAP_NET_ADMIN', 'CAP_NET_RAW'], permitted: ['CAP_NET_ADMIN', 'CAP_NET_RAW'], inheritable: [] });
  });

  const header = (version: number, pid: number) => new Uint8Array([...littleEndianBytes(BigInt(version), 4), ...littleEndianBytes(BigInt.asUintN(32, BigInt(pid)), 4)]);

  it('copies two {effective, permitted, inheritable} words for _LINUX_CAPABILITY_VERSION_3', () => {
    const state = withUserBytes(stateWith(holder), USER_PAGE, header(0x20080522, 0));
    const result = call(state, 'capget', [USER_PAGE, USER_PAGE + 0x100n]);
    expect(result.ret).toBe(0);
    const data = userBytes(result.after, USER_PAGE + 0x100n, 24)!;
    const word = (offset: number) => Number(littleEndianValue(data.subarray(offset, offset + 4)));
    expect([word(0), word(4), word(8), word(12), word(16), word(20)]).toEqual([Number(NET), Number(NET), 0, 0, 0, 0]);
  });

  it('answers an unknown version by writing _LINUX_CAPABILITY_VERSION_3 into the header: 0 with NULL data, EINVAL with data', () => {
    const state = withUserBytes(stateWith(holder), USER_PAGE, header(0x1234, 0));
    const probe = call(state, 'capget', [USER_PAGE, 0]);
    expect(probe.ret).toBe(0);
    expect(littleEndianValue(userBytes(probe.after, USER_PAGE, 4)!)).toBe(0x20080522n);
    expect(call(state, 'capget', [USER_PAGE, USER_PAGE + 0x100n]).errno).toBe('EINVAL');
  });

  it('ESRCH for a pid that does not exist, EINVAL for a negative pid, EFAULT for unwritable data', () => {
    const base = stateWith(holder);
    expect(call(withUserBytes(base, USER_PAGE, header(0x20080522, 99999)), 'capget', [USER_PAGE, USER_PAGE + 0x100n]).errno).toBe('ESRCH');
    expect(call(withUserBytes(base, USER_PAGE, header(0x20080522, -1)), 'capget', [USER_PAGE, USER_PAGE + 0x100n]).errno).toBe('EINVAL');
    expect(call(withUserBytes(base, USER_PAGE, header(0x20080522, 0)), 'capget', [USER_PAGE, READ_ONLY_PAGE]).errno).toBe('EFAULT');
    expect(call(base, 'capget', [0x7000_0000n, USER_PAGE]).errno).toBe('EFAULT');
  });
});
