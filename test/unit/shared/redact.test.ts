import { describe, expect, it } from 'vitest';
import { REDACTED, isSecretKey, redactSecrets } from '../../../shared/redact.js';

describe('isSecretKey: judged by words, not letters', () => {
  // The six secret families (password, token, secret, authorization, api_key, cookie) in
  // every spelling agents send, plus their near relatives.
  const secret = [
    'password', 'Password', 'user_password', 'dbPassword', 'DB_PASSWORD', 'password2', 'passwd', 'pwd', 'pass', 'passphrase', 'passcode',
    'token', 'tokens', 'access_tokens', 'apiTokens', 'refresh_token', 'accessToken', 'access-token', 'accesstoken', 'id_token', 'x-csrf-token', 'GITHUB_TOKEN', 'oauth2Token', 'jwt',
    'secret', 'Secret', 'client_secret', 'clientSecret', 'secrets', 'aws.secret_access_key',
    'authorization', 'Authorization', 'Proxy-Authorization', 'authorisation',
    'api_key', 'apiKey', 'APIKey', 'X-API-Key', 'x-api-key', 'apikey', 'OPENAI_API_KEY', 'xApiKey',
    'cookie', 'Cookie', 'set-cookie', 'cookies',
    'credential', 'credentials', 'creds', 'privateKey', 'private_key', 'privatekey', 'aws_access_key_id', 'signing_key', 'encryption_key', 'session_key',
  ];
  // Names that merely contain those letters, or count LLM tokens.
  const kept = [
    'input_tokens', 'output_tokens', 'max_tokens', 'maxTokens', 'cache_read_input_tokens', 'cache_creation_input_tokens', 'cache_read_tokens', 'cache_write_tokens', 'reasoning_tokens', 'prompt_tokens', 'completion_tokens', 'total_tokens',
    'token_count', 'tokenCount', 'totalTokenCount', 'promptTokenCount', 'token_usage', 'token_limit', 'tokenizer',
    'passenger', 'passport', 'compass', 'bypass', 'passed', 'secretary', 'author', 'authorized', 'cookiecutter',
    'key', 'keys', 'idempotency_key', 'sort_key', 'monkey', 'session_id', 'url', 'path', 'X-Trace', 'api', 'private',
  ];
  it.each(secret)('%s is a secret key', (key) => expect(isSecretKey(key)).toBe(true));
  it.each(kept)('%s is not', (key) => expect(isSecretKey(key)).toBe(false));
});

describe('redactSecrets', () => {
  it('replaces strings, numbers, objects and arrays under a secret key, at any depth and inside arrays', () => {
    const out = redactSecrets({
      password: 'hunter2',
      pin: { pwd: 1234 },
      headers: { Authorization: 'Bearer x', cookies: ['a=1', 'b=2'] },
      items: [{ name: 'a', api_key: 'sk-1' }, [{ client_secret: { value: 's' } }]],
    });
    expect(out).toEqual({
      password: REDACTED,
      pin: { pwd: REDACTED },
      headers: { Authorization: REDACTED, cookies: REDACTED },
      items: [{ name: 'a', api_key: REDACTED }, [{ client_secret: REDACTED }]],
    });
  });

  it('keeps booleans and null under a secret key: they carry no secret', () => {
    const data = { operator_token_rotated: true, has_password: false, token: null, nested: [{ cookie_consent: true }] };
    expect(redactSecrets(data)).toEqual(data);
  });

  it('keeps usage counts and other data that only looks like a secret', () => {
    const data = {
      usage: { input_tokens: 1200, output_tokens: 340, cache_read_input_tokens: 0 },
      request: { max_tokens: 4096, model: 'claude' },
      usageMetadata: { promptTokenCount: 10, totalTokenCount: 12 },
      token_count: 7,
      passenger: 'Ada',
    };
    expect(redactSecrets(data)).toEqual(data);
  });

  it('leaves the input untouched', () => {
    const input = { token: 'abc' };
    redactSecrets(input);
    expect(input).toEqual({ token: 'abc' });
  });
});
