/**
 * Budget totals past 2^53 − 1 micro-USD: a spend that would take a total there is
 * refused with 422 `unprocessable` and writes nothing; every accepted one is exact. The budget
 * row always equals the sum of the spend ledger, both read as exact 64-bit integers.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { errorBody, startTestApp, type TestApp } from '../../support/app.js';

let t: TestApp;
afterEach(async () => {
  await t?.close();
});

const MAX_SPEND = 1_000_000_000_000_000; // the most one spend may carry
const MAX = BigInt(Number.MAX_SAFE_INTEGER);

function exact(): { row: bigint; ledger: bigint; events: bigint } {
  const row = t.app.db.prepare("SELECT spent_micro_usd AS v FROM budgets WHERE scope = 'global'").safeIntegers().get() as { v: bigint };
  const ledger = t.app.db.prepare('SELECT TOTAL(amount_micro_usd) AS t, SUM(amount_micro_usd) AS v, COUNT(*) AS n FROM spend_events').safeIntegers().get() as { v: bigint; n: bigint };
  return { row: row.v, ledger: ledger.v, events: ledger.n };
}

describe('money beyond 2^53', () => {
  it('spends that would take a total past 2^53 − 1 are refused; the rest are exact and the row equals the ledger', async () => {
    t = await startTestApp({ backups: false });
    const a = await t.agent('whale');
    // A warn-mode cap: spends keep being recorded past it.
    expect((await t.api(t.op).answer('setBudget', { body: { scope: 'global', limit_usd_cents: 100, mode: 'warn' } })).status).toBe(200);
    const spend = (amount: number) => t.raw('POST', '/v1/spend', { key: a.key, body: { amount_micro_usd: amount } });

    for (let i = 0; i < 9; i++) expect((await spend(MAX_SPEND)).status).toBe(200);
    expect(exact()).toEqual({ row: 9n * BigInt(MAX_SPEND), ledger: 9n * BigInt(MAX_SPEND), events: 9n });

    const over = await spend(MAX_SPEND);
    expect(over.status).toBe(422);
    expect(errorBody(over.body).error).toMatchObject({ code: 'unprocessable', param: 'amount_micro_usd' });
    expect(exact()).toEqual({ row: 9n * BigInt(MAX_SPEND), ledger: 9n * BigInt(MAX_SPEND), events: 9n });

    // Exactly up to the top: accepted, and exact.
    const rest = MAX - 9n * BigInt(MAX_SPEND);
    expect((await spend(Number(rest))).status).toBe(200);
    expect(exact()).toEqual({ row: MAX, ledger: MAX, events: 10n });
    const budget = await t.api(t.op).answer('getBudget', { params: { scope: 'global', scope_id: 'global' } });
    expect(budget.body.spent_micro_usd).toBe(Number.MAX_SAFE_INTEGER);

    // One more micro-dollar is refused, and so is a small one after it: never a silent drop.
    for (const amount of [1, 2]) {
      const res = await spend(amount);
      expect(res.status).toBe(422);
    }
    expect(exact()).toEqual({ row: MAX, ledger: MAX, events: 10n });
    expect((await t.api(t.op).answer('verifyAudit')).body.ok).toBe(true);
  });
});
