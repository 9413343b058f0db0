/** Reducers of the socket layer's events, merged into kernelReducers. */
import type { Envelope } from '../../core/decider.js';
import type { KernelState } from '../state.js';
import { netStateOf, type SocketRecord } from './state.js';

type Reducer = (kernel: KernelState, event: Envelope) => KernelState;

function withSocket(kernel: KernelState, socket: SocketRecord): KernelState {
  const net = netStateOf(kernel);
  return { ...kernel, net: { ...net, sockets: { ...net.sockets, [socket.file]: socket } } };
}

export const netKernelReducers: Readonly<Record<string, Reducer>> = {
  'net.socketOpened': (kernel, event) => {
    const { file, family, type, protocol } = event.data as Omit<SocketRecord, 'address'>;
    return withSocket(kernel, { file, family, type, protocol, address: null });
  },
  'net.socketBound': (kernel, event) => {
    const { file, address } = event.data as { file: number; address: string };
    const socket = netStateOf(kernel).sockets[file];
    return socket === undefined ? kernel : withSocket(kernel, { ...socket, address });
  },
};
