/**
 * `warden approvals list` says when it cut the list: the real `bin/warden.js` against a real
 * server with more pending requests than the default limit prints "first 100, more with --cursor
 * C", and that cursor continues exactly after the last row shown.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { startTestApp, type TestApp } from '../../support/app.js';
import { buildCli, cliProcess } from '../../support/cli-harness.js';

let t: TestApp;
let env: Record<string, string>;
const opened: string[] = [];

beforeAll(async () => {
  await buildCli();
  t = await startTestApp();
  env = { WARDEN_URL: t.url, WARDEN_DATA_DIR: t.dataDir };
  const agent = await t.agent('pager');
  // With no policies every action asks: each call opens a pending approval.
  for (let i = 0; i < 101; i++) {
    const res = await t.api(agent.key).answer('createAction', { body: { tool: 'shell.exec', args: { command: `echo ${i}` } } });
    opened.push((res.body as { approval_id: string }).approval_id);
  }
}, 300_000);
afterAll(async () => {
  await t?.close();
});

const Ids = z.array(z.object({ id: z.string() }));

describe('approvals list paging', () => {
  it('a cut list ends with "first 100, more with --cursor C"; the cursor shows the rest without a note', async () => {
    const first = await cliProcess(['approvals', 'list'], { env });
    expect(first.code).toBe(0);
    const lines = first.stdout.trim().split('\n');
    const note = lines.at(-1)!;
    expect(note).toMatch(/^first 100, more with --cursor \S+$/);
    expect(lines).toHaveLength(1 + 100 + 1); // header, rows, note
    const cursor = note.split(' ').at(-1)!;

    const rest = await cliProcess(['approvals', 'list', '--cursor', cursor], { env });
    expect(rest.code).toBe(0);
    const restLines = rest.stdout.trim().split('\n');
    expect(restLines).toHaveLength(2); // header and the one row left: nothing cut, no note
    // Newest first: the first request opened is the one left over.
    expect(restLines[1]).toMatch(new RegExp(`^${opened[0]}\\s`));
  });

  it('--json keeps stdout a plain array and says the cut on stderr; a smaller --limit cuts there', async () => {
    const r = await cliProcess(['approvals', 'list', '--json', '--limit', '7'], { env });
    expect(r.code).toBe(0);
    expect(r.json(Ids)).toHaveLength(7);
    expect(r.stderr).toMatch(/^first 7, more with --cursor \S+\n$/);
    const all = await cliProcess(['approvals', 'list', '--json', '--limit', '500'], { env });
    expect(all.json(Ids)).toHaveLength(101);
    expect(all.stderr).toBe('');
  });
});
