/**
 * The operator desk, measured in real Chromium against a real server (createApp, port 0, temp
 * data dir), each number next to a baseline from the same run:
 *  - JS bundle gzip: what the first screen loads (entry + its static imports) vs everything,
 *    lazy page chunks included;
 *  - page load → first approval card, next to a bare navigation to the same server
 *    (GET /v1/health) as the floor;
 *  - the Inbox with 1,000 pending approvals vs 10: DOM nodes stay flat (virtualized), time to the
 *    first card grows by a bounded ratio, and scrolling the list frame by frame (137 px per
 *    frame, ~1.4 new cards each) is compared with the same frame loop standing still, so a busy
 *    machine's noise shows up in the baseline and not as the UI's jank.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium, type Browser, type Page } from '@playwright/test';
import { createApp, type App } from '../../electron/app.js';
import { packageRoot } from '../../electron/common/version.js';
import type { BenchModule } from './run.js';

const CHROMIUM = process.env.WARDEN_CHROMIUM ?? '/usr/bin/chromium';
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-dev-shm-usage'];
const RUNS = 5;
const FRAME_BUDGET_MS = 1000 / 60;

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s[Math.floor((s.length - 1) / 2)]! + s[Math.ceil((s.length - 1) / 2)]!) / 2 : NaN;
};
const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? NaN;
};
const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;

/** Gzip sizes of the built renderer: the entry and the chunks index.html pulls in, vs all JS. */
function bundleSizes(dir: string) {
  const assets = join(dir, 'assets');
  const html = readFileSync(join(dir, 'index.html'), 'utf8');
  const initialNames = new Set([...html.matchAll(/(?:src|href)="\.?\/?assets\/([^"]+\.js)"/g)].map((m) => m[1]!));
  // Static imports of the entry (shared chunks) load at start too.
  const queue = [...initialNames];
  while (queue.length) {
    const name = queue.pop()!;
    const code = readFileSync(join(assets, name), 'utf8');
    for (const m of code.matchAll(/(?:^|[;\n}])\s*import\s*(?:[\w${},\s*]+from\s*)?["']\.\/([^"']+\.js)["']/g)) {
      if (!initialNames.has(m[1]!)) {
        initialNames.add(m[1]!);
        queue.push(m[1]!);
      }
    }
  }
  let all = 0;
  let initial = 0;
  let raw = 0;
  let css = 0;
  for (const name of readdirSync(assets)) {
    const file = join(assets, name);
    if (name.endsWith('.css')) css += gzipSync(readFileSync(file), { level: 9 }).length;
    if (!name.endsWith('.js')) continue;
    const gz = gzipSync(readFileSync(file), { level: 9 }).length;
    all += gz;
    raw += statSync(file).size;
    if (initialNames.has(name)) initial += gz;
  }
  return {
    js_gzip_kb_initial: round(initial / 1024, 1),
    js_gzip_kb_all: round(all / 1024, 1),
    js_raw_kb_all: round(raw / 1024, 1),
    css_gzip_kb: round(css / 1024, 1),
    initial_share_of_all: round(initial / all),
    chunks: readdirSync(assets).filter((n) => n.endsWith('.js')).length,
  };
}

async function api(app: App, method: string, path: string, body?: unknown, key = app.operatorToken): Promise<any> {
  const res = await fetch(app.url + path, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${method} ${path} → ${res.status} ${await res.text()}`);
  return res.json();
}

/**
 * `n` pending approvals (no policies: every action is ALERT), 16 requests in flight, spread over
 * agents of 200 requests each so the default quota (300 runs per hour per agent) never BLOCKs.
 */
async function seedPending(app: App, n: number): Promise<void> {
  await api(app, 'PATCH', '/v1/settings/governance', { approval_ttl_seconds: 3600 });
  const keys: string[] = [];
  for (let i = 0; i < Math.ceil(n / 200); i++) {
    keys.push((await api(app, 'POST', '/v1/agents', { name: `bench-agent-${i}` })).api_key);
  }
  let next = 0;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next < n) {
        const i = next++;
        const action = { tool: `tool.${i % 37}`, args: { n: i, path: `/srv/data/${i}.json` }, value: i };
        await api(app, 'POST', '/v1/actions', action, keys[Math.floor(i / 200)]);
      }
    }),
  );
}

async function withServer<T>(fn: (app: App) => Promise<T>): Promise<T> {
  const dataDir = mkdtempSync(join(tmpdir(), 'warden-bench-ui-'));
  const app = await createApp({ dataDir, port: 0, rendererDir: join(packageRoot(), 'dist', 'renderer') });
  await app.start();
  try {
    return await fn(app);
  } finally {
    await app.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const FIRST_CARD = '[role="list"][aria-label="Pending approvals"] article';

/**
 * Navigation start → the first approval card painted, timed inside the page (a MutationObserver
 * installed before any script, then the next animation frame), so Playwright's polling does not
 * blur it. A fresh context each run: cold cache, like opening the printed URL.
 */
const WATCH_FIRST_CARD = `(() => {
  const seen = () => document.querySelector(${JSON.stringify(FIRST_CARD)});
  const obs = new MutationObserver(() => {
    if (!seen()) return;
    obs.disconnect();
    requestAnimationFrame(() => { window.__firstCardMs = performance.now(); });
  });
  document.addEventListener('readystatechange', () => obs.observe(document.documentElement, { childList: true, subtree: true }), { once: true });
})()`;

async function timeToFirstCard(browser: Browser, app: App, dcl: number[] = []): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const ctx = await browser.newContext({ viewport: { width: 1360, height: 860 } });
    await ctx.addInitScript(WATCH_FIRST_CARD);
    const page = await ctx.newPage();
    await page.goto(`${app.url}/#token=${app.operatorToken}`);
    await page.waitForFunction(() => typeof (globalThis as any).__firstCardMs === 'number');
    times.push(await page.evaluate(() => (globalThis as any).__firstCardMs as number));
    dcl.push(await page.evaluate(() => (globalThis as any).performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd as number));
    await ctx.close();
  }
  return times;
}

