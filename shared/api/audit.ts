/** The audit log: list, verify, export. */
import { z } from 'zod';
import { defineRoute } from './contract.js';
import { ListQuery, QueryBool, Timestamp, listOf } from './common.js';

export const AuditEntry = z.object({
  id: z.string(),
  object: z.literal('audit_event'),
  seq: z.number().int(),
  at: Timestamp,
  event_type: z.string(),
  /** The kind of thing the row is about (`gate_policy`, `solution`, `gate_submission`, `agent`…), from its event type. */
  entity_type: z.string(),
  actor: z.string(),
  agent_id: z.string().nullable(),
  subject_id: z.string().nullable(),
  data: z.record(z.string(), z.unknown()),
  hash: z.string(),
});
export type AuditEntry = z.infer<typeof AuditEntry>;

export const AuditFilter = z.strictObject({
  event_type: z.string().min(1).max(400).optional(),
  entity_type: z.string().min(1).max(64).optional(),
  agent_id: z.string().min(1).max(100).optional(),
  actor: z.string().min(1).max(200).optional(),
  since: Timestamp.optional(),
  until: Timestamp.optional(),
  /** Free text: rows whose type, actor, agent, subject or data contain it (case-insensitive for ASCII). */
  q: z.string().min(1).max(200).optional(),
});

export const auditRoutes = {
  listAudit: defineRoute({
    method: 'GET', path: '/v1/audit', auth: 'audit:read', rows: { kind: 'list' }, tag: 'audit',
    summary: 'Audit events, newest first. `event_type` takes a comma-separated list; a trailing `.*` matches a family.',
    query: ListQuery.extend(AuditFilter.shape),
    response: listOf(AuditEntry),
  }),
  verifyAudit: defineRoute({
    method: 'GET', path: '/v1/audit/verify', auth: 'operator', tag: 'audit',
    summary: 'Recompute the hash chain, from the last row found sound (`full=true`: from the first row).',
    query: z.strictObject({ full: QueryBool.optional() }),
    response: z.object({ ok: z.boolean(), rows: z.number().int(), first_bad_id: z.string().nullable() }),
  }),
  exportAudit: defineRoute({
    method: 'GET', path: '/v1/audit/export', auth: 'audit:read', rows: { kind: 'list' }, tag: 'audit',
    summary: 'Stream the (filtered) audit log as JSON lines or CSV, oldest first.',
    query: AuditFilter.extend({ format: z.enum(['jsonl', 'csv']).default('jsonl') }),
    response: z.string(), raw: { contentType: 'application/x-ndjson' },
  }),
};
