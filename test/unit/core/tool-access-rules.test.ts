/**
 * Tool access (shared/core/tool-access.ts): role override → tool policy → abstain, the
 * restrictions a policy keeps under an override, and how hosts are found in nested args.
 */
import { describe, expect, it } from 'vitest';
import { evaluateToolAccess, hostMatches, hostsInArgs } from '../../../shared/core/tool-access.js';
import type { RoleOverride, ToolPolicy } from '../../../shared/core/types.js';
import { agentCtx } from './snapshot.js';

const tp = (over: Partial<ToolPolicy> = {}): ToolPolicy => ({ id: 'tp_1', tool_name: 'http.get', allowed: true, restrictions: {}, ...over });
const ro = (over: Partial<RoleOverride> = {}): RoleOverride => ({ role: 'dev', tool_name: 'http.get', allowed: true, ...over }) as RoleOverride;
const dev = agentCtx({ role: 'dev' });
const access = (policies: ToolPolicy[], overrides: RoleOverride[], args: Record<string, unknown> = {}, agent = dev, tool = 'http.get') =>
  evaluateToolAccess({ tool, args }, agent, policies, overrides);

describe('resolution', () => {
  it('no policy and no override: abstain', () => {
    expect(access([], [])).toMatchObject({ verdict: 'ABSTAIN', block_code: null });
  });

  it('a policy for another tool does not apply', () => {
    expect(access([tp({ tool_name: 'other', allowed: false })], []).verdict).toBe('ABSTAIN');
  });

  it('a denying override blocks even where the policy allows', () => {
    expect(access([tp()], [ro({ allowed: false })])).toMatchObject({ verdict: 'BLOCK', block_code: 'tool_denied' });
  });

  it('an allowing override lets the role use a tool its policy denies', () => {
    expect(access([tp({ allowed: false })], [ro()])).toMatchObject({ verdict: 'ALLOW', block_code: null });
    expect(access([tp({ allowed: false })], [])).toMatchObject({ verdict: 'BLOCK', block_code: 'tool_denied' });
  });

  it('an override applies to its role and tool only, never to an agent without a role', () => {
    expect(access([tp({ allowed: false })], [ro({ role: 'ops' })]).verdict).toBe('BLOCK');
    expect(access([tp({ allowed: false })], [ro({ tool_name: 'other' })]).verdict).toBe('BLOCK');
    expect(access([tp({ allowed: false })], [ro({ role: null as unknown as string })], {}, agentCtx({ role: null })).verdict).toBe('BLOCK');
    expect(access([tp({ allowed: false })], [ro()], {}, null as unknown as typeof dev).verdict).toBe('BLOCK');
    expect(access([], [ro({ allowed: false })], {}, agentCtx({ role: null })).verdict).toBe('ABSTAIN');
  });

  it('an allowing override alone allows', () => {
    expect(access([], [ro()])).toMatchObject({ verdict: 'ALLOW', block_code: null });
  });

  it('the policy restrictions still apply under an allowing override', () => {
    const p = tp({ allowed: false, restrictions: { allowed_domains: ['example.com'], max_response_size_kb: 10 } });
    expect(access([p], [ro()], { url: 'evil.com' })).toMatchObject({ verdict: 'BLOCK', block_code: 'domain_not_allowed' });
    expect(access([p], [ro()], { max_response_size_kb: 11 })).toMatchObject({ verdict: 'BLOCK', block_code: 'tool_denied' });
    expect(access([p], [ro()], { url: 'example.com', max_response_size_kb: 10 }).verdict).toBe('ALLOW');
  });
});

describe('allowed_domains', () => {
  it('every host must be allowed; an empty list allows none; no list allows all', () => {
    const p = (domains?: string[]) => tp({ restrictions: domains ? { allowed_domains: domains } : {} });
    expect(access([p(['a.com', 'b.com'])], [], { url: 'a.com', link: 'b.com' }).verdict).toBe('ALLOW');
    expect(access([p(['a.com', 'b.com'])], [], { url: 'a.com', link: 'c.com' }).block_code).toBe('domain_not_allowed');
    expect(access([p([])], [], { url: 'a.com' }).block_code).toBe('domain_not_allowed');
    expect(access([p([])], [], { note: 'no url here' }).verdict).toBe('ALLOW');
    expect(access([p()], [], { url: 'anything.com' }).verdict).toBe('ALLOW');
  });

  it('an unreadable URL is never allowed', () => {
    expect(access([tp({ restrictions: { allowed_domains: ['*.com'] } })], [], { url: 'https://' }).block_code).toBe('domain_not_allowed');
  });
});

