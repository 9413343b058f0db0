/**
 * The fixed shape of a simulated machine, decided before the run starts: CPU model,
 * paging geometry, memory size, TLB size. Constant during a run; kept in the state so
 * that a state (and a trace) is self-describing.
 */
import type { PagingGeometry } from '../hw/mmu/types.js';

export type CpuModel = 'x86_64' | 'i386' | 'teaching';
export type TlbReplacement = 'fifo' | 'lru';

export interface MachineConfig {
  readonly cpu: CpuModel;
  readonly geometry: PagingGeometry;
  /** MAXPHYADDR (CPUID.80000008H:EAX[7:0]); 52 at most (SDM Vol. 3A §4.1.4). */
  readonly maxPhyAddr: number;
  readonly memoryBytes: number;
  /** Size of a frame (= a base page): 4096, or 32 for a teaching geometry. */
  readonly frameBytes: number;
  readonly tlbEntries: number;
  readonly tlbReplacement: TlbReplacement;
  /** Frame allocation order: lowest free frame first, or drawn from the seeded stream. */
  readonly allocation: 'sequential' | 'random';
  readonly seed: number;
}
