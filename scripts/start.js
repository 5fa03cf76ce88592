#!/usr/bin/env node
// `npm start`: launch the desktop app with Electron; where the Electron binary cannot be had
// (no display, or its download is blocked), say so in one line and run headless instead.
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const semver = require('semver');

function electronBinary() {
  let pkgDir;
  try {
    pkgDir = dirname(require.resolve('electron/package.json'));
  } catch {
    return { reason: 'the electron package is not installed' };
  }
  // Electron's own tooling (its download, @electron/rebuild) states the Node it runs on: on an
  // older one, say so plainly instead of failing somewhere inside a download.
  const { version, engines } = require('electron/package.json');
  if (engines?.node && !semver.satisfies(process.versions.node, engines.node)) {
    return { reason: `Electron ${version}'s tooling needs Node ${engines.node}, and this is Node ${process.versions.node}` };
  }
  const pathFile = join(pkgDir, 'path.txt');
  if (!existsSync(pathFile)) {
    // Electron fetches its binary on first use; try once, briefly.
    const fetched = spawnSync(process.execPath, [join(pkgDir, 'install.js')], { stdio: 'ignore', timeout: 120_000 });
    if (fetched.status !== 0 || !existsSync(pathFile)) return { reason: 'the Electron binary could not be downloaded' };
  }
  const binary = join(pkgDir, 'dist', readFileSync(pathFile, 'utf8'));
  if (!existsSync(binary)) return { reason: 'the Electron binary is missing' };
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
    return { reason: 'there is no display (DISPLAY/WAYLAND_DISPLAY unset)' };
  }
  return { binary };
}

/**
 * node_modules' better-sqlite3 is built for Node (npm test, warden serve). Electron has another
 * ABI, so the desktop app loads a second build of the addon, made once per Electron version in
 * .warden-dev/ with @electron/rebuild (a prebuilt download, or a compile from source).
 * Packaged apps need none of this: electron-builder rebuilds their node_modules for Electron.
 */
async function sqliteForElectron() {
  const electronVersion = require('electron/package.json').version;
  const sqliteDir = dirname(require.resolve('better-sqlite3/package.json'));
  const buildDir = join(root, '.warden-dev', `electron-${electronVersion}-${process.platform}-${process.arch}`);
  const addon = join(buildDir, 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node');
  if (existsSync(addon)) return { addon };
  console.log(`warden: building better-sqlite3 for Electron ${electronVersion} (once)…`);
  try {
    rmSync(buildDir, { recursive: true, force: true });
    mkdirSync(join(buildDir, 'node_modules'), { recursive: true });
    cpSync(sqliteDir, join(buildDir, 'node_modules', 'better-sqlite3'), {
      recursive: true,
      filter: (src) => !src.startsWith(join(sqliteDir, 'build')),
    });
    const sqliteVersion = require('better-sqlite3/package.json').version;
    writeFileSync(join(buildDir, 'package.json'), JSON.stringify({ name: 'warden-electron-addons', private: true, dependencies: { 'better-sqlite3': sqliteVersion } }));
    const { rebuild } = await import('@electron/rebuild');
    await rebuild({ buildPath: buildDir, electronVersion, onlyModules: ['better-sqlite3'], force: true });
  } catch (err) {
    return { reason: `better-sqlite3 could not be built for Electron ${electronVersion}: ${String(err?.message ?? err).split('\n')[0]}` };
  }
  return existsSync(addon) ? { addon } : { reason: `the better-sqlite3 build for Electron ${electronVersion} produced no addon` };
}

let found = electronBinary();
let addon;
if (found.binary) {
  const sqlite = await sqliteForElectron();
  if (sqlite.addon) addon = sqlite.addon;
  else found = { reason: sqlite.reason };
}
const args = process.argv.slice(2);
const child = found.binary
  ? spawn(found.binary, [root, ...args], { stdio: 'inherit', env: { ...process.env, WARDEN_SQLITE_BINDING: addon } })
  : (console.log(`warden: Electron is unavailable (${found.reason}); running headless — open the URL below in a browser.`),
    spawn(process.execPath, [join(root, 'bin', 'warden.js'), 'serve', ...args], { stdio: 'inherit' }));
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
