/**
 * The report's browser entry point, bundled by scripts/build.mjs into the single inline
 * script of every report: read the embedded payload, then show the page. A damaged
 * payload is reported on the page in a sentence.
 */
import { App } from './app.js';
import { fill, h } from './dom.js';
import { loadPayload } from './load.js';
import './panels/index.js';

async function main(): Promise<void> {
  const root = document.getElementById('app');
  if (root === null) return;
  try {
    const payload = await loadPayload(document);
    new App(root, payload).start();
  } catch (error) {
    fill(root, h('p', { class: 'bad-text', role: 'alert' }, `This report cannot be shown: ${error instanceof Error ? error.message : String(error)}`));
    document.documentElement.dataset.rendered = 'error';
    console.error('isolab report:', error);
  }
}

void main();
