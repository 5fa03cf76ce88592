/** Credentials written inside values, found by their context (no scanner involved). */
import { describe, expect, it } from 'vitest';
import { redactSecrets, redactText } from '../../../shared/redact.js';

describe('redactText', () => {
  it.each([
    ['curl -H "Authorization: Bearer abcdef123456" https://x', 'curl -H "Authorization: Bearer [REDACTED]" https://x'],
    ['curl -u admin:hunter22 https://x', 'curl -u admin:[REDACTED] https://x'],
    ['psql postgres://app:s3cretpw@db:5432/app', 'psql postgres://app:[REDACTED]@db:5432/app'],
    ['deploy --api-key k-123456 --env prod', 'deploy --api-key [REDACTED] --env prod'],
    ['deploy --token=k-123456 --env prod', 'deploy --token=[REDACTED] --env prod'],
    ['GITHUB_TOKEN=abc123def cmd', 'GITHUB_TOKEN=[REDACTED] cmd'],
    ['https://x.test/a?page=2&access_token=zz9&sort=asc', 'https://x.test/a?page=2&access_token=[REDACTED]&sort=asc'],
    ['{"password": "pa55word", "user": "me"}', '{"password": "[REDACTED]", "user": "me"}'],
    ["X-Api-Key: 0f9e8d7c", 'X-Api-Key: [REDACTED]'],
  ])('%s', (input, expected) => {
    expect(redactText(input)).toBe(expected);
  });

  it.each([
    'npm test -- --max_tokens=5 --input_tokens 12',
    'count the tokens in this text, then report the token count',
    'git commit -m "fix the password reset page"',
    'ls -la /home/user/project',
  ])('leaves %s alone', (input) => {
    expect(redactText(input)).toBe(input);
  });

  it('hides a scanner finding and merges overlaps', () => {
    const scan = (t: string) => [[t.indexOf('SECRET'), t.indexOf('SECRET') + 6] as const, [t.indexOf('CRET'), t.indexOf('CRET') + 8] as const];
    expect(redactText('echo SECRETTAIL done', { scan })).toBe('echo [REDACTED] done');
  });

  it('redacts the value of a secret name in a [{name, value}] list, and keeps the others', () => {
    expect(
      redactSecrets({ headers: [{ name: 'Cookie', value: 'sid=1' }, { name: 'Accept', value: 'text/html' }, { key: 'X-Auth-Token', value: 'abc' }] }),
    ).toEqual({ headers: [{ name: 'Cookie', value: '[REDACTED]' }, { name: 'Accept', value: 'text/html' }, { key: 'X-Auth-Token', value: '[REDACTED]' }] });
  });
});
