import { describe, expect, it } from 'vitest';
import { shortFolder, whatIsAsked, whyNotAllowable } from '../../../../renderer/src/lib/asked';
import { approval } from '../fixtures';

describe('what a request asks for', () => {
  it('names the command, URL, path or amount, and the folder apart', () => {
    expect(whatIsAsked({ tool: 'shell.exec', args: { command: 'npm install', cwd: '/home/me/crew/app' } })).toEqual({ kind: 'command', text: 'npm install', folder: '/home/me/crew/app' });
    expect(whatIsAsked({ tool: 'shell.exec', args: { argv: ['git', 'push'] } }).text).toBe('git push');
    expect(whatIsAsked({ tool: 'http.request', args: { url: 'https://x.test/a', method: 'post' } }).text).toBe('POST https://x.test/a');
    expect(whatIsAsked({ tool: 'http.request', args: { url: 'https://x.test/a', method: 'GET' } }).text).toBe('https://x.test/a');
    expect(whatIsAsked({ tool: 'fs.write', args: { path: 'src/a.ts', claude_tool: 'Write' } })).toMatchObject({ kind: 'path', text: 'src/a.ts' });
    expect(whatIsAsked({ tool: 'order.refund', args: { order_id: 'A-1' }, value: 180 })).toMatchObject({ kind: 'amount', text: 'value 180' });
    expect(whatIsAsked({ tool: 'slack.post', args: { channel: '#deploys', claude_tool: 'x' } })).toMatchObject({ kind: 'args', text: 'channel=#deploys' });
    expect(whatIsAsked({ tool: 'ping' })).toMatchObject({ kind: 'none', text: '' });
  });

  it('shortens a folder to its last two segments', () => {
    expect(shortFolder('/home/me/crew/app')).toBe('…/crew/app');
    expect(shortFolder('/srv/app/')).toBe('/srv/app/');
  });
});

describe('why a request cannot be allowed', () => {
  const now = Date.parse('2026-12-05T10:01:00.000Z');
  it('says nothing when it can be', () => {
    expect(whyNotAllowable(approval(), { now, operatorId: 'opr_1', busy: false })).toBeNull();
  });
  it('names each reason', () => {
    expect(whyNotAllowable(approval({ withdrawn_at: '2026-12-05T10:00:30.000Z' }), { now, operatorId: null, busy: false })).toMatch(/crew-03 stopped waiting/);
    expect(whyNotAllowable(approval(), { now: Date.parse('2026-12-05T10:06:00.000Z'), operatorId: null, busy: false })).toMatch(/expired/);
    const decided = approval({ required_approvals: 2, decisions: [{ operator: 'opr_1', operator_name: 'me', decision: 'allow_once', comment: null, at: '2026-12-05T10:00:40.000Z' }] });
    expect(whyNotAllowable(decided, { now, operatorId: 'opr_1', busy: false })).toMatch(/waits for 1 more operator\./);
    expect(whyNotAllowable(approval(), { now, operatorId: null, busy: true })).toMatch(/on its way/);
    expect(whyNotAllowable(approval({ grantable: false }), { now, operatorId: null, busy: false, always: true })).toMatch(/Allow always is not offered/);
    expect(whyNotAllowable(approval({ grantable: false }), { now, operatorId: null, busy: false })).toBeNull();
  });
});
