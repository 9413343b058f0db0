/**
 * A worker thread of `isolab check --workers N`: it loads the world itself, then runs the
 * slices of runs the main thread hands it, reporting each run and each slice's result.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { loadScenario } from '../dsl/compile/index.js';
import { checkSlice, type SearchSettings } from './search.js';
import { loadWorld } from './world.js';

export interface WorkerSetup {
  readonly file: string;
  readonly variant: Readonly<Record<string, string>>;
  readonly settings: SearchSettings;
}

export type ToWorker = { readonly type: 'slice'; readonly from: number; readonly to: number } | { readonly type: 'stop' };

const setup = workerData as WorkerSetup;
const loaded = loadScenario(setup.file, (path, from) => {
  const file = from === null ? path : join(dirname(from.source), path);
  return { file, text: readFileSync(file, 'utf8') };
});
const world = loadWorld(loaded, setup.variant);
parentPort!.on('message', (message: ToWorker) => {
  if (message.type === 'stop') {
    parentPort!.close();
    return;
  }
  const slice = checkSlice(world, setup.settings, message.from, message.to);
  parentPort!.postMessage({ type: 'slice', slice });
});
parentPort!.postMessage({ type: 'ready' });
