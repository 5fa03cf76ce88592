/**
 * The preload as Electron runs it: compiled to CommonJS, evaluated with only `require('electron')`
 * available (a sandboxed preload can require nothing else), exposing exactly the DesktopBridge.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { DESKTOP_CHANNELS, type DesktopBridge } from '../../../shared/desktop-bridge.js';
import { packageRoot } from '../../../electron/common/version.js';
import { Emitter } from './fake-electron.js';

const root = packageRoot();

function loadPreload(config: unknown) {
  const source = readFileSync(join(root, 'electron', 'preload.cts'), 'utf8');
  const { outputText } = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 } });
  const exposed: Record<string, unknown> = {};
  const renderer = Object.assign(new Emitter(), {
    syncCalls: [] as string[],
    sent: [] as unknown[][],
    sendSync(channel: string) {
      renderer.syncCalls.push(channel);
      return config;
    },
    send(channel: string, ...args: unknown[]) {
      renderer.sent.push([channel, ...args]);
    },
    removeListener(channel: string, fn: (...args: unknown[]) => unknown) {
      renderer.listeners.set(channel, (renderer.listeners.get(channel) ?? []).filter((l) => l !== fn));
    },
  });
  const required: string[] = [];
  const module = { exports: {} };
  runInNewContext(outputText, {
    module,
    exports: module.exports,
    process: { platform: 'darwin' },
    require: (name: string) => {
      required.push(name);
      if (name !== 'electron') throw new Error(`a sandboxed preload cannot require ${name}`);
      return {
        contextBridge: { exposeInMainWorld: (key: string, value: unknown) => (exposed[key] = value) },
        ipcRenderer: renderer,
      };
    },
  });
  return { exposed, renderer, required };
}

describe('preload', () => {
  it('exposes exactly the DesktopBridge as window.wardenDesktop, filled from the config channel', () => {
    const { exposed, renderer, required } = loadPreload({ baseUrl: 'http://127.0.0.1:7419', operatorToken: 'wk_op_x' });
    expect(required).toEqual(['electron']);
    expect(Object.keys(exposed)).toEqual(['wardenDesktop']);
    const bridge = exposed.wardenDesktop as DesktopBridge;
    const keys: (keyof DesktopBridge)[] = ['baseUrl', 'onFocusApproval', 'operatorToken', 'platform', 'setPendingCount'];
    expect(Object.keys(bridge).sort()).toEqual(keys);
    expect(bridge.baseUrl).toBe('http://127.0.0.1:7419');
    expect(bridge.operatorToken).toBe('wk_op_x');
    expect(bridge.platform).toBe('darwin');
    expect(renderer.syncCalls).toEqual([DESKTOP_CHANNELS.config]);
  });

  it('uses the channels of DESKTOP_CHANNELS and passes only well-formed values', () => {
    const { exposed, renderer } = loadPreload({ baseUrl: 'http://127.0.0.1:1', operatorToken: 'wk_op_y' });
    const bridge = exposed.wardenDesktop as DesktopBridge;
    bridge.setPendingCount(4);
    bridge.setPendingCount(-1);
    bridge.setPendingCount(1.5);
    expect(renderer.sent).toEqual([[DESKTOP_CHANNELS.setPendingCount, 4]]);

    const seen: string[] = [];
    const off = bridge.onFocusApproval((id) => seen.push(id));
    renderer.emit(DESKTOP_CHANNELS.focusApproval, {}, 'apr_1');
    renderer.emit(DESKTOP_CHANNELS.focusApproval, {}, { not: 'an id' });
    off();
    renderer.emit(DESKTOP_CHANNELS.focusApproval, {}, 'apr_2');
    expect(seen).toEqual(['apr_1']);
    expect(renderer.count(DESKTOP_CHANNELS.focusApproval)).toBe(0);
  });

  it('a page the main process refuses gets an empty token, not a crash', () => {
    const bridge = loadPreload(null).exposed.wardenDesktop as DesktopBridge;
    expect(bridge.operatorToken).toBe('');
    expect(bridge.baseUrl).toBe('');
  });
});

describe('build layout', () => {
  it('package.json main is the compiled main.js, and the compiled preload is CommonJS beside it', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { main: string };
    const tsconfig = JSON.parse(readFileSync(join(root, 'tsconfig.node.json'), 'utf8')) as { compilerOptions: { outDir: string; rootDir: string }; include: string[] };
    expect(tsconfig.compilerOptions.rootDir).toBe('.');
    expect(pkg.main).toBe(`${tsconfig.compilerOptions.outDir}/electron/main.js`);
    expect(tsconfig.include).toContain('electron/**/*.cts');
    // When built (npm test builds before Vitest), the files are where Electron will look.
    const main = join(root, pkg.main);
    if (existsSync(main)) {
      const preload = join(root, tsconfig.compilerOptions.outDir, 'electron', 'preload.cjs');
      expect(existsSync(preload)).toBe(true);
      expect(readFileSync(preload, 'utf8')).toMatch(/require\("electron"\)/);
      expect(readFileSync(preload, 'utf8')).not.toMatch(/^\s*import /m);
    }
  });
});
