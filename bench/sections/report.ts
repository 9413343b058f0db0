/**
 * Issue 3, reports: what a report of a 100,000-event trace costs. A scenario of two
 * processes reading, writing, switching and faulting in a loop runs to just over
 * 100,000 events (its trace is built in memory, without the state hashes a report does
 * not need); then
 *
 * - size: bytes of the report's HTML per event (target under 300);
 * - write: buildReportHtml plus writing the file (median of the repeats);
 * - first render: in headless Chromium (Debian's /usr/bin/chromium via playwright-core),
 *   from navigation start to the moment the timeline has drawn (the page's
 *   `window.__isolabFirstRender`), median of the repeats in fresh contexts (target under
 *   2 s);
 * - jumps: selecting an event far away (a #event= link) until the next frame, right
 *   after the first render (while snapshots are still being built) and once they are.
 *
 * Section.run is synchronous, and a browser is not: the browser part runs in a child
 * process (this module, started with --render-child) that prints its figures as JSON.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { TraceEventLine } from '../../engine/trace/format.js';
import type { ParsedTrace } from '../../engine/trace/reader.js';
import { traceHeaderOf } from '../../engine/trace/record.js';
import { runPlan } from '../../engine/scenario/run.js';
import { compileScenario, loadScenario } from '../../dsl/compile/index.js';
import { buildReportHtml, readReportAssets } from '../../reports/build.js';
import { medianRun, type BenchContext, type Row, type Section, type SectionReport } from '../report.js';

const TARGET_EVENTS = 100_000;
/** Loop iterations that make just over TARGET_EVENTS events (58 per iteration). */
const ITERATIONS = 1750;
const TARGET_BYTES_PER_EVENT = 300;
const TARGET_FIRST_RENDER_SECONDS = 2;
const TARGET_JUMP_SECONDS = 0.1;
const CHROMIUM = '/usr/bin/chromium';
const CHILD_FLAG = '--render-child';

function workloadText(iterations: number): string {
  return [
    'scenario "Report benchmark: two processes read, write, switch and fault"',
    'process a { uid: 1000, catch: SIGSEGV }',
    'process b { uid: 1001 }',
    'a: map 0x400000 size 8 KiB rw user',
    'b: map 0x400000 size 4 KiB rw user',
    `repeat ${iterations} {`,
    '  a: read 0x400000',
    '  a: write 0x401000 = 0x41',
    '  b: read 0x400000',
    '  a: read 0x900000',
    '}',
    '',
  ].join('\n');
}

/** The run's trace as readTrace returns it, less the state hashes (a report does not embed them). */
function traceOfWorkload(text: string): ParsedTrace {
  const loaded = loadScenario('report-bench.isl', () => ({ file: 'report-bench.isl', text }));
  const plan = compileScenario(loaded, {});
  const events: TraceEventLine[] = [];
  const result = runPlan(plan, { onEngine: (engine) => engine.events$.subscribe((envelope) => events.push({ kind: 'event', ...envelope })) });
  const scenario = result.state.scenario;
  return {
    header: traceHeaderOf(plan, loaded.files),
    events,
    footer: {
      kind: 'footer',
      events: events.length,
      finalStateHash: '',
      passed: result.passed,
      steps: scenario.stepsChecked,
      expectations: scenario.expectationsChecked,
      failures: scenario.failures,
      assertions: scenario.assertions,
      violations: scenario.violations,
    },
    eventLines: events.map((_, i) => i + 2),
  };
}

interface RenderFigures {
  readonly available: boolean;
  readonly browser?: string;
  /** Navigation start to the timeline drawn, ms, per repeat. */
  readonly firstRenderMs?: readonly number[];
  /** page.goto to the same moment, as the test driver saw it, ms, per repeat. */
  readonly wallMs?: readonly number[];
  readonly coldJumpMs?: number;
  readonly snapshotsMs?: number;
  readonly warmJumpMs?: readonly number[];
  readonly errors?: readonly string[];
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)]!;
}

function verdict(value: number, target: number): Row['verdict'] {
  return value < target ? 'PASS' : 'MISS';
}

