/**
 * The kill-switch panel: every budget's spend against its cap (marks at 80% and 100%), pause and
 * resume with grace (warning first when the budget would pause again at once), create and edit.
 */
import { useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import type { Budget } from '../../../shared/api/budgets.js';
import type { Agent } from '../../../shared/api/agents.js';
import { BUDGET_SCOPES } from '../../../shared/vocabulary.js';
import { api, errorMessage, idemKey } from '../lib/api';
import { useAgentList } from '../stores/agents';
import { burnRate, teamLookup } from '../lib/burn';
import { SpendBar, useRecentSpend } from './budgets/SpendBar';
import { BulkResumeBar } from './budgets/BulkResume';
import { ResumeDialog } from './budgets/ResumeDialog';
import { cents, dateTime } from '../lib/format';
import { useLiveEvents } from '../lib/hub';
import { centsToDollarInput, parseDollarsToCents } from '../lib/money';
import { useResource } from '../lib/useResource';
import { useBudgets } from '../stores/budgets';
import { toast } from '../stores/toasts';
import { Dialog } from '../components/Dialog';
import { DialogFooter } from '../components/DialogFooter';
import { useAttempt } from '../lib/useAttempt';
import { Empty, ErrorState, Loading } from '../components/states';
import { Gate } from '../lib/can';

type Scope = (typeof BUDGET_SCOPES)[number];

/** "in 11 h", "in 3 d": how far off a reset is. */
function until(iso: string): string {
  const s = Math.max(0, (Date.parse(iso) - Date.now()) / 1000);
  if (s < 3600) return `in ${Math.ceil(s / 60)} min`;
  if (s < 86_400) return `in ${Math.round(s / 3600)} h`;
  return `in ${Math.round(s / 86_400)} d`;
}

export function scopeLabel(b: Pick<Budget, 'scope' | 'scope_id'>, agents: Agent[]): string {
  if (b.scope === 'global') return 'Global';
  if (b.scope === 'agent') return `Agent ${agents.find((a) => a.id === b.scope_id)?.name ?? b.scope_id}`;
  return `${b.scope === 'team' ? 'Team' : 'Mission'} ${b.scope_id}`;
}

export function BudgetsPage() {
  const { budgets, loading, loaded, error, killSwitch } = useBudgets();
  const load = useBudgets((s) => s.load);
  const { agents: agentList } = useAgentList();
  const operators = useResource(async () => (await api().call('listOperators', { query: { limit: 500 } })).data, []);
  /** `operator:opr_…` → the operator's name; anything else as it is. */
  const byWhom = (actor: string) => {
    const [kind, id] = actor.split(':');
    return (kind === 'operator' && operators.data?.find((o) => o.id === id)?.name) || actor;
  };
  const [editing, setEditing] = useState<Budget | 'new' | null>(null);
  const [resuming, setResuming] = useState<Budget | null>(null);

  useEffect(() => {
    void load();
    // Spend moves bars without an event of its own; refresh quietly while the page is open.
    const t = setInterval(() => {
      if (document.visibilityState === 'visible') void load();
    }, 5_000);
    return () => clearInterval(t);
  }, [load]);
  const spends = useRecentSpend(budgets);
  const teamOf = useMemo(() => teamLookup(agentList), [agentList]);
  // Busy agents evaluate many actions a second: refetch at most once a second for them.
  const pendingRefresh = useRef<ReturnType<typeof setTimeout> | null>(null);
  useEffect(() => () => clearTimeout(pendingRefresh.current ?? undefined), []);
  useLiveEvents((e) => {
    if (e.type !== 'action.evaluated' && e.type !== 'action.released' && !e.type.startsWith('budget.')) return;
    if (pendingRefresh.current) return;
    pendingRefresh.current = setTimeout(() => {
      pendingRefresh.current = null;
      void load();
    }, 1000);
  });

  // Paused first, then by scope and name: a stable order, so rows never move under the cursor as spend arrives.
  const sorted = useMemo(
    () => [...budgets].sort((a, b) => Number(b.status === 'paused') - Number(a.status === 'paused') || a.scope.localeCompare(b.scope) || scopeLabel(a, agentList).localeCompare(scopeLabel(b, agentList)) || a.id.localeCompare(b.id)),
    [budgets, agentList],
  );

  const [filter, setFilter] = useState('');
  const [scopeFilter, setScopeFilter] = useState('');
  const shown = useMemo(() => {
    const words = filter.toLowerCase().split(/\s+/).filter(Boolean);
    return sorted.filter((b) => {
      if (scopeFilter === 'paused' ? b.status !== 'paused' : scopeFilter && b.scope !== scopeFilter) return false;
      const text = `${scopeLabel(b, agentList)} ${b.scope_id}`.toLowerCase();
      return words.every((w) => text.includes(w));
    });
  }, [sorted, filter, scopeFilter, agentList]);

  // Paused budgets ticked for bulk resume (checkbox or `x` on the row); ids of budgets no longer paused drop out.
  const [picked, setPicked] = useState<Set<string>>(new Set());
  const selected = useMemo(() => budgets.filter((b) => b.status === 'paused' && picked.has(b.id)), [budgets, picked]);
  const shownPaused = shown.filter((b) => b.status === 'paused');
  const togglePick = (id: string) =>
    setPicked((cur) => {
      const next = new Set(cur);
      if (!next.delete(id)) next.add(id);
      return next;
    });
  const allShownPicked = shownPaused.length > 0 && shownPaused.every((b) => picked.has(b.id));
  const pickAllShown = () => setPicked(allShownPicked ? new Set() : new Set(shownPaused.map((b) => b.id)));

  async function pause(b: Budget) {
    try {
      const updated = await api().call('pauseBudget', { params: { scope: b.scope, scope_id: b.scope_id }, body: { reason: 'paused from the operator UI' } }, { idempotencyKey: idemKey() });
      useBudgets.getState().upsert(updated);
      toast.warning(`${scopeLabel(b, agentList)} paused`, 'Every action in this scope is blocked until you resume it.');
    } catch (err) {
      toast.error('Could not pause', errorMessage(err));
    }
  }

  async function remove(b: Budget) {
    if (!window.confirm(`Remove the cap of ${scopeLabel(b, agentList)}? The scope becomes uncapped.`)) return;
    try {
      await api().call('deleteBudget', { params: { scope: b.scope, scope_id: b.scope_id } });
      useBudgets.getState().remove(b.id);
      toast.success('Budget removed', `${scopeLabel(b, agentList)} is uncapped.`);
    } catch (err) {
      toast.error('Could not remove the budget', errorMessage(err));
    }
  }

  return (
    <div className="page">
      <header className="page-header">
        <h2>Budgets</h2>
        <div className="page-actions">
          <Gate route="setBudget">
            <button type="button" className="primary" onClick={() => setEditing('new')}>
              New budget
            </button>
          </Gate>
        </div>
      </header>

      <section className={`card killswitch-card${killSwitch?.engaged ? ' engaged' : ''}`} aria-label="Global kill-switch">
        <div>
          <h3 className="card-title">Global kill-switch</h3>
          {killSwitch?.engaged ? (
            <p>
              <strong>Engaged — every action of every agent is blocked.</strong> {killSwitch.reason ? `Reason: ${killSwitch.reason}.` : ''} Since {dateTime(killSwitch.changed_at)}
              {killSwitch.changed_by ? ` by ${byWhom(killSwitch.changed_by)}` : ''}.
            </p>
          ) : (
            <p className="muted">Released — agents run under their policies and budgets. Stop all agents at once with the switch in the header, on every page.</p>
          )}
        </div>
      </section>

      <section className="card" aria-labelledby="budgets-title">
        <div className="card-head">
          <h3 id="budgets-title" className="card-title">
            Spend caps
          </h3>
          {budgets.length > 5 ? (
            <div className="filters compact" role="search" aria-label="Budget filters">
              <input type="search" aria-label="Filter budgets" placeholder="Filter by name or id" value={filter} onChange={(e) => setFilter(e.target.value)} />
              <select aria-label="Scope" value={scopeFilter} onChange={(e) => setScopeFilter(e.target.value)}>
                <option value="">All scopes</option>
                {BUDGET_SCOPES.map((sc) => (
                  <option key={sc} value={sc}>
                    {sc}
                  </option>
                ))}
                <option value="paused">Paused only</option>
              </select>
              <span className="muted small no-wrap">
                {shown.length} of {budgets.length}
              </span>
            </div>
          ) : null}
        </div>
        {!loaded && loading ? (
          <Loading label="Loading budgets…" />
        ) : error && !budgets.length ? (
          <ErrorState title="Could not load budgets" message={error} onRetry={() => void load()} />
        ) : !budgets.length ? (
          <Empty title="No budgets">
            Without a budget a scope is uncapped. Add one per agent, team, mission or globally; in <strong>cap</strong> mode it pauses at 100%.
          </Empty>
        ) : (
          <>
          <BulkResumeBar selected={selected} labelOf={(b) => scopeLabel(b, agentList)} onDone={setPicked} />
          <div className="table-scroll">
          <table className="table budgets" aria-label="Budgets">
            <thead>
              <tr>
                <th scope="col" className="w-check">
                  {shownPaused.length ? (
                    <input type="checkbox" aria-label="Select all paused budgets" checked={allShownPicked} onChange={pickAllShown} />
                  ) : null}
                </th>
                <th scope="col">Scope</th>
                <th scope="col" className="w-bar">
                  Spend
                </th>
                <th scope="col">Period</th>
                <th scope="col">Status</th>
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {shown.map((b) => (
                <tr
                  key={b.id}
                  className={b.status === 'paused' ? 'row-paused' : undefined}
                  onKeyDown={(e) => {
                    // `x` anywhere in a paused row (but not while typing) ticks it for bulk resume.
                    const typing = e.target instanceof HTMLInputElement ? e.target.type !== 'checkbox' : e.target instanceof HTMLSelectElement || e.target instanceof HTMLTextAreaElement;
                    if (e.key !== 'x' || typing || b.status !== 'paused' || e.ctrlKey || e.metaKey || e.altKey) return;
                    e.preventDefault();
                    togglePick(b.id);
                  }}
                >
                  <td>
                    {b.status === 'paused' ? (
                      <input type="checkbox" aria-label={`Select ${scopeLabel(b, agentList)}`} checked={picked.has(b.id)} onChange={() => togglePick(b.id)} />
                    ) : null}
                  </td>
                  <th scope="row">
                    {scopeLabel(b, agentList)}
                    <div className="muted small mono truncate" title={b.scope_id}>
                      {b.scope === 'global' ? '' : b.scope_id}
                    </div>
                    <span className={`pill ${b.mode === 'cap' ? 'pill-warn' : 'pill-muted'}`} title={b.mode === 'cap' ? 'pauses at 100%' : 'warns only'}>
                      {b.mode}
                    </span>
                  </th>
                  <td>
                    <SpendBar budget={b} label={scopeLabel(b, agentList)} rate={spends ? burnRate(b, spends, teamOf, Date.now()) : undefined} />
                  </td>
                  <td className="no-wrap">
                    {b.period === 'none' ? 'all time' : b.period}
                    {b.period_ends_at ? (
                      <div className="muted small" title={`resets ${dateTime(b.period_ends_at)}`}>
                        resets {until(b.period_ends_at)}
                      </div>
                    ) : null}
                  </td>
                  <td>
                    <span className={`pill ${b.status === 'paused' ? 'pill-bad' : 'pill-ok'}`}>{b.status}</span>
                    {b.paused_reason ? <div className="muted small">{b.paused_reason === 'cap_hit' ? 'cap hit' : 'manual'}</div> : null}
                  </td>
                  <td className="row-actions">
                    {b.status === 'paused' ? (
                      <Gate route="resumeBudget">
                        <button type="button" className="primary" onClick={() => setResuming(b)}>
                          Resume
                        </button>
                      </Gate>
                    ) : (
                      <Gate route="pauseBudget">
                        <button type="button" onClick={() => void pause(b)}>
                          Pause
                        </button>
                      </Gate>
                    )}
                    <Gate route="setBudget">
                      <button type="button" onClick={() => setEditing(b)}>
                        Edit
                      </button>
                    </Gate>
                    <Gate route="deleteBudget">
                      <button type="button" className="link danger" onClick={() => void remove(b)}>
                        Remove
                      </button>
                    </Gate>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          </div>
          </>
        )}
      </section>

      {editing ? <BudgetDialog budget={editing === 'new' ? null : editing} agents={agentList} onClose={() => setEditing(null)} /> : null}
      {resuming ? <ResumeDialog budget={resuming} label={scopeLabel(resuming, agentList)} onClose={() => setResuming(null)} /> : null}
    </div>
  );
}

function BudgetDialog({ budget, agents, onClose }: { budget: Budget | null; agents: Agent[]; onClose(): void }) {
  const [scope, setScope] = useState<Scope>(budget?.scope ?? 'agent');
  const [scopeId, setScopeId] = useState(budget?.scope_id ?? '');
  // Team and mission budgets are chosen from the teams and missions that exist.
  const teams = useMemo(() => [...new Set(agents.map((a) => a.team_id).filter((t): t is string => Boolean(t)))].sort(), [agents]);
  const missions = useResource(async () => (await api().call('listMissions', { query: { limit: 500 } })).data.map((m) => m.id), []);
  const known = (sc: string, id: string): boolean | null => (sc === 'team' ? teams.includes(id) : sc === 'mission' ? (missions.data ? missions.data.includes(id) : null) : null);
  const [limit, setLimit] = useState(budget ? centsToDollarInput(budget.limit_usd_cents) : '');
  const [mode, setMode] = useState<'warn' | 'cap'>(budget?.mode ?? 'warn');
  const [period, setPeriod] = useState<Budget['period']>(budget?.period ?? 'none');
  const { busy, error, setError, attempt } = useAttempt();
  const limitCents = parseDollarsToCents(limit);

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (!limitCents) {
      setError('Enter a positive cap in dollars, e.g. 25 or 2.50.');
      return;
    }
    await attempt(async () => {
      const saved = await api().call(
        'setBudget',
        { body: { scope, ...(scope === 'global' ? {} : { scope_id: scopeId.trim() }), limit_usd_cents: limitCents, mode, period } },
        { idempotencyKey: idemKey() },
      );
      useBudgets.getState().upsert(saved);
      toast.success(budget ? 'Budget updated' : 'Budget created', `${scopeLabel(saved, agents)}: ${cents(saved.limit_usd_cents)} (${saved.mode})`);
      onClose();
    });
  }

  return (
    <Dialog title={budget ? 'Edit budget' : 'New budget'} open onClose={onClose}>
      <form className="form" onSubmit={(e) => void submit(e)}>
        <label>
          Scope
          <select value={scope} disabled={budget !== null} onChange={(e) => setScope(e.target.value as Scope)}>
            {BUDGET_SCOPES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        {scope === 'global' ? null : scope === 'agent' ? (
          <label>
            Agent
            <select value={scopeId} disabled={budget !== null} onChange={(e) => setScopeId(e.target.value)} required>
              <option value="">Choose an agent…</option>
              {agents.map((a) => (
                <option key={a.id} value={a.id}>
                  {a.name}
                </option>
              ))}
            </select>
          </label>
        ) : (
          <label>
            {scope === 'team' ? 'Team id' : 'Mission id'}
            <input value={scopeId} disabled={budget !== null} onChange={(e) => setScopeId(e.target.value)} required list="budget-scope-ids" />
            <datalist id="budget-scope-ids">
              {(scope === 'team' ? teams : (missions.data ?? [])).map((id) => (
                <option key={id} value={id} />
              ))}
            </datalist>
            {scopeId.trim() && known(scope, scopeId.trim()) === false ? (
              <span className="warn small" role="note">
                No {scope} “{scopeId.trim()}” exists yet{scope === 'team' ? ' (no agent has this team)' : ''}; the budget applies only once one does.
              </span>
            ) : null}
          </label>
        )}
        <label>
          Cap (USD)
          <input inputMode="decimal" value={limit} onChange={(e) => setLimit(e.target.value)} placeholder="25.00" required />
        </label>
        <fieldset className="radios">
          <legend>Mode</legend>
          <label className="check">
            <input type="radio" name="mode" checked={mode === 'cap'} onChange={() => setMode('cap')} /> cap — pause at 100%
          </label>
          <label className="check">
            <input type="radio" name="mode" checked={mode === 'warn'} onChange={() => setMode('warn')} /> warn — notify only, never pause
          </label>
        </fieldset>
        <label>
          Period
          <select value={period} onChange={(e) => setPeriod(e.target.value as Budget['period'])}>
            <option value="none">None (all time)</option>
            <option value="day">Day</option>
            <option value="week">Week</option>
            <option value="month">Month</option>
          </select>
        </label>
        <DialogFooter error={error} busy={busy} onCancel={onClose} submit="Save budget" busyLabel="Saving…" disabled={scope !== 'global' && !scopeId.trim()} />
      </form>
    </Dialog>
  );
}
