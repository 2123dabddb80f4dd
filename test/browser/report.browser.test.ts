/**
 * The HTML report in a real browser: Debian's chromium, driven by playwright-core (which never
 * downloads a browser here: the executable is given). Every sample's report is rendered by the
 * built CLI and opened once; plus a bundle with a planted XSS payload in a log line.
 *
 * Asserted per report: every chart <svg> has a non-zero size, the page logs no console error and
 * throws nothing, it requests nothing but its own file, no planted script runs, print-to-PDF works,
 * and the break of a sample whose expected.json names one is drawn inside that hour's slot.
 * Screenshots go to .ci-out/screenshots/ (CI artefacts).
 *
 * Without chromium the suite is skipped with a note; CDB_REQUIRE_BROWSER=1 (set by .ci/run) turns
 * that into a failure, so CI never skips it.
 */
import { spawn } from 'node:child_process';
import { appendFileSync, cpSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, ROOT, SAMPLES, samples, tmp } from '../helpers.js';

const CHROMIUM = process.env.CDB_CHROMIUM ?? '/usr/bin/chromium';
const REQUIRED = process.env.CDB_REQUIRE_BROWSER === '1';
const HAVE = existsSync(CHROMIUM);
const SHOTS = join(ROOT, '.ci-out', 'screenshots');
const NOW = '2026-12-01T00:00:00Z';

if (!HAVE) {
  const note = `browser tests: ${CHROMIUM} not found — ${REQUIRED ? 'CDB_REQUIRE_BROWSER=1, so this fails' : 'skipped'} (install it with: apt-get install -y chromium)`;
  process.stderr.write(`note: ${note}\n`);
}

describe.runIf(!HAVE && REQUIRED)('browser required', () => {
  it('chromium is installed (CDB_REQUIRE_BROWSER=1)', () => {
    expect(existsSync(CHROMIUM), `${CHROMIUM} is missing; install it with apt-get install -y chromium`).toBe(true);
  });
});

/** The planted payloads: each would set window.__xss if it ran. */
const PAYLOADS = ['<script>window.__xss=1</script>', '"><img src=x onerror="window.__xss=2">', "'><svg onload=window.__xss=3>"];

/** A copy of a sample with hostile log lines (an ERROR, so a rule cites it), built in a temp dir. */
function xssBundle(dir: string): string {
  const bundle = join(dir, 'xss-bundle');
  cpSync(join(SAMPLES, 'feed-dies-midblock-era-b'), bundle, { recursive: true });
  const lines = PAYLOADS.map((p, i) => `cdb_ws         | 2026-02-11T10:0${i}:00.000000000Z 2026-02-11 10:0${i}:00 [ERROR] ws_service: ${p}\n`);
  appendFileSync(join(bundle, 'logs', 'compose_logs.txt'), lines.join(''));
  return bundle;
}

function runCli(args: string[]): Promise<{ status: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    p.on('close', (status) => resolve({ status, stderr }));
  });
}

/** Run `tasks` at most `n` at a time (the samples are ingested in parallel, not one by one). */
async function pool<T>(items: T[], n: number, task: (t: T) => Promise<void>): Promise<void> {
  const queue = [...items];
  await Promise.all(Array.from({ length: n }, async () => {
    for (let t = queue.shift(); t !== undefined; t = queue.shift()) await task(t);
  }));
}

interface Case {
  name: string;
  html: string;
  breakAt: string | null;
  breakStage: string | null;
  xss: boolean;
}

