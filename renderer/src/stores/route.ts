/**
 * Hash routes (`#/inbox`, `#/audit`): they work the same when the UI is served over HTTP
 * (headless) and when Electron loads it, and they never reach the server.
 */
import { create } from 'zustand';

export const PAGES = ['inbox', 'budgets', 'policies', 'agents', 'audit', 'reports'] as const;
export type Page = (typeof PAGES)[number];

export const PAGE_TITLES: Record<Page, string> = {
  inbox: 'Inbox',
  budgets: 'Budgets',
  policies: 'Policies',
  agents: 'Agents',
  audit: 'Audit',
  reports: 'Reports',
};

function parse(hash: string): Page {
  const name = hash.replace(/^#\/?/, '').split(/[/?]/)[0] ?? '';
  return (PAGES as readonly string[]).includes(name) ? (name as Page) : 'inbox';
}

interface RouteState {
  page: Page;
  go(page: Page): void;
}

export const useRoute = create<RouteState>((set) => ({
  page: parse(window.location.hash),
  go(page) {
    if (window.location.hash !== `#/${page}`) window.location.hash = `#/${page}`;
    set({ page });
  },
}));

window.addEventListener('hashchange', () => useRoute.setState({ page: parse(window.location.hash) }));
