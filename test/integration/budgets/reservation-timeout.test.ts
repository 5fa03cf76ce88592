/**
 * The reservation reaper's timeout is configurable: AppConfig.reservationTimeoutMs reaches the
 * ledger, and `warden serve` reads it from WARDEN_RESERVATION_TIMEOUT_S (refusing bad values).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createApp } from '../../../electron/app.js';
import { ManualClock } from '../../../electron/common/clock.js';
import { reservationTimeoutFromEnv } from '../../../electron/headless.js';
import { startTestApp, type TestApp } from '../../support/app.js';
import { cli } from '../../support/cli-harness.js';

const MINUTE = 60_000;

let t: TestApp | undefined;
const dirs: string[] = [];
afterEach(async () => {
  await t?.close();
  t = undefined;
  vi.unstubAllEnvs();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('reservationTimeoutMs', () => {
  it('an abandoned action’s reservation is released after the configured timeout, not before', async () => {
    const clock = new ManualClock();
    const app = await startTestApp({ clock, timeZone: 'UTC', reservationTimeoutMs: 5 * MINUTE });
    t = app;
    await app.api(app.op).answer('createGuardrail', { body: { name: 'allow-llm', rules: [{ tool: 'llm.call', decision: 'ALLOW' }] } });
    const a = await app.agent('slow');
    await app.api(app.op).answer('setBudget', { body: { scope: 'agent', scope_id: a.id, limit_usd_cents: 100, mode: 'cap' } });
    const act = await app.api(a.key).answer('createAction', { body: { tool: 'llm.call', cost_estimate_micro_usd: 40_000 } });
    expect(act.body.decision).toBe('ALLOW');
    const reserved = async () => (await app.api(app.op).answer('getBudget', { params: { scope: 'agent', scope_id: a.id } })).body.reserved_micro_usd;
    const released = async () => (await app.api(app.op).answer('listAudit', { query: { event_type: 'reservation.released' } })).body.data;

    clock.advance(4 * MINUTE); // the reaper looks every minute
    expect(await reserved()).toBe(40_000);
    expect(await released()).toHaveLength(0);

    clock.advance(2 * MINUTE); // past 5 minutes, far short of the 1 h default
    expect(await reserved()).toBe(0);
    const rows = await released();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ subject_id: act.body.id, data: { reason: 'abandoned', timeout_ms: 5 * MINUTE } });
  });

  it('createApp refuses a timeout that is not a positive integer', async () => {
    for (const bad of [0, -1, 1.5]) {
      const dataDir = mkdtempSync(join(tmpdir(), 'warden-timeout-'));
      dirs.push(dataDir);
      await expect(createApp({ dataDir, port: 0, rendererDir: null, reservationTimeoutMs: bad })).rejects.toThrow(
        `reservationTimeoutMs: expected a positive integer number of milliseconds, got ${bad}`,
      );
    }
  });
});

describe('WARDEN_RESERVATION_TIMEOUT_S', () => {
  it.each([
    [undefined, undefined],
    ['', undefined],
    ['1', 1_000],
    ['900', 900_000],
  ])('%j → %j ms', (value, ms) => {
    expect(reservationTimeoutFromEnv(value === undefined ? {} : { WARDEN_RESERVATION_TIMEOUT_S: value })).toBe(ms);
  });

  it.each(['0', '-5', '1.5', '90s', ' 60', 'abc', '1e3', String(Number.MAX_SAFE_INTEGER)])('%j is refused', (value) => {
    expect(() => reservationTimeoutFromEnv({ WARDEN_RESERVATION_TIMEOUT_S: value })).toThrow(
      `WARDEN_RESERVATION_TIMEOUT_S: expected a positive integer number of seconds, got ${JSON.stringify(value)}`,
    );
  });

  it('`warden serve` with a bad value prints one line and exits non-zero without starting', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'warden-timeout-'));
    dirs.push(dataDir);
    // runHeadless reads the process's environment, as the real entry does.
    vi.stubEnv('WARDEN_RESERVATION_TIMEOUT_S', 'soon');
    const r = await cli(['serve', '--port', '0', '--data-dir', dataDir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('warden: WARDEN_RESERVATION_TIMEOUT_S: expected a positive integer number of seconds, got "soon"\n');
    expect(r.stdout).toBe('');
  });
});
