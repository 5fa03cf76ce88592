/**
 * Secrets inside values — a token in a shell command, a URL's query, a header list — never reach
 * the ledger, the audit log, the event stream or a notification in clear; the decision still
 * runs on what the agent sent.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { harness, type Harness } from '../../support/actions-harness.js';

const open: Harness[] = [];
afterEach(async () => {
  for (const x of open.splice(0)) await x.close();
});

// Shaped like each provider's real credentials; none is live.
const SECRETS = {
  aws: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY',
  awsId: 'AKIAZ7Q4EXAMPLE3KD2X',
  github: 'ghp_R2d2C3poL8kS5tWq9Zx1Vb7Nm4Jh6Gf0Ed3A',
  slack: 'xoxb-2718281828-3141592653589-Zq7Wv3Rt9Yx2Lm5Np8Ks4Hd',
  stripe: 'sk_live_51Nx8QmKe7Yz2Wp4Rt6Uv9Bc3Df5Gh1Jk',
  openai: 'sk-proj-Q9w8E7r6T5y4U3i2O1p0AsDfGhJkLzXcVbNm',
  google: 'AIzaSyD7x9K2m4Q8w3E5r1T6y0U2i9O4p7A3sDf',
  jwt: 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ1c2VyLTQyIiwiaWF0IjoxNzAwMDAwMDAwfQ.kX9vQ2mP7rT4wY1zA8bC5dE3fG6hJ0kL2nM4pQ7sT9u',
  password: 'Tr0ub4dor-3xyz!',
  queryToken: 'q7W9e2R4t6Y8u1I3o5P0',
};

const ARGS = {
  command: `curl -H "Authorization: Bearer ${SECRETS.github}" https://api.github.com/user`,
  env_cmd: `AWS_ACCESS_KEY_ID=${SECRETS.awsId} AWS_SECRET_ACCESS_KEY=${SECRETS.aws} aws s3 ls`,
  login: `mysql --user=root --password=${SECRETS.password} app`,
  url: `https://api.example.com/v1/items?limit=5&token=${SECRETS.queryToken}&api_key=${SECRETS.google}`,
  headers: [
    { name: 'X-Api-Key', value: SECRETS.openai },
    { name: 'Accept', value: 'application/json' },
  ],
  note: `slack ${SECRETS.slack}, stripe ${SECRETS.stripe}, session ${SECRETS.jwt}`,
};

function expectNoSecret(text: string, where: string): void {
  for (const [provider, secret] of Object.entries(SECRETS)) {
    expect(text.includes(secret), `${provider} credential in clear in ${where}`).toBe(false);
  }
}

describe('secrets inside values', () => {
  it('are redacted in the receipt, the action, the approval, the audit log, the event stream and the notification', async () => {
    const h = await harness();
    open.push(h);
    const agent = await h.agent('leaky');
    const res = await h.act(agent.key, { tool: 'shell.exec', args: ARGS });
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('pending_approval');
    expectNoSecret(JSON.stringify(res.body), 'the answer');

    const row = h.app.db.prepare('SELECT action FROM receipts WHERE action_id = ?').get(res.body.id) as { action: string };
    expectNoSecret(row.action, 'the receipt');
    const stored = JSON.parse(row.action).args;
    // What is not secret is kept, so the operator can still judge the request.
    expect(stored.command).toBe('curl -H "Authorization: Bearer [REDACTED]" https://api.github.com/user');
    expect(stored.env_cmd).toContain('aws s3 ls');
    expect(stored.login).toBe('mysql --user=root --password=[REDACTED] app');
    expect(stored.url).toBe('https://api.example.com/v1/items?limit=5&token=[REDACTED]&api_key=[REDACTED]');
    expect(stored.headers).toEqual([
      { name: 'X-Api-Key', value: '[REDACTED]' },
      { name: 'Accept', value: 'application/json' },
    ]);

    const approval = await h.api(h.op).answer('getApproval', { params: { id: res.body.approval_id! } });
    expectNoSecret(JSON.stringify(approval.body), 'the approval');
    const dump = (table: string) => JSON.stringify(h.app.db.prepare(`SELECT * FROM ${table}`).all());
    for (const table of ['actions', 'receipts', 'approvals', 'audit']) expectNoSecret(dump(table), table);
    expectNoSecret(JSON.stringify(h.events), 'the event stream');
    expectNoSecret(JSON.stringify(h.notices), 'the notification');
  });

  it('the decision runs on the original values: a rule that matches the clear command still decides', async () => {
    const h = await harness();
    open.push(h);
    const rule = await h.api(h.op).answer('createGuardrail', { body: { name: 'live-stripe-ok', rules: [{ tool: 'shell.exec', expr: "$.args.command contains 'sk_live_51Nx8'", decision: 'ALLOW' }] } });
    expect(rule.status).toBe(201);
    const agent = await h.agent('payer');
    const res = await h.act(agent.key, { tool: 'shell.exec', args: { command: `stripe charges list --api-key ${SECRETS.stripe}` } });
    // Were the command redacted before evaluation, the rule could not match and it would ask (ALERT).
    expect(res.body.decision).toBe('ALLOW');
    expect(res.body.action.args!.command).toBe('stripe charges list --api-key [REDACTED]');
  });
});