/** The floor: navigation start → response end of a bare API document on the same server. */
async function bareNavigation(browser: Browser, app: App): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    await page.goto(`${app.url}/v1/health`);
    times.push(await page.evaluate(() => (globalThis as any).performance.getEntriesByType('navigation')[0].responseEnd as number));
    await ctx.close();
  }
  return times;
}

async function inboxShape(page: Page) {
  // Runs in the page; this project compiles without the DOM lib, hence the `any`.
  return page.evaluate(() => {
    const doc = (globalThis as any).document;
    return {
      cards: doc.querySelectorAll('[role="list"][aria-label="Pending approvals"] article').length as number,
      nodes: doc.getElementsByTagName('*').length as number,
    };
  });
}

/** Scrolls the list by `step` px per animation frame for `frames` frames; returns frame deltas. */
async function scrollFrames(page: Page, frames: number, step: number): Promise<number[]> {
  return page.evaluate(
    ({ frames, step }) =>
      new Promise<number[]>((resolve) => {
        const win = globalThis as any;
        const el = win.document.querySelector('[role="list"][aria-label="Pending approvals"]');
        const deltas: number[] = [];
        let last = performance.now();
        let n = 0;
        const tick = (now: number) => {
          deltas.push(now - last);
          last = now;
          el.scrollTop += step;
          if (el.scrollTop + el.clientHeight >= el.scrollHeight - 1) el.scrollTop = 0;
          if (++n < frames) win.requestAnimationFrame(tick);
          else resolve(deltas.slice(2));
        };
        win.requestAnimationFrame(tick);
      }),
    { frames, step },
  );
}

async function inboxAt(browser: Browser, n: number) {
  return withServer(async (app) => {
    await seedPending(app, n);
    const ttfc = await timeToFirstCard(browser, app);
    const ctx = await browser.newContext({ viewport: { width: 1360, height: 860 } });
    const page = await ctx.newPage();
    await page.goto(`${app.url}/#token=${app.operatorToken}`);
    await page.waitForSelector(FIRST_CARD);
    await page.waitForFunction((want) => (globalThis as any).document.querySelector('[role="tab"][aria-selected="true"] .count')?.textContent === String(want), n);
    const shape = await inboxShape(page);
    // The same frame loop without scrolling: what this machine does when nothing moves.
    const idle = n >= 100 ? await scrollFrames(page, 240, 0) : [];
    const frames = n >= 100 ? await scrollFrames(page, 240, 137) : [];
    const after = await inboxShape(page);
    await ctx.close();
    return { ttfc, shape, after, frames, idle };
  });
}

export default {
  name: 'renderer',
  async run() {
    const dist = join(packageRoot(), 'dist', 'renderer');
    const bundle = bundleSizes(dist);
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
    try {
      const one = await withServer(async (app) => {
        await seedPending(app, 1);
        const dcl: number[] = [];
        return { card: await timeToFirstCard(browser, app, dcl), dcl, bare: await bareNavigation(browser, app) };
      });
      const small = await inboxAt(browser, 10);
      const big = await inboxAt(browser, 1000);
      const jank = big.frames.filter((d) => d > FRAME_BUDGET_MS * 1.5).length;
      return {
        bundle,
        first_card: {
          median_ms: round(median(one.card), 0),
          /** Scripts fetched, parsed and run (DOMContentLoaded): the part that is bundle, not data. */
          dom_content_loaded_median_ms: round(median(one.dcl), 0),
          ratio_vs_dom_content_loaded: round(median(one.card) / median(one.dcl)),
          bare_api_navigation_median_ms: round(median(one.bare), 0),
        },
        inbox_1000: {
          pending: 1000,
          cards_in_dom: big.shape.cards,
          cards_in_dom_while_scrolled: big.after.cards,
          dom_nodes: big.shape.nodes,
          dom_nodes_with_10_pending: small.shape.nodes,
          dom_nodes_ratio_1000_vs_10: round(big.shape.nodes / small.shape.nodes),
          first_card_median_ms: round(median(big.ttfc), 0),
          first_card_ratio_1000_vs_10: round(median(big.ttfc) / median(small.ttfc)),
          scroll_frames: big.frames.length,
          scroll_frame_p50_ms: round(percentile(big.frames, 0.5), 1),
          scroll_frame_p95_ms: round(percentile(big.frames, 0.95), 1),
          scroll_p95_vs_60hz_budget: round(percentile(big.frames, 0.95) / FRAME_BUDGET_MS),
          idle_frame_p95_ms: round(percentile(big.idle, 0.95), 1),
          scroll_p95_vs_idle_p95: round(percentile(big.frames, 0.95) / percentile(big.idle, 0.95)),
          janky_frames_over_1_5x_budget: jank,
          janky_share: round(jank / Math.max(1, big.frames.length), 3),
        },
      };
    } finally {
      await browser.close();
    }
  },
} satisfies BenchModule;
