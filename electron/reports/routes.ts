import type { Api } from '../server/api.js';
import type { ReportService } from './service.js';

export function reportRoutes(api: Api, reports: ReportService): void {
  api.handle('governanceReport', ({ query }) => reports.governance(query.period));
  api.handle('approvalsReport', ({ query }) => reports.approvals(query.period));
}
