/**
 * The minimal socket layer's state: what kind of socket each open file description made
 * by socket(2) is. Sockets of socketpair(2) belong to the VFS's channels and have no
 * record here. Lives in the kernel slice under `net`.
 */
import type { KernelState } from '../state.js';

export type NetFamily = 'unix' | 'inet' | 'inet6';

export interface SocketRecord {
  /** The open file description the socket is. */
  readonly file: number;
  readonly family: NetFamily;
  /** SOCK_STREAM (1), SOCK_DGRAM (2), SOCK_SEQPACKET (5), SOCK_RAW (3). */
  readonly type: number;
  readonly protocol: number;
  /** The address bind(2) gave it, as written, or null. */
  readonly address: string | null;
}

export interface NetState {
  readonly sockets: Readonly<Record<string, SocketRecord>>;
}

export const INITIAL_NET_STATE: NetState = { sockets: {} };

export function netStateOf(kernel: KernelState): NetState {
  return kernel.net ?? INITIAL_NET_STATE;
}

export function socketOf(kernel: KernelState, file: number): SocketRecord | null {
  return netStateOf(kernel).sockets[file] ?? null;
}
