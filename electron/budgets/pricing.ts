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
import { unprocessable } from '../server/errors.js';

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

/**
 * Throws 422 when the model is unknown to the price table.
 *
 * INVARIANT: Warden's `input_tokens` counts uncached input only, as Anthropic reports it; cache
 * reads and writes come in their own fields. genai-prices counts cache tokens as parts of
 * `input_tokens`, so we add them back here. Every usage-priced spend (POST /v1/spend and action
 * completion) passes through this one function. The sum also picks long-context tiers, which
 * providers select on the whole prompt, cached parts included.
 */
export function priceUsage(usage: UsageInput): Priced {
  const cacheRead = usage.cache_read_tokens ?? 0;
  const cacheWrite = usage.cache_write_tokens ?? 0;
  const result = calcPrice(
    {
      input_tokens: usage.input_tokens + cacheRead + cacheWrite,
      output_tokens: usage.output_tokens,
      cache_read_tokens: cacheRead,
      cache_write_tokens: cacheWrite,
    },
    usage.model,
    usage.provider ? { providerId: usage.provider } : undefined,
  );
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
