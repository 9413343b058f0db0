/**
 * Spreads a search over worker threads. Runs are handed out in slices, in order; once a
 * counterexample is found at run r, no slice starting after r is handed out, and the
 * slices already running finish. The merged result is the lowest failing run — the same
 * whatever the number of workers, because each run's seed depends only on its index.
 */
import { Worker } from 'node:worker_threads';
import { mergeSlices, type Counterexample, type SearchSettings, type SliceResult } from './search.js';

export interface PoolOptions {
  readonly file: string;
  readonly variant: Readonly<Record<string, string>>;
  readonly settings: SearchSettings;
  readonly from: number;
  readonly to: number;
  readonly workers: number;
  readonly sliceSize?: number;
  readonly onRun?: (run: number) => void;
}

export async function checkInWorkers(options: PoolOptions): Promise<{ executed: number; counterexample: Counterexample | null }> {
  const sliceSize = options.sliceSize ?? 25;
  const slices: SliceResult[] = [];
  let next = options.from;
  let firstFailure = Number.POSITIVE_INFINITY;
  const workerUrl = new URL('./worker.js', import.meta.url);
  const work = Array.from({ length: options.workers }, () =>
    new Promise<void>((resolve, reject) => {
      const worker = new Worker(workerUrl, { workerData: { file: options.file, variant: options.variant, settings: options.settings } });
      const handOut = () => {
        if (next >= options.to || next > firstFailure) {
          worker.postMessage({ type: 'stop' });
          return;
        }
        const from = next;
        next = Math.min(options.to, next + sliceSize);
        worker.postMessage({ type: 'slice', from, to: next });
      };
      worker.on('message', (message: { type: string; run?: number; slice?: SliceResult }) => {
        if (message.type === 'slice') {
          for (let run = message.slice!.from; run < message.slice!.from + message.slice!.executed; run++) options.onRun?.(run);
          slices.push(message.slice!);
          if (message.slice!.counterexample !== null) firstFailure = Math.min(firstFailure, message.slice!.counterexample.run);
        }
        if (message.type === 'ready' || message.type === 'slice') handOut();
      });
      worker.on('error', reject);
      worker.on('exit', () => resolve());
    }),
  );
  await Promise.all(work);
  return mergeSlices(slices);
}
