/**
 * Reviews: sign-off before something is used at all. Solutions (the agents, MCP servers and
 * workflows under review) with each policy's stage pipeline, and the gate policies that say which
 * resource types need which staged reviews. `#/reviews/sol_…` opens a solution,
 * `#/reviews/policies` the policies, `#/reviews/gpol_…` one policy in the editor.
 */
import { useRoute } from '../stores/route';
import { GateMetrics } from './reviews/GateMetrics';
import { PoliciesTab } from './reviews/PoliciesTab';
import { SolutionDetail } from './reviews/SolutionDetail';
import { SolutionsTab } from './reviews/SolutionsTab';
import './reviews/reviews.css';

export function ReviewsPage() {
  const param = useRoute((s) => s.param);
  const go = useRoute((s) => s.go);
  const tab = param === 'policies' || param?.startsWith('gpol_') ? 'policies' : 'solutions';
  const TABS = [
    { id: 'solutions', label: 'Solutions', to: undefined },
    { id: 'policies', label: 'Gate policies', to: 'policies' },
  ] as const;
  return (
    <div className="page">
      <header className="page-header">
        <h2>Reviews</h2>
        <div role="tablist" aria-label="Review sections" className="tabs">
          {TABS.map((t) => (
            <button key={t.id} type="button" role="tab" id={`rtab-${t.id}`} aria-selected={tab === t.id} aria-controls={`rpanel-${t.id}`} onClick={() => go('reviews', t.to)}>
              {t.label}
            </button>
          ))}
        </div>
        <p className="muted small hint">Pending reviews are answered in the Inbox (Reviews tab).</p>
      </header>
      <div role="tabpanel" id={`rpanel-${tab}`} aria-labelledby={`rtab-${tab}`} className="stack">
        {tab === 'policies' ? <PoliciesTab openId={param?.startsWith('gpol_') ? param : null} /> : param?.startsWith('sol_') ? (
          <SolutionDetail id={param} />
        ) : (
          <>
            <GateMetrics />
            <SolutionsTab />
          </>
        )}
      </div>
    </div>
  );
}
