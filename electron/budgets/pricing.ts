/**
 * Prices token usage from @pydantic/genai-prices, a maintained price table that includes cache
 * read and write rates.
 *
 * Money conversion, done once per spend event: the package returns a USD total as a binary
 * float (e.g. 0.02159625). We multiply by 10^6, strip binary noise by taking 12 significant
 * digits (so 21596.249999999996 reads as 21596.25, not as a different tie), then round half up
 * to an integer number of micro-USD. Only the total is rounded, never the per-token parts, so a
 * call's error is under half a micro-USD.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { calcPrice } from '@pydantic/genai-prices';
import type { CostReport } from '../ports.js';
import { HttpError, unprocessable } from '../server/errors.js';

const PRICES_VERSION: string = (() => {
  try {
    // The package does not export its package.json; read it beside its resolved entry point.
    const entry = createRequire(import.meta.url).resolve('@pydantic/genai-prices');
    const pkg = JSON.parse(readFileSync(join(dirname(entry), '..', 'package.json'), 'utf8')) as { version: string };
    return pkg.version;
  } catch {
    return 'unknown';
  }
})();

export type UsageInput = NonNullable<CostReport['usage']> & { provider?: string };

export interface Priced {
  amount_micro_usd: number;
  pricing_source: string;
}

/** USD float → integer micro-USD, rounding once (see the file comment). */
export function usdToMicro(usd: number): number {
  if (!Number.isFinite(usd) || usd < 0) throw new Error(`price is not a non-negative number: ${usd}`);
  const micro = Number((usd * 1_000_000).toPrecision(12));
  return Math.floor(micro + 0.5);
}

/** Throws 422 when the model is unknown to the price table, 400 when the usage is inconsistent. */
export function priceUsage(usage: UsageInput): Priced {
  let result;
  try {
    result = calcPrice(
      {
        input_tokens: usage.input_tokens,
        output_tokens: usage.output_tokens,
        ...(usage.cache_read_tokens !== undefined ? { cache_read_tokens: usage.cache_read_tokens } : {}),
        ...(usage.cache_write_tokens !== undefined ? { cache_write_tokens: usage.cache_write_tokens } : {}),
      },
      usage.model,
      usage.provider ? { providerId: usage.provider } : undefined,
    );
  } catch (err) {
    // The package rejects usage whose cache tokens exceed input_tokens (they are partitions of it).
    throw new HttpError(400, 'invalid_parameter', `usage: ${(err as Error).message.toLowerCase()}`, 'usage');
  }
  if (!result) {
    throw unprocessable(
      `no price known for model ${usage.model}${usage.provider ? ` of provider ${usage.provider}` : ''}; send amount_micro_usd instead`,
      'usage.model',
    );
  }
  return {
    amount_micro_usd: usdToMicro(result.total_price),
    pricing_source: `genai-prices@${PRICES_VERSION}:${result.provider.id}/${result.model.id}`,
  };
}
