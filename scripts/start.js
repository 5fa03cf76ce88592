#!/usr/bin/env node
// `npm start`: launch the desktop app with Electron; where the Electron binary cannot be had
// (no display, or its download is blocked), say so in one line and run headless instead.
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

function electronBinary() {
  let pkgDir;
  try {
    pkgDir = dirname(require.resolve('electron/package.json'));
  } catch {
    return { reason: 'the electron package is not installed' };
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

const found = electronBinary();
const args = process.argv.slice(2);
const child = found.binary
  ? spawn(found.binary, [root, ...args], { stdio: 'inherit' })
  : (console.log(`warden: Electron is unavailable (${found.reason}); running headless — open the URL below in a browser.`),
    spawn(process.execPath, [join(root, 'bin', 'warden.js'), 'serve', ...args], { stdio: 'inherit' }));
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
