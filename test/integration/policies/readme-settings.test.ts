/**
 * The README's claim about which categories always ask matches what a fresh Warden does: the
 * "Governance settings" item names the categories there are switches for, and says which are on
 * at first start; both are compared with the settings a new data folder starts with.
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../support/app.js';

const README = new URL('../../../README.md', import.meta.url);

/** The README's words for each category switch of the governance settings. */
const SWITCHES: Record<string, 'require_approval_for_external_comm' | 'require_approval_for_public_writes' | 'require_approval_for_permission_changes'> = {
  'external communication': 'require_approval_for_external_comm',
  'public writes': 'require_approval_for_public_writes',
  'permission changes': 'require_approval_for_permission_changes',
};

/** The "Governance settings" item of the README's list of layers, on one line. */
function settingsItem(): string {
  const text = readFileSync(README, 'utf8');
  const item = /\*\*Governance settings\*\*([\s\S]*?)\n\d+\. \*\*/.exec(text);
  if (!item) throw new Error('README: no "Governance settings" item followed by another numbered item');
  return item[1]!.replace(/\s+/g, ' ');
}

let t: TestApp | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

describe('README: which categories always ask', () => {
  it('names only switches that exist, and says truly which are on at first start', async () => {
    const item = settingsItem();
    const named = /\(([^)]*)\) always ask/.exec(item)?.[1];
    expect(named, 'README names the category switches in parentheses before "always ask"').toBeTruthy();
    const phrases = named!.split(/,\s*/).map((p) => p.trim().replace(/^or /, '')).filter((p) => p && !p.startsWith('any category'));
    for (const p of phrases) expect(Object.keys(SWITCHES), `README names "${p}"`).toContain(p);

    const claim = /On first start (.+?) (?:is|are) on/.exec(item)?.[1];
    expect(claim, 'README says which are on at first start').toBeTruthy();
    const claimedOn = claim === 'none of them' ? [] : claim!.split(/,\s*|\s+and\s+/).map((p) => SWITCHES[p.trim()]);

    t = await startTestApp();
    const settings = (await t.api(t.op).answer('getGovernanceSettings')).body;
    const actuallyOn = Object.values(SWITCHES).filter((key) => settings[key]);
    expect(claimedOn.sort()).toEqual(actuallyOn.sort());
    // No category asks by name on a fresh Warden either, unless the README says so.
    expect(Object.entries(settings.category_flags).filter(([, on]) => on)).toEqual([]);
  });
});
