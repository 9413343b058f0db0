/** The minimal socket layer: the import surface other mechanisms use. */
export { netKernelReducers } from './evolve.js';
export { INITIAL_NET_STATE, netStateOf, socketOf, type NetFamily, type NetState, type SocketRecord } from './state.js';
export { NET_HANDLERS } from './syscalls.js';
