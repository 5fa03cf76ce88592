import { describe, expect, it } from 'vitest';
import { DEFAULT_RATE_LIMIT, maxArgsBytesFromEnv, rateLimitFromEnv } from '../../../electron/server/rate-limit.js';

describe('request limits from the environment', () => {
  it('reads PER_SECOND/BURST, off, and the total', () => {
    expect(rateLimitFromEnv({})).toBeUndefined();
    expect(rateLimitFromEnv({ WARDEN_RATE_LIMIT: 'off' })).toBe(false);
    expect(rateLimitFromEnv({ WARDEN_RATE_LIMIT: '5/10' })).toEqual({ perSecond: 5, burst: 10, total: DEFAULT_RATE_LIMIT.total });
    expect(rateLimitFromEnv({ WARDEN_RATE_LIMIT_TOTAL: '100/100' })).toEqual({ perSecond: DEFAULT_RATE_LIMIT.perSecond, burst: DEFAULT_RATE_LIMIT.burst, total: { perSecond: 100, burst: 100 } });
    expect(rateLimitFromEnv({ WARDEN_RATE_LIMIT: '5/10', WARDEN_RATE_LIMIT_TOTAL: 'off' })).toEqual({ perSecond: 5, burst: 10 });
  });

  it.each(['20', '0/5', '10/5', 'x/y', '-1/4'])('refuses WARDEN_RATE_LIMIT=%s with a one-line message', (raw) => {
    expect(() => rateLimitFromEnv({ WARDEN_RATE_LIMIT: raw })).toThrow(/^WARDEN_RATE_LIMIT: expected PER_SECOND\/BURST/);
  });

  it('reads WARDEN_MAX_ARGS_BYTES', () => {
    expect(maxArgsBytesFromEnv({})).toBeUndefined();
    expect(maxArgsBytesFromEnv({ WARDEN_MAX_ARGS_BYTES: '1024' })).toBe(1024);
    expect(() => maxArgsBytesFromEnv({ WARDEN_MAX_ARGS_BYTES: '0' })).toThrow(/^WARDEN_MAX_ARGS_BYTES/);
    expect(() => maxArgsBytesFromEnv({ WARDEN_MAX_ARGS_BYTES: '1e3' })).toThrow(/^WARDEN_MAX_ARGS_BYTES/);
  });
});
