/** Policies: guardrails (rules, versions, diffs), tool access, governance settings, quotas, and a live dry run. */
import { useState } from 'react';
import { GuardrailsTab } from './policies/Guardrails';
import { ToolAccessTab } from './policies/ToolAccess';
import { SettingsTab } from './policies/Settings';
import { QuotasTab } from './policies/Quotas';
import { DryRunBox } from './policies/DryRun';

const TABS = [
  { id: 'guardrails', label: 'Guardrails' },
  { id: 'tools', label: 'Tool access' },
  { id: 'settings', label: 'Settings' },
  { id: 'quotas', label: 'Quotas' },
] as const;
type Tab = (typeof TABS)[number]['id'];

export function PoliciesPage() {
  const [tab, setTab] = useState<Tab>('guardrails');
  return (
    <div className="page">
      <header className="page-header">
        <h2>Policies</h2>
        <div role="tablist" aria-label="Policy sections" className="tabs">
          {TABS.map((t) => (
            <button key={t.id} type="button" role="tab" id={`ptab-${t.id}`} aria-selected={tab === t.id} aria-controls={`ppanel-${t.id}`} onClick={() => setTab(t.id)}>
              {t.label}
            </button>
          ))}
        </div>
      </header>
      <div className="policies-layout">
        <div role="tabpanel" id={`ppanel-${tab}`} aria-labelledby={`ptab-${tab}`} className="policies-main">
          {tab === 'guardrails' ? <GuardrailsTab /> : tab === 'tools' ? <ToolAccessTab /> : tab === 'settings' ? <SettingsTab /> : <QuotasTab />}
        </div>
        <DryRunBox />
      </div>
    </div>
  );
}
