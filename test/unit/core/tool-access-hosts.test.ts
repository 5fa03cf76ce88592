/**
 * allowed_domains cannot be walked around by spelling a URL the way a parser accepts but a
 * `^scheme://` check does not, or by naming a bare host in a URL-ish arg.
 */
import { describe, expect, it } from 'vitest';
import { evaluateToolAccess, hostMatches, hostsInArgs } from '../../../shared/core/tool-access.js';
import type { ToolPolicy } from '../../../shared/core/types.js';

const policy: ToolPolicy = { id: 'tp_1', tool_name: 'http.request', allowed: true, restrictions: { allowed_domains: ['example.com', '*.trusted.dev'] } };
const access = (args: Record<string, unknown>) => evaluateToolAccess({ tool: 'http.request', args }, null, [policy], []);

describe('allowed_domains against every spelling of a URL', () => {
  it.each<[string, Record<string, unknown>, 'ALLOW' | 'BLOCK']>([
    // Spellings that used to slip through a `^scheme://` test.
    ['leading space', { q: ' https://evil.com/x' }, 'BLOCK'],
    ['leading tab', { q: '\thttps://evil.com' }, 'BLOCK'],
    ['leading newline and NUL', { q: '\n\u0000https://evil.com' }, 'BLOCK'],
    ['tab inside the scheme', { q: 'ht\ttps://evil.com' }, 'BLOCK'],
    ['no-break space before', { q: '\u00a0https://evil.com' }, 'BLOCK'],
    ['scheme without slashes', { q: 'https:evil.com' }, 'BLOCK'],
    ['scheme with one slash', { q: 'https:/evil.com' }, 'BLOCK'],
    ['scheme with backslashes', { q: 'HTTPS:\\\\evil.com' }, 'BLOCK'],
    ['ws scheme without slashes', { q: 'ws:evil.com' }, 'BLOCK'],
    ['scheme-relative', { q: '//evil.com/x' }, 'BLOCK'],
    ['scheme-relative with backslashes', { q: '\\\\evil.com' }, 'BLOCK'],
    ['scheme-relative with three slashes', { q: '///evil.com' }, 'BLOCK'],
    ['bare host in url', { url: 'evil.com' }, 'BLOCK'],
    ['bare host with path in uri', { uri: 'evil.com/x' }, 'BLOCK'],
    ['bare host with port in href', { href: 'evil.com:8080' }, 'BLOCK'],
    ['bare host in link', { link: 'evil.com' }, 'BLOCK'],
    ['bare host in endpoint', { endpoint: 'evil.com' }, 'BLOCK'],
    ['bare host in website', { website: 'evil.com' }, 'BLOCK'],
    ['bare host in callbackUrl', { callbackUrl: 'evil.com' }, 'BLOCK'],
    ['bare host in webhook_urls', { webhook_urls: ['example.com', 'evil.com'] }, 'BLOCK'],
    ['bare host in api-endpoint', { 'api-endpoint': 'evil.com' }, 'BLOCK'],
    ['userinfo before the host', { url: 'example.com@evil.com' }, 'BLOCK'],
    // Fail closed: URL-ish keys whose value yields no host.
    ['empty url', { url: '' }, 'BLOCK'],
    ['blank url', { url: '   ' }, 'BLOCK'],
    ['url that is a path', { url: '/x/y' }, 'BLOCK'],
    ['url that is text', { url: 'not a host' }, 'BLOCK'],
    ['url with no host', { url: 'mailto:bob' }, 'BLOCK'],
    ['url that does not parse', { url: 'https://' }, 'BLOCK'],
    ['url-like string that does not parse', { q: 'foo://bad host' }, 'BLOCK'],
    ['special scheme with no host', { q: 'https:' }, 'BLOCK'],
    ['an authority with no host', { q: 'file:///etc/passwd' }, 'BLOCK'],
    // Allowed hosts stay allowed, however they are spelled.
    ['exact host', { url: 'https://example.com/x' }, 'ALLOW'],
    ['exact host with spaces around', { url: '  https://example.com/x\n' }, 'ALLOW'],
    ['bare allowed host', { url: 'example.com' }, 'ALLOW'],
    ['bare allowed host with port and path', { url: 'example.com:8443/a?b' }, 'ALLOW'],
    ['scheme-relative allowed host', { q: '//example.com/x' }, 'ALLOW'],
    ['scheme without slashes, allowed host', { q: 'https:example.com' }, 'ALLOW'],
    ['subdomain of a wildcard', { url: 'a.trusted.dev' }, 'ALLOW'],
    ['wildcard does not match the apex', { url: 'trusted.dev' }, 'BLOCK'],
    ['exact host does not match a subdomain', { url: 'https://api.example.com' }, 'BLOCK'],
    ['host key', { host: 'example.com' }, 'ALLOW'],
    // Strings that are not URLs outside URL-ish keys are left alone.
    ['plain text', { note: 'plain text', body: 'Error: nothing to see' }, 'ALLOW'],
    ['a code comment', { code: '// TODO: fix this' }, 'ALLOW'],
    ['a windows path', { path: 'C:\\Users\\x' }, 'ALLOW'],
    ['a mailto', { to: 'mailto:bob@evil.com' }, 'ALLOW'],
    ['a bare host outside URL-ish keys', { note: 'evil.com' }, 'ALLOW'],
  ])('%s: %j → %s', (_what, args, expected) => {
    const out = access(args);
    expect(out.verdict).toBe(expected);
    if (expected === 'BLOCK') expect(out.block_code).toBe('domain_not_allowed');
  });
});

describe('hostsInArgs', () => {
  it.each<[Record<string, unknown>, (string | null)[]]>([
    [{ q: ' https://evil.com/x' }, ['evil.com']],
    [{ q: 'https:/evil.com' }, ['evil.com']],
    [{ q: '//evil.com/x' }, ['evil.com']],
    [{ url: 'evil.com' }, ['evil.com']],
    [{ URL: 'Evil.COM' }, ['evil.com']],
    [{ url: 'not a host' }, [null]],
    [{ url: '/relative' }, [null]],
    [{ code: '// a comment' }, []],
    [{ note: 'plain text', path: 'C:\\x', to: 'mailto:x@y.z' }, []],
    [{ curl: 'evil.com' }, []],
  ])('%j → %j', (args, hosts) => {
    expect(hostsInArgs(args)).toEqual(hosts);
  });

  it('keeps matching exact hosts exactly and wildcards to subdomains only', () => {
    expect(hostMatches('example.com', 'example.com')).toBe(true);
    expect(hostMatches('example.com', 'a.example.com')).toBe(false);
    expect(hostMatches('*.example.com', 'a.example.com')).toBe(true);
    expect(hostMatches('*.example.com', 'example.com')).toBe(false);
  });
});
