// Proves that `isolab run … --report DIR` writes one self-contained report per scenario and
// an index page that links each one, shows every run's verdict, escapes its strings,
// carries a strict Content-Security-Policy, and opens in Chromium with no error and no
// request beyond local files.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from './helpers.js';

const CLI = join(ROOT, 'dist', 'bin', 'isolab.js');
const CHROMIUM = '/usr/bin/chromium';

describe('isolab run --report DIR', () => {
  const work = mkdtempSync(join(tmpdir(), 'isolab-index-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));
  const hostile = join(work, 'hostile.isl');
  writeFileSync(hostile, 'scenario "</td><script>window.__pwned = 1</script>"\nprocess p { uid: 1 }\np: map 0x400000 size 4 KiB rw user\n');
  const out = join(work, 'reports');
  const result = spawnSync(process.execPath, [CLI, 'run', join(ROOT, 'scenarios/paging/nx.isl'), join(ROOT, 'scenarios/tlb/missing-flush.isl'), hostile, '--quiet', '--report', out + '/'], {
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
  });

  it('writes a report per scenario and an index linking them', () => {
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toContain('reports: ');
    const files = readdirSync(out).sort();
    expect(files).toContain('index.html');
    expect(files.filter((f) => f !== 'index.html')).toHaveLength(3);
    const index = readFileSync(join(out, 'index.html'), 'utf8');
    for (const file of files.filter((f) => f !== 'index.html')) expect(index).toContain(`href="${file}"`);
    expect(index).toContain('flush=off pcid=on');
    expect(index).toMatch(/Content-Security-Policy" content="default-src 'none'; style-src 'sha256-/);
    expect(index).not.toContain('<script>window.__pwned');
    expect(index).toContain('&#60;/td&#62;&#60;script&#62;');
  });

  it.skipIf(!existsSync(CHROMIUM))('opens in Chromium with no error, no script and no request beyond local files', async () => {
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
    });
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      const requests: string[] = [];
      page.on('console', (message) => {
        if (message.type() === 'error') errors.push(message.text());
      });
      page.on('pageerror', (error) => errors.push(error.message));
      page.on('request', (request) => requests.push(request.url()));
      await page.goto(pathToFileURL(join(out, 'index.html')).href);
      expect(await page.locator('tbody tr').count()).toBe(3);
      expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
      await page.locator('a', { hasText: 'NX stops execution of data' }).click();
      await page.waitForURL(/paging--nx\.html/);
      await page.waitForFunction(() => document.querySelector('#app .loading') === null);
      expect(errors).toEqual([]);
      expect(requests.every((url) => url.startsWith('file://'))).toBe(true);
    } finally {
      await browser.close();
    }
  });
});
