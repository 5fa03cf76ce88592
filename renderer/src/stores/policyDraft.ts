/** The guardrail being edited, shared with the dry-run box so it previews unsaved rules. */
import { create } from 'zustand';
import type { GuardrailRuleInput } from '../../../shared/api/policies.js';

export interface PolicyDraft {
  policyId: string | null;
  name: string;
  rules: GuardrailRuleInput[];
  /** The draft has a field that does not parse (the dry run then uses the saved rules). */
  invalid: boolean;
}

export const usePolicyDraft = create<{ draft: PolicyDraft | null; setDraft(d: PolicyDraft | null): void; version: number; bump(): void }>((set, get) => ({
  draft: null,
  version: 0,
  setDraft: (draft) => set({ draft }),
  /** Saved policies changed: dry runs recompute. */
  bump: () => set({ version: get().version + 1 }),
}));
