/**
 * The Inbox under a flood, in real Chromium against a real server (createApp, port 0, temp data
 * dir): 1,000 pending, then 200 new requests a second for 10 s, the list sorted newest first and
 * filtered to the arrivals so each lands on screen.
 *  - frames: requestAnimationFrame deltas during the flood over 1.5× the 60 Hz budget, next to the
 *    same count while the page stands still before it (the machine's own noise);
 *  - time from an agent's request to its card painted (p50/p99), next to the time to the bare
 *    API response of the same requests, as a ratio.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { chromium } from '@playwright/test';
import { createApp, type App } from '../../electron/app.js';
import { packageRoot } from '../../electron/common/version.js';
import type { BenchModule } from './run.js';

const CHROMIUM = process.env.WARDEN_CHROMIUM ?? '/usr/bin/chromium';
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-dev-shm-usage'];
const PENDING = Number(process.env.WARDEN_FLOOD_PENDING ?? 1_000);
const RATE_PER_S = 200;
const FLOOD_S = Number(process.env.WARDEN_FLOOD_SECONDS ?? 10);
const SLOW_FRAME_MS = 1.5 * (1000 / 60);

const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? NaN;
};
const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;
const epochNow = () => performance.timeOrigin + performance.now();

async function api(app: App, method: string, path: string, body?: unknown, key = app.operatorToken): Promise<any> {
  const res = await fetch(app.url + path, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  }).catch((err: Error & { cause?: Error }) => {
    throw new Error(`${method} ${path}: ${err.message}${err.cause ? ` (${err.cause.message})` : ''}`);
  });
  if (!res.ok) throw new Error(`${method} ${path} → ${res.status} ${await res.text()}`);
  return res.json();
}

/** Agents of 200 requests each, so the default quota (300 runs per hour) never BLOCKs. */
async function agentKeys(app: App, requests: number, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  for (let i = 0; i < Math.ceil(requests / 200); i++) keys.push((await api(app, 'POST', '/v1/agents', { name: `${prefix}-${i}` })).api_key);
  return keys;
}

/** In the page: rAF deltas, and when each card naming `flood-N` is first painted (epoch ms). */
const WATCH = `(() => {
  const w = window;
  w.__frames = []; w.__seen = {}; w.__recording = false;
  let last = performance.now();
  const tick = (t) => { if (w.__recording) w.__frames.push(t - last); last = t; requestAnimationFrame(tick); };
  requestAnimationFrame(tick);
  const pending = [];
  new MutationObserver(() => {
    for (const el of document.querySelectorAll('[aria-label="Pending approvals"] article')) {
      const m = /flood-(\\d+)/.exec(el.textContent || '');
      if (m && !(m[1] in w.__seen)) { w.__seen[m[1]] = -1; pending.push(m[1]); }
    }
    if (pending.length) requestAnimationFrame(() => { const at = performance.timeOrigin + performance.now(); for (const id of pending.splice(0)) w.__seen[id] = at; });
  }).observe(document, { childList: true, subtree: true, characterData: true });
})()`;

const bench: BenchModule = {
  name: 'inbox-flood',
  async run() {
    const dataDir = mkdtempSync(join(tmpdir(), 'warden-bench-flood-'));
    const app = await createApp({ dataDir, port: 0, rendererDir: join(packageRoot(), 'dist', 'renderer') });
    await app.start();
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
    try {
      await api(app, 'PATCH', '/v1/settings/governance', { approval_ttl_seconds: 3600 });
      const seedKeys = await agentKeys(app, PENDING, 'seed');
      let next = 0;
      await Promise.all(
        Array.from({ length: 16 }, async () => {
          while (next < PENDING) {
            const i = next++;
            await api(app, 'POST', '/v1/actions', { tool: 'shell.exec', args: { command: `seed-${i}` } }, seedKeys[Math.floor(i / 200)]);
          }
        }),
      );
      const total = RATE_PER_S * FLOOD_S;
      const floodKeys = await agentKeys(app, total, 'flood');

      const ctx = await browser.newContext({ viewport: { width: 1280, height: 720 } });
      await ctx.addInitScript(WATCH);
      const page = await ctx.newPage();
      await page.goto(`${app.url}/#token=${app.operatorToken}`);
      await page.getByRole('tab', { name: /Pending/ }).getByText(String(PENDING)).waitFor();
      await page.getByRole('combobox', { name: 'Sort requests' }).selectOption('newest');
      // Filtered to the arrivals: the selected (seeded) request leaves the list, so the list does
      // not scroll to follow it and each arrival lands at the top, on screen.
      await page.getByRole('searchbox', { name: 'Filter requests' }).fill('flood');
      await page.waitForTimeout(1000);

      // The frame loop standing still: the machine's own noise.
      await page.evaluate(() => ((globalThis as any).__recording = true));
      await page.waitForTimeout(3000);
      const idleFrames = await page.evaluate(() => (globalThis as any).__frames.splice(0) as number[]);

      const sentAt: number[] = [];
      const answered: number[] = [];
      const inflight: Promise<void>[] = [];
      const start = epochNow();
      for (let i = 0; i < total; i++) {
        // Paced: request i leaves at start + i / rate.
        const due = start + (i * 1000) / RATE_PER_S;
        const wait = due - epochNow();
        if (wait > 1) await new Promise((r) => setTimeout(r, wait));
        sentAt[i] = epochNow();
        inflight.push(
          api(app, 'POST', '/v1/actions', { tool: 'shell.exec', args: { command: `flood-${i}` } }, floodKeys[Math.floor(i / 200)]).then(() => {
            answered[i] = epochNow() - sentAt[i]!;
          }),
        );
      }
      await Promise.all(inflight);
      const floodS = (epochNow() - start) / 1000;
      await page.waitForTimeout(2000);
      const floodFrames = await page.evaluate(() => (globalThis as any).__frames.splice(0) as number[]);
      const seen = await page.evaluate(() => (globalThis as any).__seen as Record<string, number>);
      await ctx.close();

      const toCard: number[] = [];
      for (const [id, at] of Object.entries(seen)) if (at > 0) toCard.push(at - sentAt[Number(id)]!);
      const slow = (xs: number[]) => xs.filter((d) => d > SLOW_FRAME_MS).length;
      const apiP99 = percentile(answered, 0.99);
      const cardP99 = percentile(toCard, 0.99);
      return {
        pending_before: PENDING,
        arrivals: total,
        arrivals_per_s_achieved: round(total / floodS),
        frames_during_flood: floodFrames.length,
        frames_over_1_5x_budget: slow(floodFrames),
        frames_over_1_5x_budget_idle_baseline_3s: slow(idleFrames),
        worst_frame_ms: round(Math.max(0, ...floodFrames)),
        cards_painted: toCard.length,
        request_to_card_ms_p50: round(percentile(toCard, 0.5)),
        request_to_card_ms_p99: round(cardP99),
        api_response_ms_p50: round(percentile(answered, 0.5)),
        api_response_ms_p99: round(apiP99),
        card_p99_over_api_p99: round(cardP99 / apiP99, 2),
      };
    } finally {
      await browser.close();
      await app.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  },
};

export default bench;
