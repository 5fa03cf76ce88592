/**
 * `npm run dist` cannot run here (it downloads Electron), so the packaging config is checked
 * against electron-builder's own schema and for the things Warden cannot run without.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../../../electron/common/version.js';

const root = packageRoot();
const require = createRequire(import.meta.url);
const config = parse(readFileSync(join(root, 'build', 'electron-builder.yml'), 'utf8')) as Record<string, any>;

describe('electron-builder config', () => {
  it('passes electron-builder’s schema', async () => {
    const { validateConfiguration } = require('app-builder-lib/out/util/config/config.js') as { validateConfiguration(c: unknown, log: unknown): Promise<void> };
    const { DebugLogger } = require('builder-util') as { DebugLogger: new (enabled: boolean) => unknown };
    await expect(validateConfiguration(config, new DebugLogger(false))).resolves.toBeUndefined();
  });

  it('names the app, targets every OS, and signs macOS with the hardened runtime and network entitlements', () => {
    expect(config).toMatchObject({ appId: 'dev.warden.app', productName: 'Warden' });
    expect(config.linux).toMatchObject({ target: ['AppImage', 'deb'], category: 'Development' });
    expect(config.mac).toMatchObject({ target: ['dmg'], hardenedRuntime: true, entitlements: 'build/entitlements.mac.plist' });
    expect(config.win).toMatchObject({ target: ['nsis'] });
    const plist = readFileSync(join(root, config.mac.entitlements), 'utf8');
    expect(plist).toContain('<key>com.apple.security.network.server</key>');
    expect(plist).toContain('<key>com.apple.security.network.client</key>');
    expect(plist).not.toContain('allow-jit');
  });

  it('packs the compiled main process, the renderer and runtime modules, and unpacks better-sqlite3’s addon', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { main: string };
    const files = config.files as string[];
    expect(files).toEqual(expect.arrayContaining(['package.json', 'bin/**', 'dist/renderer/**', 'node_modules/**']));
    expect(files.some((f) => pkg.main.startsWith(f.replace(/\*\*$/, '')))).toBe(true);
    expect(config.asarUnpack).toContain('**/node_modules/better-sqlite3/**/*.node');
    // Native modules are rebuilt for Electron's ABI on the packaging machine (the default, kept).
    expect(config.npmRebuild).not.toBe(false);
  });

  it('the icon is a 512×512 PNG', () => {
    const png = readFileSync(join(root, config.icon));
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([512, 512]);
    expect(existsSync(join(root, 'build', 'icon.png'))).toBe(true);
  });
});
