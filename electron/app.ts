/**
 * createApp(config): everything stateful in Warden — the database, the services, the HTTP
 * server, timers. Both entry points (Electron's main.ts and headless.ts) start it; tests drive
 * it directly with a temp data dir, port 0, and injected clock and ids.
 */
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { ActionService } from './actions/service.js';
import { actionRoutes } from './actions/routes.js';
import { ActionRelease } from './actions/withdraw.js';
import { AgentService } from './agents/service.js';
import { agentRoutes } from './agents/routes.js';
import { AgentActivityReport } from './agents/activity.js';
import { ApprovalService } from './approvals/service.js';
import { GrantService } from './approvals/grants.js';
import { approvalRoutes } from './approvals/routes.js';
import { AuditService } from './audit/service.js';
import { auditRoutes } from './audit/routes.js';
import { AuditVerifier } from './audit/verifier.js';
import { Budgets } from './budgets/ledger.js';
import { budgetRoutes } from './budgets/routes.js';
import { MissionService } from './budgets/missions.js';
import { missionRoutes } from './budgets/mission-routes.js';
import { systemTimeZone } from './budgets/periods.js';
import { systemClock, type Clock } from './common/clock.js';
import { lockDataDir } from './common/data-dir-lock.js';
import { DB_FILE, DEFAULT_PORT, TOKEN_FILE } from './common/data-dir.js';
import { removeServerUrl, writeServerUrl } from './common/server-url-file.js';
import { secureDataDir, secureDataFiles, tightenedNotice } from './common/file-modes.js';
import { clockIds, type Ids } from './common/ids.js';
import { packageRoot, VERSION } from './common/version.js';
import { backupRoutes } from './db/backup-routes.js';
import { BackupScheduler } from './db/backups.js';
import { startCheckpointer } from './db/checkpointer.js';
import { GroupCommit } from './db/group-commit.js';
import type { Db } from './db/connection.js';
import { openDataDirDatabase } from './db/open-data-dir.js';
import { EventBus } from './events/bus.js';
import { blockSentence } from '../shared/core/gates.js';
import { gateRoutes } from './gates/routes.js';
import { GateService } from './gates/service.js';
import { eventRoutes } from './events/routes.js';
import { installMcpGateway } from './mcp/install.js';
import { installWorkflows, type Workflows } from './workflows/install.js';
import { silentNotifier, type Notifier } from './notifier.js';
import { OperatorService } from './operators/service.js';
import { operatorRoutes } from './operators/routes.js';
import { PolicyService } from './policies/service.js';
import { protectedPathsOf } from './policies/protected-paths.js';
import { policyRoutes } from './policies/routes.js';
import { ReportService } from './reports/service.js';
import { reportRoutes } from './reports/routes.js';
import { Api, presentedKey } from './server/api.js';
import { createHttpServer } from './server/http.js';
import { IdempotencyStore } from './server/idempotency.js';
import { buildOpenApi } from './server/openapi.js';
import type { Principal } from './server/principal.js';
import { rowLookups } from './server/row-owners.js';
import {
  DEFAULT_MAX_ARGS_BYTES,
  DEFAULT_RATE_LIMIT,
  installAgentRateLimit,
  maxArgsBytesFromEnv,
  rateLimitFromEnv,
  type RateLimit,
} from './server/rate-limit.js';
import { serveUi } from './server/static-ui.js';
import { installWorkflowRuns, type WorkflowRuns, type WorkflowRunsConfig } from './workflow-runs/install.js';
import { WorkflowCatalog } from './workflows/catalog.js';

