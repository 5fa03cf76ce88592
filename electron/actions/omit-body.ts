/**
 * What is kept of a refused action's input. An agent that is disabled or over its quota can
 * still send requests as fast as the rate limit lets it, and each would otherwise store its whole
 * `args`; for those blocks only the args' SHA-256 and size are kept (of the redacted form, so
 * the hash cannot be used to guess a secret that was removed).
 */
import { createHash } from 'node:crypto';
import type { ActionInput, BlockCode, Decision } from '../../shared/core/types.js';

/** Blocks whose action's args are not stored. */
const BODYLESS_BLOCKS: ReadonlySet<BlockCode> = new Set(['agent_disabled', 'quota_exceeded']);

export interface OmittedArgs {
  _omitted: true;
  sha256: string;
  bytes: number;
}

/** `stored` (already redacted) as it is recorded for `decision`. */
export function inputToStore(stored: ActionInput, decision: Decision): ActionInput {
  if (decision.decision !== 'BLOCK' || !decision.block_code || !BODYLESS_BLOCKS.has(decision.block_code) || stored.args === undefined) {
    return stored;
  }
  const json = JSON.stringify(stored.args);
  const omitted: OmittedArgs = { _omitted: true, sha256: createHash('sha256').update(json).digest('hex'), bytes: Buffer.byteLength(json, 'utf8') };
  return { ...stored, args: omitted as unknown as Record<string, unknown> };
}