describe('max_response_size_kb', () => {
  const p = tp({ restrictions: { max_response_size_kb: 10 } });
  it('the agent may ask up to the limit under either name, and nothing that is not a number', () => {
    expect(access([p], [], { max_response_size_kb: 10 }).verdict).toBe('ALLOW');
    expect(access([p], [], { response_size_kb: 10 }).verdict).toBe('ALLOW');
    expect(access([p], [], { response_size_kb: 11 }).block_code).toBe('tool_denied');
    expect(access([p], [], { max_response_size_kb: 10, response_size_kb: 11 }).block_code).toBe('tool_denied');
    expect(access([p], [], { max_response_size_kb: '5' }).block_code).toBe('tool_denied');
    expect(access([p], [], { max_response_size_kb: Number.NaN }).block_code).toBe('tool_denied');
    expect(access([p], [], {}).verdict).toBe('ALLOW');
  });

  it('without a limit any size may be asked; without args nothing is asked', () => {
    expect(access([tp()], [], { max_response_size_kb: 1e9 }).verdict).toBe('ALLOW');
    expect(evaluateToolAccess({ tool: 'http.get' }, dev, [p], []).verdict).toBe('ALLOW');
  });

  it('a limit of 0 admits 0 only', () => {
    const zero = tp({ restrictions: { max_response_size_kb: 0 } });
    expect(access([zero], [], { max_response_size_kb: 0 }).verdict).toBe('ALLOW');
    expect(access([zero], [], { max_response_size_kb: 1 }).block_code).toBe('tool_denied');
  });
});

describe('finding hosts', () => {
  it('array items inherit their key, object keys name their own values', () => {
    expect(hostsInArgs({ urls: ['a.com', 'b.com'] })).toEqual(['a.com', 'b.com']);
    expect(hostsInArgs({ url: { note: 'a.com' } })).toEqual([]);
    expect(hostsInArgs({ notes: ['a.com'] })).toEqual([]);
    expect(hostsInArgs({ cfg: { callback_url: 'a.com' } })).toEqual(['a.com']);
  });

  it('URL-ish keys: the last word of any spelling, singular or plural', () => {
    for (const key of ['url', 'URL', 'Url', 'callbackUrl', 'callback_url', 'api-endpoint', 'webhookURLs', 'hosts', 'hostname', 'domain', 'href', 'uri', 'link', 'website']) {
      expect(hostsInArgs({ [key]: 'a.com' })).toEqual(['a.com']);
    }
    for (const key of ['urlish', 'curl', 'hostile', 'note', 'title', 'endpointer', '']) {
      expect(hostsInArgs({ [key]: 'a.com' })).toEqual([]);
    }
  });

  it('too deep to inspect is an unknown host', () => {
    let nested: unknown = 'https://a.com';
    for (let i = 0; i < 9; i++) nested = [nested];
    expect(hostsInArgs({ v: nested })).toEqual([null]);
    let deep: unknown = 'https://a.com';
    for (let i = 0; i < 8; i++) deep = { x: deep };
    expect(hostsInArgs({ v: deep })).toEqual([null]);
    let shallow: unknown = 'https://a.com';
    for (let i = 0; i < 6; i++) shallow = { x: shallow };
    expect(hostsInArgs({ v: shallow })).toEqual(['a.com']);
  });

  it('numbers, booleans and null name no host', () => {
    expect(hostsInArgs({ url: 5, link: null, host: true })).toEqual([]);
    expect(hostsInArgs(undefined)).toEqual([]);
  });

  it('control characters and spaces around a URL are what a URL parser ignores too', () => {
    expect(hostsInArgs({ q: '\u0001 https://a.com \u0000' })).toEqual(['a.com']);
    expect(hostsInArgs({ q: 'https://a.com\u2028' })).toEqual(['a.com']);
    expect(hostsInArgs({ q: 'x https://a.com' })).toEqual([]);
  });

  it('a query or fragment in a URL-ish key names no host', () => {
    expect(hostsInArgs({ url: '?q=a.com' })).toEqual([null]);
    expect(hostsInArgs({ url: '#a.com' })).toEqual([null]);
    expect(hostsInArgs({ url: '\\x' })).toEqual([null]);
  });

  it('a bare host:port in a URL-ish key is a host, outside one it is text', () => {
    expect(hostsInArgs({ url: 'a.com:8080' })).toEqual(['a.com']);
    expect(hostsInArgs({ note: 'a.com:8080' })).toEqual([]);
  });

  it('scheme-relative text that parses to no host is text outside URL-ish keys and unknown inside', () => {
    expect(hostsInArgs({ note: '//' })).toEqual([]);
    expect(hostsInArgs({ url: '//' })).toEqual([null]);
  });
});

describe('host patterns', () => {
  it('compare case- and trailing-dot-insensitively, IPv6 brackets removed', () => {
    expect(hostMatches('Example.COM.', 'example.com')).toBe(true);
    expect(hostMatches('[::1]', '::1')).toBe(true);
    expect(hostMatches('::1', '[::1]')).toBe(true);
    expect(hostMatches('*.Example.com', 'A.EXAMPLE.COM.')).toBe(true);
  });

  it('a wildcard needs at least one label before its suffix', () => {
    expect(hostMatches('*.example.com', '.example.com')).toBe(false);
    expect(hostMatches('*.example.com', 'x.example.com')).toBe(true);
    expect(hostMatches('*.example.com', 'xexample.com')).toBe(false);
  });

  it('a star that is not a leading label is literal', () => {
    expect(hostMatches('a*.com', 'ab.com')).toBe(false);
    expect(hostMatches('*', 'a.com')).toBe(false);
  });
});
