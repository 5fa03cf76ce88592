import { describe, expect, it } from 'vitest';
import { evaluate } from '../../../shared/core/evaluate.js';
import { coreSnapshot, loadFixtures, matchedIds } from './fixtures.js';

const fixtures = loadFixtures();

it('finds the golden fixtures', () => {
  expect(fixtures.length).toBeGreaterThanOrEqual(8);
});

describe.each(fixtures)('golden fixture $file (pure core)', (fx) => {
  it.each(fx.cases)('$name', (c) => {
    const s = coreSnapshot(fx, c);
    const d = evaluate(c.action, s);
    expect({ decision: d.decision, block_code: d.block_code, matched: matchedIds(d) }).toEqual({ decision: c.decision, block_code: c.block_code, matched: c.matched });
    if (c.explanation !== undefined) expect(d.explanation).toBe(c.explanation);
    if (c.grantable !== undefined) expect(d.grantable).toBe(c.grantable);
  });
});
