// Proves, in Debian's Chromium driven headless by playwright-core, that a report opens with no console error and no request but its own file, that selecting an event (by a real click on the timeline canvas, by the keyboard or by a #event= link) shows the machine state at that point — the page-table entry the walk used, with the flags it had then — that the diff and matrix views show the leak of the missing-flush scenario, and that a scenario full of script-injection payloads runs none of them.
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildReportHtml, type ReportInput } from '../../reports/build.js';
import { APPARMOR, MISSING_FLUSH, ROOT, STACKED_FILTERS, WORKED_WALK, XSS, recordScenario, type RecordedTrace } from './helpers.js';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 180_000 });

const CHROMIUM = '/usr/bin/chromium';
const HAVE_CHROMIUM = existsSync(CHROMIUM);
const ARTIFACTS = join(ROOT, 'test-artifacts');

if (!HAVE_CHROMIUM) {
  console.warn(`SKIPPED test/reports/browser.test.ts: ${CHROMIUM} is missing (install Debian's chromium package: .ci/run does it with apt-get).`);
}

interface Opened {
  readonly page: Page;
  readonly errors: string[];
  readonly requests: string[];
  readonly dialogs: string[];
}

describe.skipIf(!HAVE_CHROMIUM)('a report in headless Chromium', () => {
  let browser: Browser;
  let context: BrowserContext;
  let directory: string;
  let walk: RecordedTrace;
  let flush: RecordedTrace[];
  let stacked: RecordedTrace;
  let confined: RecordedTrace;
  const reports = new Map<string, string>();

  function writeReport(name: string, inputs: readonly ReportInput[]): void {
    const path = join(directory, `${name}.html`);
    writeFileSync(path, buildReportHtml(inputs));
    reports.set(name, path);
  }

  beforeAll(async () => {
    directory = mkdtempSync(join(tmpdir(), 'isolab-report-browser-'));
    mkdirSync(ARTIFACTS, { recursive: true });
    walk = recordScenario(WORKED_WALK, { wp: 'on' })[0]!;
    flush = recordScenario(MISSING_FLUSH);
    const pair = [flush.find((t) => t.variant.flush === 'on' && t.variant.pcid === 'on')!, flush.find((t) => t.variant.flush === 'off' && t.variant.pcid === 'on')!];
    writeReport('walk', [{ file: 'walk.trace', trace: walk.trace }]);
    writeReport('pair', pair.map((t, i) => ({ file: `pair-${i}.trace`, trace: t.trace })));
    writeReport('matrix', flush.map((t, i) => ({ file: `flush-${i}.trace`, trace: t.trace })));
    // Two variants: the report has a diff and a matrix, so every view shows the scenario's strings.
    stacked = recordScenario(STACKED_FILTERS)[0]!;
    writeReport('stacked', [{ file: 'stacked.trace', trace: stacked.trace }]);
    confined = recordScenario(APPARMOR).find((t) => t.trace.events.some((e) => e.type === 'mac.decided'))!;
    writeReport('apparmor', [{ file: 'apparmor.trace', trace: confined.trace }]);
    writeReport('xss', recordScenario(XSS).map((t, i) => ({ file: `xss-${i}.trace`, trace: t.trace })));
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
    });
    context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  });

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    if (directory !== undefined) rmSync(directory, { recursive: true, force: true });
  });

  /** Opens a report at a fragment and waits for its first render, recording errors, requests and dialogs. */
  async function open(name: string, hash = '', setup?: (page: Page) => Promise<void>): Promise<Opened> {
    const page = await context.newPage();
    const opened: Opened = { page, errors: [], requests: [], dialogs: [] };
    page.on('console', (message) => {
      if (message.type() === 'error') opened.errors.push(message.text());
    });
    page.on('pageerror', (error) => opened.errors.push(`pageerror: ${error.message}`));
    page.on('request', (request) => opened.requests.push(request.url()));
    page.on('dialog', (dialog) => {
      opened.dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    await setup?.(page);
    await page.goto(pathToFileURL(reports.get(name)!).href + hash);
    await page.waitForFunction(() => document.documentElement.dataset.rendered !== undefined);
    expect(await page.evaluate(() => document.documentElement.dataset.rendered)).toBe('true');
    return opened;
  }

  function expectQuiet(opened: Opened, name: string): void {
    expect(opened.errors, 'console errors').toEqual([]);
    const own = pathToFileURL(reports.get(name)!).href;
    expect(opened.requests.map((url) => url.split('#')[0]), 'requests other than the report itself').toEqual([own]);
  }

  /** The page-table entry on the walk's path at a level, as the state panel shows it. */
  async function pathEntry(page: Page, level: string): Promise<{ index: string | null; entry: string | null; text: string }> {
    const entry = page.locator(`[data-panel="page-tables"] .pt-entry.on-path[data-level="${level}"]`);
    await expect.poll(() => entry.count()).toBe(1);
    return {
      index: await entry.getAttribute('data-index'),
      entry: await entry.getAttribute('data-entry'),
      text: (await entry.locator('.entry-line').first().innerText()).replace(/\s+/g, ' '),
    };
  }

  async function selected(page: Page): Promise<number | null> {
    return page.evaluate(() => window.__isolab!.selected());
  }

  const seqOf = (trace: RecordedTrace, predicate: (event: RecordedTrace['trace']['events'][number]) => boolean) => trace.trace.events.find(predicate)!.seq;

  it('shows the page-table entry of the worked walk, after the MMU set its A flag, at a #event= link', async () => {
    const translated = seqOf(walk, (e) => e.type === 'mmu.translated');
    const opened = await open('walk', `#view=timeline&run=0&event=${translated}`);
    const { page } = opened;
    expect(await selected(page)).toBe(translated);
    await expect.poll(() => page.locator('.event-detail h3').first().innerText()).toBe(`Event ${translated}: mmu.translated`);
    const pt = await pathEntry(page, 'PT');
    expect(pt).toMatchObject({ index: '350', entry: '0x5025' });
    expect(pt.text).toContain('PT[350] at 0x4af0 = 0x5025');
    expect(pt.text.split(' ')).toEqual(expect.arrayContaining(['P', 'US', 'A']));
    expect(pt.text.split(' ')).not.toContain('RW');
    expect((await pathEntry(page, 'PML4')).text).toContain('PML4[201] at 0x1648 = 0x2027');
    expect(await page.locator('.walk-summary').innerText()).toContain('PML4[201] → PDPT[140] → PD[344] → PT[350], offset 0x660');
    await page.screenshot({ path: join(ARTIFACTS, 'report-timeline.png'), fullPage: true });
    expectQuiet(opened, 'walk');
    await page.close();
  });

  it('shows each process\'s seccomp chain, newest first, at the event where the filters decide', async () => {
    // two's chmod: both processes have their two filters by then; one has not yet added a third.
    const decided = stacked.trace.events.filter((e) => e.type === 'seccomp.decided' && e.actor === 'two').at(-1)!.seq;
    const opened = await open('stacked', `#view=timeline&run=0&event=${decided}`);
    const { page } = opened;
    const panel = page.locator('[data-panel="sandbox"]');
    await expect.poll(() => panel.innerText()).toContain('seccomp filter');
    const rows = (await panel.locator('tbody tr').allInnerTexts()).map((row) => row.replace(/\s+/g, ' ').trim());
    const one = rows.findIndex((row) => row.startsWith('one '));
    expect(rows[one]).toMatch(/^one seccomp filter #2 \(newest, runs first\) sandbox: \d+ instructions/);
    expect(rows[one + 1]).toMatch(/^seccomp filter #1 audit: \d+ instructions/);
    expect(rows.some((row) => /^two seccomp filter #4 \(newest, runs first\) audit/.test(row))).toBe(true);
    expectQuiet(opened, 'stacked');
    await page.close();
  });

  it('shows the AppArmor profile a process runs under, with its rules', async () => {
    const decided = confined.trace.events.find((e) => e.type === 'mac.decided')!.seq;
    const opened = await open('apparmor', `#view=timeline&run=0&event=${decided}`);
    const panel = opened.page.locator('[data-panel="sandbox"]');
    await expect.poll(() => panel.innerText()).toContain('AppArmor profile');
    expect(await panel.locator('li.mono').allInnerTexts()).toContain('otherwise deny');
    expectQuiet(opened, 'apparmor');
    await opened.page.close();
  });

  it('selects an event by a real click on the timeline canvas, and steps with the keyboard', async () => {
    const opened = await open('walk', '#view=timeline&run=0');
    const { page } = opened;
    // The walk's read of PT[350], before the MMU writes the A flag back.
    const ptStep = seqOf(walk, (e) => e.type === 'mmu.walkStepped' && (e.data as { levelName: string }).levelName === 'PT');
    const point = await page.evaluate((seq) => window.__isolab!.pointOf(seq), ptStep);
    expect(point, 'the event is drawn').not.toBeNull();
    await page.mouse.click(point!.x, point!.y);
    await expect.poll(() => selected(page)).toBe(ptStep);
    expect(await page.evaluate(() => location.hash)).toBe(`#view=timeline&run=0&event=${ptStep}`);
    expect(await pathEntry(page, 'PT')).toMatchObject({ index: '350', entry: '0x5005' });
    expect(await page.locator('[data-panel="page-tables"] .pt-entry.on-path.focus').count()).toBe(1);
    // → moves to the next event; the A flags are written a few events later.
    await page.keyboard.press('ArrowRight');
    await expect.poll(() => selected(page)).toBe(ptStep + 1);
    const translated = seqOf(walk, (e) => e.type === 'mmu.translated');
    const translatedPoint = await page.evaluate((seq) => window.__isolab!.pointOf(seq), translated);
    await page.mouse.click(translatedPoint!.x, translatedPoint!.y);
    await expect.poll(() => selected(page)).toBe(translated);
    expect(await pathEntry(page, 'PT')).toMatchObject({ index: '350', entry: '0x5025' });
    // A link in the cause chain selects that event.
    await page.locator('.event-detail ol.chain a').first().click();
    await expect.poll(() => selected(page)).toBe(walk.trace.events[translated]!.cause);
    expectQuiet(opened, 'walk');
    await page.close();
  });

  it('shows the diff of the missing-flush runs: the leak and the verdicts that flip', async () => {
    const opened = await open('pair', '#view=summary&run=0');
    const { page } = opened;
    await page.getByRole('link', { name: 'Diff', exact: true }).click();
    await expect.poll(() => page.evaluate(() => window.__isolab!.route().view)).toBe('diff');
    const view = page.locator('.diff-view');
    await expect.poll(() => view.locator('table.leaks').innerText()).toContain('only in B');
    expect(await view.locator('table.leaks').innerText()).toContain('pin');
    const flips = await view.locator('table.flips').innerText();
    expect(flips).toContain('leak pin');
    expect(flips).toContain('no leak');
    await page.screenshot({ path: join(ARTIFACTS, 'report-diff.png'), fullPage: true });
    // Each event of the divergence links to its run's timeline.
    const link = view.locator('table.divergence tr.side-B a').first();
    const seq = Number(await link.innerText());
    await link.click();
    await expect.poll(() => page.evaluate(() => window.__isolab!.route())).toEqual({ view: 'timeline', run: 1, event: seq });
    await expect.poll(() => selected(page)).toBe(seq);
    expectQuiet(opened, 'pair');
    await page.close();
  });

  it('shows the variant matrix, each cell linking to its run', async () => {
    const opened = await open('matrix');
    const { page } = opened;
    expect(await page.evaluate(() => window.__isolab!.route().view)).toBe('matrix');
    const succeeded = page.locator('table.matrix td.succeeded');
    expect(await succeeded.count()).toBe(1);
    expect(await page.locator('table.matrix td.blocked').count()).toBe(3);
    expect(await succeeded.innerText()).toContain('leaked pin');
    const run = Number(await succeeded.getAttribute('data-run'));
    expect(flush[run]!.variant).toEqual({ flush: 'off', pcid: 'on' });
    await succeeded.locator('a').click();
    await expect.poll(() => page.evaluate(() => window.__isolab!.route())).toEqual({ view: 'summary', run, event: null });
    expect(await page.locator('table.leaks').innerText()).toContain('pin');
    await page.screenshot({ path: join(ARTIFACTS, 'report-matrix.png'), fullPage: true });
    expectQuiet(opened, 'matrix');
    await page.close();
  });

  it('runs none of the scripts a scenario hides in its strings, and shows them as text', async () => {
    const opened = await open('xss', '#view=summary&run=0', async (page) => {
      await page.addInitScript(() => {
        const flag = (how: string) => () => {
          (window as unknown as { __alerted?: string }).__alerted = how;
          return null;
        };
        window.alert = flag('alert');
        window.confirm = flag('confirm') as unknown as typeof window.confirm;
        window.prompt = flag('prompt');
      });
    });
    const { page } = opened;
    const ran = () => page.evaluate(() => ({ xss: (window as unknown as { __xss?: unknown }).__xss, alerted: (window as unknown as { __alerted?: unknown }).__alerted }));
    expect(await page.locator('h1').innerText()).toBe('</script><script>window.__xss=1;alert(1)</script> title');
    const source = await page.locator('.source-text').textContent();
    expect(source).toContain('"><img src=x onerror=');
    expect(source).toContain('javascript:alert(3)');
    expect(await page.locator('table.steps').innerText()).toContain('victim: write 0x400100 "\\"><img src=x onerror=window.__xss=7>"');
    // Every view and the state after every step, with the secret and the region's bytes.
    await page.evaluate(() => (location.hash = '#view=timeline&run=0'));
    for (const seq of await page.evaluate(() => [...document.querySelectorAll('.neighbours a')].map((a) => Number(a.textContent)))) {
      await page.evaluate((event) => (location.hash = `#view=timeline&run=0&event=${event}`), seq);
    }
    const secretPlaced = await page.evaluate(() => {
      location.hash = '#view=timeline&run=0&event=1000000';
      return window.__isolab!.selected();
    });
    expect(secretPlaced).not.toBeNull();
    await expect.poll(() => page.locator('[data-panel="secrets"] .secret-value').innerText()).toBe('</script><script>window.__xss=5</script>');
    await page.locator('[data-panel="memory"] > summary').click();
    await page.evaluate(() => (location.hash = '#view=diff&run=0'));
    await expect.poll(() => page.locator('.diff-view h3').first().innerText()).toBe('A: </script><script>window.__xss=1;alert(1)</script> title');
    await page.evaluate(() => (location.hash = '#view=matrix&run=0'));
    await expect.poll(() => page.locator('table.matrix tbody th').first().innerText()).toContain('</script><script>window.__xss=1;alert(1)</script> title');
    expect(await page.locator('#run-picker option').first().innerText()).toContain('</script><script>');
    expect(await page.locator('img, svg, iframe, object, embed').count()).toBe(0);
    expect(await page.locator('[onerror], [onload], a[href^="javascript:" i]').count()).toBe(0);
    expect(await ran()).toEqual({ xss: undefined, alerted: undefined });
    expect(opened.dialogs).toEqual([]);
    // The probe works: a call the page itself makes is seen.
    await page.evaluate(() => alert('probe'));
    expect((await ran()).alerted).toBe('alert');
    await page.screenshot({ path: join(ARTIFACTS, 'report-xss.png'), fullPage: true });
    expectQuiet(opened, 'xss');
    await page.close();
  });
});
