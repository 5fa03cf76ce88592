/**
 * Hash routes (`#/inbox`, `#/audit`, `#/receipt/act_…`): they work the same when the UI is served
 * over HTTP (headless) and when Electron loads it, and they never reach the server.
 */
import { create } from 'zustand';

/** The pages in the navigation. */
export const PAGES = ['inbox', 'budgets', 'policies', 'reviews', 'agents', 'workflows', 'audit', 'reports'] as const;
/** Pages reached from a link only (a receipt belongs to an action). */
const DETAIL_PAGES = ['receipt', 'workflow', 'workflow-run'] as const;
export type Page = (typeof PAGES)[number] | (typeof DETAIL_PAGES)[number];

export const PAGE_TITLES: Record<Page, string> = {
  inbox: 'Inbox',
  budgets: 'Budgets',
  policies: 'Policies',
  reviews: 'Reviews',
  agents: 'Agents',
  audit: 'Audit',
  reports: 'Reports',
  receipt: 'Receipt',
  workflows: 'Workflows',
  workflow: 'Workflow',
  'workflow-run': 'Workflow run',
};

const ALL: readonly string[] = [...PAGES, ...DETAIL_PAGES];

export function parseRoute(hash: string): { page: Page; param: string | null } {
  const [name = '', param] = hash.replace(/^#\/?/, '').split(/[?]/)[0]!.split('/');
  if (!ALL.includes(name)) return { page: 'inbox', param: null };
  const page = name as Page;
  if ((page === 'receipt' || page === 'workflow' || page === 'workflow-run') && !param) return { page: page === 'receipt' ? 'inbox' : 'workflows', param: null };
  return { page, param: param ? decodeURIComponent(param) : null };
}

/** The link to a solution under review (`#/reviews/sol_…`). */
export function solutionHref(solutionId: string): string {
  return `#/reviews/${encodeURIComponent(solutionId)}`;
}

/** The link to an action's receipt page. */
export function receiptHref(actionId: string): string {
  return `#/receipt/${encodeURIComponent(actionId)}`;
}

interface RouteState {
  page: Page;
  /** The id a detail page shows (`#/receipt/ID`). */
  param: string | null;
  go(page: Page, param?: string): void;
}

export const useRoute = create<RouteState>((set) => ({
  ...parseRoute(window.location.hash),
  go(page, param) {
    const hash = param ? `#/${page}/${encodeURIComponent(param)}` : `#/${page}`;
    if (window.location.hash !== hash) window.location.hash = hash;
    set({ page, param: param ?? null });
  },
}));

window.addEventListener('hashchange', () => useRoute.setState(parseRoute(window.location.hash)));