export interface AppConfig {
  dataDir: string;
  /** 0 picks a free port. Default 7419. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  clock?: Clock;
  ids?: Ids;
  durability?: 'normal' | 'full';
  notifier?: Notifier;
  /** Folder of the built renderer; null serves no UI. Default: dist/renderer of this package. */
  rendererDir?: string | null;
  /** SSE heartbeat interval. Default 15 s. */
  heartbeatMs?: number;
  logger?: boolean;
  /** IANA zone for budget period boundaries. Default: the system's resolved zone. */
  timeZone?: string;
  /** A better-sqlite3 addon for this runtime's ABI (see OpenOptions.nativeBinding). */
  sqliteBinding?: string;
  /** WAL checkpoints in a worker thread (default true); false leaves them to SQLite in-line. */
  checkpointWorker?: boolean;
  /** How long an action's budget reservation is held before the reaper releases it as abandoned. Default 1 h. */
  reservationTimeoutMs?: number;
  /** Online backups into DATA_DIR/backups at start and daily (default true). */
  backups?: boolean;
  /** One-line notices about the data folder (permissions tightened, a backup that failed). Default: stderr. */
  notice?: (line: string) => void;
  /** How long an action an approval allowed may wait to be picked up before its slot is released (default 120 s). */
  pickupTimeoutMs?: number;
  /** Per-agent request rate limit; false turns it off. Default: WARDEN_RATE_LIMIT, else 5/s with bursts of 40. */
  rateLimit?: RateLimit | false;
  /** The largest `args` of an action, serialized (413 above). Default: WARDEN_MAX_ARGS_BYTES, else 64 KiB. */
  maxArgsBytes?: number;
  /** Workflow runs: the outbox mode, cli working folders, REST retry delay. */
  workflowRuns?: WorkflowRunsConfig;
}

export interface App {
  readonly config: Required<Pick<AppConfig, 'dataDir' | 'host'>>;
  readonly db: Db;
  readonly clock: Clock;
  readonly bus: EventBus;
  readonly operatorToken: string;
  readonly services: Services;
  /** Starts listening; resolves to the base URL. */
  start(): Promise<string>;
  /** Stops accepting requests, lets in-flight ones finish, stops timers, closes the database. */
  stop(): Promise<void>;
  readonly url: string;
}

export interface Services {
  audit: AuditService;
  agents: AgentService;
  operators: OperatorService;
  idempotency: IdempotencyStore;
  policies: PolicyService;
  budgets: Budgets;
  actions: ActionService;
  approvals: ApprovalService;
  grants: GrantService;
  reports: ReportService;
  missions: MissionService;
  workflowRuns: WorkflowRuns;
  workflows: Workflows;
  gates: GateService;
}

