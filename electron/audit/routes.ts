import { Readable } from 'node:stream';
import type { AuditEntry } from '../../shared/api/audit.js';
import type { Api } from '../server/api.js';
import { HttpError } from '../server/errors.js';
import type { AuditFilter, AuditService } from './service.js';
import type { AuditVerifier } from './verifier.js';

const CSV_COLUMNS = ['seq', 'id', 'at', 'event_type', 'actor', 'agent_id', 'subject_id', 'data', 'hash'] as const;

function csvCell(value: unknown): string {
  const text = value === null || value === undefined ? '' : typeof value === 'string' ? value : JSON.stringify(value);
  // Quote everything that could break a row, and defuse spreadsheet formulas (=, +, -, @).
  const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return /[",\n\r]/.test(safe) || safe !== text ? `"${safe.replace(/"/g, '""')}"` : safe;
}

const csvRow = (e: AuditEntry) => CSV_COLUMNS.map((c) => csvCell(e[c])).join(',') + '\n';

function checkRange(filter: AuditFilter): void {
  if (filter.since && filter.until && Date.parse(filter.since) > Date.parse(filter.until)) {
    throw new HttpError(400, 'invalid_parameter', 'since is after until', 'since');
  }
}

export function auditRoutes(api: Api, audit: AuditService, verifier: AuditVerifier): void {
  api.handle('listAudit', ({ query }) => {
    checkRange(query);
    return audit.list(query);
  });
  api.handle('verifyAudit', ({ query }) => verifier.verify({ full: query.full }));
  api.handle('exportAudit', ({ query, reply }) => {
    checkRange(query);
    const { format, ...filter } = query;
    const batches = audit.iterate(filter);
    async function* lines() {
      if (format === 'csv') yield CSV_COLUMNS.join(',') + '\n';
      for (const batch of batches) {
        yield batch.map((e) => (format === 'csv' ? csvRow(e) : JSON.stringify(e) + '\n')).join('');
      }
    }
    const ext = format === 'csv' ? 'csv' : 'jsonl';
    void reply
      .type(format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson')
      .header('content-disposition', `attachment; filename="warden-audit.${ext}"`)
      .send(Readable.from(lines()));
    return undefined;
  });
}
