/** Every UI response — `/`, `/index.html`, a client route, an asset — carries the same security headers. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../support/app.js';

let t: TestApp;
let rendererDir: string;
beforeAll(async () => {
  rendererDir = mkdtempSync(join(tmpdir(), 'warden-ui-'));
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>Warden</title>');
  mkdirSync(join(rendererDir, 'assets'));
  writeFileSync(join(rendererDir, 'assets', 'app.js'), 'console.log(1)');
  t = await startTestApp({ rendererDir });
});
afterAll(async () => {
  await t.close();
  rmSync(rendererDir, { recursive: true, force: true });
});

describe('UI security headers', () => {
  it.each(['/', '/index.html', '/inbox', '/assets/app.js'])('%s carries the CSP with frame-ancestors and referrer-policy', async (path) => {
    const res = await t.raw('GET', path);
    expect(res.status).toBe(200);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  });
});