describe.runIf(HAVE)('HTML report in headless chromium', () => {
  const work = tmp('cdbf-browser-');
  const cases: Case[] = [
    ...samples().map((s) => ({
      name: s.name,
      html: join(work, s.name, 'report.html'),
      breakAt: ((s.expected as unknown as Record<string, unknown>).break_at as string | undefined) ?? null,
      breakStage: ((s.expected as unknown as Record<string, unknown>).break_stage as string | undefined) ?? null,
      xss: false,
      bundle: s.path,
    })),
    { name: 'xss-planted', html: join(work, 'xss-planted', 'report.html'), breakAt: null, breakStage: null, xss: true, bundle: '' },
  ];
  // eslint-disable-next-line @typescript-eslint/consistent-type-imports
  let browser: import('playwright-core').Browser;

  beforeAll(async () => {
    const xss = xssBundle(work);
    const failures: string[] = [];
    await pool(cases, 3, async (c) => {
      const bundle = (c as Case & { bundle: string }).bundle || xss;
      const r = await runCli(['run', bundle, '--out', join(work, c.name), '--db', join(work, `${c.name}.db`), '--now', NOW, '--format', 'html', '--quiet']);
      if (r.status !== 0 && r.status !== 1) failures.push(`${c.name}: exit ${r.status}: ${r.stderr}`);
    });
    expect(failures).toEqual([]);
    mkdirSync(SHOTS, { recursive: true });
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
  }, 600_000);

  afterAll(async () => {
    await browser?.close();
    rmSync(work, { recursive: true, force: true });
  });

  it.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const html = readFileSync(c.html, 'utf8');
    if (c.xss) {
      // The payloads really reached the page (as text), or this case would prove nothing.
      expect(html).toContain('&lt;script&gt;window.__xss&#x3D;1&lt;/script&gt;');
      expect(html).toContain('&quot;&gt;&lt;img src&#x3D;x onerror&#x3D;&quot;window.__xss&#x3D;2&quot;&gt;');
    }
    const url = pathToFileURL(c.html).href;
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, javaScriptEnabled: true });
    const page = await context.newPage();
    const requests: string[] = [];
    const errors: string[] = [];
    await context.route('**/*', (route) => {
      const u = route.request().url();
      if (u === url) return route.continue();
      requests.push(u);
      return route.abort();
    });
    page.on('request', (r) => {
      if (r.url() !== url && !requests.includes(r.url())) requests.push(r.url());
    });
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(e.message));
    try {
      await page.goto(url, { waitUntil: 'load' });

      const charts = await page.$$eval('svg.chart', (els) =>
        els.map((e) => {
          const r = e.getBoundingClientRect();
          return { id: e.id, w: r.width, h: r.height, role: e.getAttribute('role'), title: e.querySelector('title')?.textContent ?? '' };
        }),
      );
      expect(charts.map((x) => x.id)).toEqual([
        'chart-hourly-market-data', 'chart-hourly-signals', 'chart-hourly-risk-approved', 'chart-hourly-risk-rejected',
        'chart-hourly-orders', 'chart-hourly-fills', 'chart-hourly-persisted', 'chart-funnel', 'chart-reconciliation',
      ]);
      for (const x of charts) {
        expect(x.w, `${x.id} width`).toBeGreaterThan(0);
        expect(x.h, `${x.id} height`).toBeGreaterThan(0);
        expect(x.role).toBe('img');
        expect(x.title.length).toBeGreaterThan(0);
      }

      if (c.breakAt) {
        // The dashed break line sits inside the slot of the break's hour on the stage's chart.
        const stage = (c.breakStage ?? 'market_data').replace(/_/g, '-');
        const hour = c.breakAt.slice(0, 13);
        const pos = await page.$eval(
          `#chart-hourly-${stage}`,
          (svg, h) => {
            const line = svg.querySelector('line.break');
            const cell = [...svg.querySelectorAll('rect.hour')].find((r) => (r.querySelector('title')?.textContent ?? '').startsWith(`${h}:`));
            if (!line || !cell) return null;
            const x = Number(cell.getAttribute('x'));
            const w = Number(cell.getAttribute('width'));
            const slot = cell.classList.contains('bar') ? w / 0.8 : w;
            const start = cell.classList.contains('bar') ? x - slot * 0.1 : x;
            return { line: Number(line.getAttribute('x1')), start, end: start + slot };
          },
          hour,
        );
        expect(pos, `no break line or no ${hour} slot`).not.toBeNull();
        expect(pos!.line).toBeGreaterThanOrEqual(pos!.start - 0.2);
        expect(pos!.line).toBeLessThanOrEqual(pos!.end + 0.2);
      }

      const xss = await page.evaluate(() => ({
        flag: (window as unknown as { __xss?: number }).__xss ?? null,
        scripts: document.querySelectorAll('script').length,
        imgs: document.querySelectorAll('img').length,
        handlers: [...document.querySelectorAll('*')].filter((e) => [...e.attributes].some((a) => a.name.startsWith('on'))).length,
      }));
      expect(xss).toEqual({ flag: null, scripts: 0, imgs: 0, handlers: 0 });

      await page.screenshot({ path: join(SHOTS, `${c.name}.png`), fullPage: true });
      const pdf = await page.pdf({ format: 'A4', printBackground: true });
      expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
      expect(pdf.length).toBeGreaterThan(10_000);

      expect(requests).toEqual([]);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  }, 120_000);
});