export async function createApp(config: AppConfig): Promise<App> {
  const clock = config.clock ?? systemClock;
  const ids = config.ids ?? clockIds(clock);
  const notice = config.notice ?? ((line: string) => console.error(line));
  const host = config.host ?? '127.0.0.1';
  const notifier = config.notifier ?? silentNotifier;
  // Zero or less would reap every reservation as soon as it is made: refuse at startup instead.
  if (config.reservationTimeoutMs !== undefined && !(Number.isSafeInteger(config.reservationTimeoutMs) && config.reservationTimeoutMs > 0)) {
    throw new Error(`reservationTimeoutMs: expected a positive integer number of milliseconds, got ${config.reservationTimeoutMs}`);
  }
  const tightened = secureDataDir(config.dataDir);
  if (config.pickupTimeoutMs !== undefined && !(Number.isSafeInteger(config.pickupTimeoutMs) && config.pickupTimeoutMs > 0)) {
    throw new Error(`pickupTimeoutMs: expected a positive integer number of milliseconds, got ${config.pickupTimeoutMs}`);
  }
  // Before the database: a second Warden on this folder must not start at all (see data-dir-lock).
  const releaseLock = lockDataDir(config.dataDir, { nativeBinding: config.sqliteBinding });
  // Before SQLite opens the database: its WAL and shared-memory files take the database's mode.
  tightened.push(...secureDataFiles(config.dataDir));
  const dbFile = join(config.dataDir, DB_FILE);
  let db: Db;
  try {
    // Refuses a missing, empty or damaged database in a folder that held data (see file-check).
    db = openDataDirDatabase(config.dataDir, { durability: config.durability, nativeBinding: config.sqliteBinding });
  } catch (err) {
    releaseLock();
    throw err;
  }
  const tightenedNote = tightenedNotice([...tightened, ...secureDataFiles(config.dataDir)]);
  if (tightenedNote) notice(tightenedNote);
  const checkpointer =
    config.checkpointWorker === false
      ? null
      : startCheckpointer(db, dbFile, { nativeBinding: config.sqliteBinding, onError: (err) => console.error(`warden: ${err.message}; checkpoints are back on the main thread`) });

  const bus = new EventBus(clock);
  const audit = new AuditService({ db, clock, ids });
  const agents = new AgentService({ db, audit, clock, ids });
  const operators = new OperatorService({ db, audit, clock, ids, bus });
  const idempotency = new IdempotencyStore({ db, clock });
  const policies = new PolicyService({ db, audit, clock, ids });
  const budgets = new Budgets({ db, audit, bus, clock, ids, timeZone: config.timeZone ?? systemTimeZone(), reservationTimeoutMs: config.reservationTimeoutMs });
  budgets.periods.rollDue();
  const grants = new GrantService({ db, audit, clock, ids });
  const approvals = new ApprovalService({ db, audit, clock, ids, bus, notifier, grants, policies });
  const gates = new GateService({ db, audit, clock, ids, bus, allowSelfApproval: () => policies.governanceSettings().allow_self_approval });
  // Concurrent write requests (actions, spend) share commits: see GroupCommit.
  const commits = new GroupCommit(db);
  const actions = new ActionService({
    db,
    audit,
    clock,
    ids,
    bus,
    agents,
    policies,
    budgets,
    grants,
    approvals,
    commits,
    protectedPaths: protectedPathsOf(config.dataDir),
    gates,
  });
  approvals.setSink(actions);
  const release = new ActionRelease({ db, audit, clock, bus, budgets, approvals, actions, pickupTimeoutMs: config.pickupTimeoutMs });
  const reports = new ReportService({ db, clock });
  const missions = new MissionService({ db, audit, clock, agents });
  operators.ensureOwner(join(config.dataDir, TOKEN_FILE));
  idempotency.purgeExpired();
  const verifier = new AuditVerifier(dbFile, { nativeBinding: config.sqliteBinding });
  const backups = new BackupScheduler(config.dataDir, clock, {
    nativeBinding: config.sqliteBinding,
    onError: (err) => notice(`warden: the scheduled backup failed: ${err.message}`),
  });

  const baseServices = {
    audit,
    agents,
    operators,
    idempotency,
    policies,
    budgets,
    actions,
    approvals,
    grants,
    reports,
    missions,
    gates,
  };
  const stoppers: (() => void)[] = [];

  const authenticate = (key: string): Principal | null => {
    if (key.startsWith('wk_op_')) {
      const op = operators.resolveToken(key);
      return op ? { kind: 'operator', ...op } : null;
    }
    if (key.startsWith('wk_agent_')) {
      const agent = agents.resolveKey(key);
      return agent ? { kind: 'agent', ...agent } : null;
    }
    return null;
  };

  const http = createHttpServer({ host, logger: config.logger });
  const rateLimit = config.rateLimit ?? rateLimitFromEnv() ?? DEFAULT_RATE_LIMIT;
  if (rateLimit) {
    // Before any route: the limiter hooks each route as it is added.
    await installAgentRateLimit(http, rateLimit, (request) => {
      const key = presentedKey(request);
      return key?.startsWith('wk_agent_') ? (agents.resolveKey(key)?.agentId ?? null) : null;
    });
  }
  const maxArgsBytes = config.maxArgsBytes ?? maxArgsBytesFromEnv() ?? DEFAULT_MAX_ARGS_BYTES;
  const api = new Api(http, authenticate, idempotency, rowLookups(db));
  // Built on first request: generating it from every schema costs startup time nobody waits for.
  let openapi: ReturnType<typeof buildOpenApi> | undefined;
  api.handle('health', () => ({ ok: true as const, version: VERSION }));
  api.handle('openapi', () => (openapi ??= buildOpenApi(VERSION)));
  agentRoutes(api, agents, operators, new AgentActivityReport({ db, clock, timeZone: config.timeZone ?? systemTimeZone() }), { db, clock, approvals });
  operatorRoutes(api, operators);
  auditRoutes(api, audit, verifier);
  backupRoutes(api, backups);
  eventRoutes(api, bus, config.heartbeatMs ?? 15_000);
  policyRoutes(api, policies, agents);
  budgetRoutes(api, budgets, agents, commits, { missions, actions });
  missionRoutes(api, missions);
  stoppers.push(budgets.reservations.startReaper());
  actionRoutes(api, actions, approvals, release, { maxArgsBytes, missions });
  stoppers.push(release.startReaper());
  approvalRoutes(api, { approvals, grants, agents, policies, budgets, audit, clock });
  reportRoutes(api, reports);
  gateRoutes(api, gates);
  // MCP: registrations and /mcp/NAME
  const mcp = installMcpGateway({
    api, http, db, audit, clock, agents, actions, notice,
    governors: { actions, approvals, release, missions, agents, policies, maxArgsBytes },
  });
  const workflowRuns = installWorkflowRuns({
    api, db, audit, clock, ids, bus, agents, actions, approvals, policies, definitions: new WorkflowCatalog(db), mcpPool: mcp.pool, config: config.workflowRuns,
  });
  const workflows = installWorkflows({ api, http, db, audit, clock, ids, restConnection: (name) => workflowRuns.connections.resolve(name) !== undefined });
  const services: Services = { ...baseServices, workflowRuns, workflows };
  // Review gates cite workflow-run evidence, and a governed workflow's runs start only once cleared.
  gates.useRunEvidence({ kindsOf: (runId) => workflowRuns.evidenceKinds(runId) });
  workflowRuns.governance.startCheck = (workflow) => {
    const check = gates.check('workflow', workflow);
    return { allowed: check.allowed, reason: check.blocking.map((b) => blockSentence({ type: 'workflow', label: workflow }, b)).join('; ') || 'its review gates have not passed' };
  };
  // Expires what lapsed while the app was down, arms the TTL reaper; stopping answers long-polls.
  approvals.start();
  stoppers.push(() => approvals.stop());
  // After approvals: a resumed step may open one. Executors left queued by a crash run now, once.
  workflowRuns.start();

  bus.subscribe((event) => {
    if (event.type === 'approval.resolved') notifier.approvalResolved?.(event.data.id);
    if (event.type === 'budget.paused') {
      const { scope, scope_id: scopeId, reason } = event.data;
      const scopeName = scope === 'agent' ? agents.find(scopeId)?.name : scope === 'mission' ? missions.find(scopeId)?.name : undefined;
      notifier.budgetPaused({ scope, scopeId, reason, ...(scopeName !== undefined ? { scopeName } : {}) });
    }
  });

  const rendererDir = config.rendererDir === undefined ? join(packageRoot(), 'dist', 'renderer') : config.rendererDir;
  await serveUi(http, rendererDir);

  let url = '';
  let stopped = false;
  return {
    config: { dataDir: config.dataDir, host },
    db,
    clock,
    bus,
    get operatorToken() {
      return operators.currentOwnerToken;
    },
    services,
    get url() {
      return url;
    },
    async start() {
      await http.listen({ port: config.port ?? DEFAULT_PORT, host });
      const { port } = http.server.address() as AddressInfo;
      url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
      writeServerUrl(config.dataDir, url);
      // After listening: the ready line never waits for a copy of a big database.
      if (config.backups !== false) backups.start();
      return url;
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      // Timers first (reapers), then the server lets in-flight requests finish, then the database.
      for (const stop of stoppers) stop();
      await services.workflowRuns.stop();
      if (url) removeServerUrl(config.dataDir);
      await http.close();
      agents.contact.flush();
      await backups.stop();
      await checkpointer?.stop();
      db.close();
      releaseLock();
    },
  };
}
