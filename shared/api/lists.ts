/**
 * Plain lists and units of the contract that code outside the server reads at run time. They
 * live apart from the schemas (which derive from them) so the renderer can import them without
 * loading zod.
 */
export const BUDGET_SCOPES = ['agent', 'team', 'mission', 'global'] as const;

/** Micro-USD per cent. */
export const MICRO_PER_CENT = 10_000;

export const QUOTA_KEYS = ['runs_per_hour', 'concurrent_executions', 'memory_mb'] as const;
export type QuotaKey = (typeof QUOTA_KEYS)[number];