function measureRender(htmlPath: string, repeats: number, events: number, context: BenchContext): RenderFigures {
  if (!existsSync(CHROMIUM)) return { available: false };
  context.log(`report: first render in headless Chromium, ${repeats} time(s)`);
  const child = spawnSync(process.execPath, [fileURLToPath(import.meta.url), CHILD_FLAG, htmlPath, String(repeats), String(events)], {
    encoding: 'utf8',
    timeout: 600_000,
    maxBuffer: 16 * 1024 * 1024,
  });
  if (child.status !== 0) throw new Error(`the Chromium measurement failed (exit ${child.status}): ${child.stderr.slice(0, 2000)}`);
  return JSON.parse(child.stdout) as RenderFigures;
}

function runReportSection(context: BenchContext): SectionReport {
  context.log(`report: running the workload (${ITERATIONS} iterations, about ${TARGET_EVENTS.toLocaleString('en-US')} events)`);
  const trace = traceOfWorkload(workloadText(ITERATIONS));
  const events = trace.events.length;
  const inputs = [{ file: 'report-bench.trace', trace }];
  const directory = mkdtempSync(join(tmpdir(), 'isolab-bench-report-'));
  try {
    const htmlPath = join(directory, 'report.html');
    const assets = readReportAssets();
    let bytes = 0;
    context.log('report: writing the report');
    const write = medianRun(
      context.repeats,
      () => inputs,
      (subject) => {
        const html = buildReportHtml(subject, { assets });
        writeFileSync(htmlPath, html);
        bytes = Buffer.byteLength(html, 'utf8');
        return bytes;
      },
    );
    const clientBytes = Buffer.byteLength(assets.script, 'utf8') + Buffer.byteLength(assets.style, 'utf8');
    const perEvent = bytes / events;
    const render = measureRender(htmlPath, context.repeats, events, context);
    const rows: Row[] = [
      {
        measurement: 'report size (HTML bytes / events)',
        events,
        accesses: null,
        seconds: null,
        figure: `${perEvent.toFixed(1)} B/event`,
        target: `< ${TARGET_BYTES_PER_EVENT} B/event`,
        verdict: verdict(perEvent, TARGET_BYTES_PER_EVENT),
      },
      { measurement: 'write the report (build + write file)', events, accesses: null, seconds: write.seconds, figure: `${(write.seconds * 1000).toFixed(0)} ms`, target: '', verdict: 'info' },
      ...renderRows(render, events),
    ];
    return {
      title: 'Reports: size, write time, first render (issue 3)',
      description: [
        `Workload: ${ITERATIONS.toLocaleString('en-US')} iterations of a read, a write, a read by another process (a context switch) and a faulting read (a signal): ${events.toLocaleString('en-US')} events.`,
        render.available ? `Browser: ${render.browser} (headless, ${CHROMIUM}, driven by playwright-core).` : `Browser: ${CHROMIUM} is not installed; the browser rows are skipped.`,
      ],
      rows,
      notes: [
        `The report is ${(bytes / 1024).toFixed(1)} KiB: ${(clientBytes / 1024).toFixed(1)} KiB of client code and style, the rest the gzip-compressed, base64-encoded payload (${((bytes - clientBytes) / events).toFixed(1)} B/event).`,
        'First render = navigation start to the first frame with the timeline drawn (window.__isolabFirstRender); the page decodes the whole payload first. ' +
          (render.wallMs === undefined ? '' : `Seen from the driver (page.goto to the same frame): median ${median(render.wallMs).toFixed(0)} ms.`),
        'A jump = setting #event= to a far event until the next frame: the state is folded from the nearest snapshot (one every 1,000 events) and the panels are redrawn. ' +
          (render.snapshotsMs === undefined ? '' : `All snapshots were built ${render.snapshotsMs.toFixed(0)} ms after the first render, in the background.`),
        ...(render.errors !== undefined && render.errors.length > 0 ? [`Console errors in the page: ${render.errors.join(' | ')}`] : []),
      ],
    };
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

function renderRows(render: RenderFigures, events: number): Row[] {
  if (!render.available || render.firstRenderMs === undefined) {
    return [{ measurement: 'first render in headless Chromium', events, accesses: null, seconds: null, figure: 'Chromium not installed', target: `< ${TARGET_FIRST_RENDER_SECONDS} s`, verdict: 'info' }];
  }
  const first = median(render.firstRenderMs) / 1000;
  const warm = Math.max(...(render.warmJumpMs ?? [0])) / 1000;
  const cold = (render.coldJumpMs ?? 0) / 1000;
  return [
    { measurement: 'first render in headless Chromium', events, accesses: null, seconds: first, figure: `${(first * 1000).toFixed(0)} ms`, target: `< ${TARGET_FIRST_RENDER_SECONDS} s`, verdict: verdict(first, TARGET_FIRST_RENDER_SECONDS) },
    { measurement: 'jump to the last event, right after first render', events: null, accesses: null, seconds: cold, figure: `${(cold * 1000).toFixed(0)} ms`, target: '', verdict: 'info' },
    {
      measurement: `jumps anywhere, snapshots built (slowest of ${render.warmJumpMs?.length ?? 0})`,
      events: null,
      accesses: null,
      seconds: warm,
      figure: `${(warm * 1000).toFixed(1)} ms`,
      target: `< ${TARGET_JUMP_SECONDS * 1000} ms`,
      verdict: verdict(warm, TARGET_JUMP_SECONDS),
    },
  ];
}

export const reportSection: Section = { name: 'report', run: runReportSection };

// ---------------------------------------------------------------------------------
// The child process: drives Chromium and prints the figures as JSON.

/** What the page functions below use of the browser's globals (this module compiles without the DOM library). */
interface PageGlobals {
  readonly performance: { now(): number };
  readonly location: { hash: string };
  addEventListener(type: 'hashchange', listener: () => void, options: { once: boolean }): void;
  requestAnimationFrame(callback: () => void): number;
  readonly __isolabFirstRender?: number;
  readonly __isolab?: { snapshotsReady(run: number): boolean };
}


async function renderChild(htmlPath: string, repeats: number, events: number): Promise<RenderFigures> {
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
  const url = pathToFileURL(htmlPath).href;
  const firstRenderMs: number[] = [];
  const wallMs: number[] = [];
  const errors: string[] = [];
  let coldJumpMs = 0;
  let snapshotsMs = 0;
  const warmJumpMs: number[] = [];
  // Runs in the page: serialised by playwright, so it may use only its argument and globalThis.
  const jump = (seq: number) =>
    new Promise<number>((done) => {
      const page = globalThis as unknown as PageGlobals;
      const start = page.performance.now();
      page.addEventListener('hashchange', () => page.requestAnimationFrame(() => done(page.performance.now() - start)), { once: true });
      page.location.hash = `#view=timeline&run=0&event=${seq}`;
    });
  try {
    for (let i = 0; i < repeats; i++) {
      const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
      const page = await context.newPage();
      page.on('console', (message) => message.type() === 'error' && errors.push(message.text()));
      page.on('pageerror', (error) => errors.push(error.message));
      const start = Date.now();
      await page.goto(`${url}#view=timeline&run=0`);
      await page.waitForFunction(() => (globalThis as unknown as PageGlobals).__isolabFirstRender !== undefined, undefined, { timeout: 120_000 });
      wallMs.push(Date.now() - start);
      const rendered = await page.evaluate(() => (globalThis as unknown as PageGlobals).__isolabFirstRender!);
      firstRenderMs.push(rendered);
      if (i === repeats - 1) {
        coldJumpMs = await page.evaluate(jump, events - 1);
        await page.waitForFunction(() => (globalThis as unknown as PageGlobals).__isolab!.snapshotsReady(0), undefined, { timeout: 120_000 });
        snapshotsMs = (await page.evaluate(() => (globalThis as unknown as PageGlobals).performance.now())) - rendered;
        for (const seq of [Math.floor(events / 2), 7, events - 2, Math.floor(events / 3) + 999, 12_345 % events, events - 1]) warmJumpMs.push(await page.evaluate(jump, seq));
      }
      await context.close();
    }
    return { available: true, browser: `Chromium ${browser.version()}`, firstRenderMs, wallMs, coldJumpMs, snapshotsMs, warmJumpMs, errors };
  } finally {
    await browser.close();
  }
}

if (process.argv[2] === CHILD_FLAG && process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  renderChild(process.argv[3]!, Number(process.argv[4]), Number(process.argv[5])).then(
    (figures) => process.stdout.write(JSON.stringify(figures) + '\n'),
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
