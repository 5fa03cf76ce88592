#!/usr/bin/env node
// The `warden` command. The TypeScript sources are compiled to dist/ by `npm run build`.
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const entry = fileURLToPath(new URL('../dist/node/electron/cli/main.js', import.meta.url));
if (!existsSync(entry)) {
  console.error('warden: not built yet; run `npm run build` in the warden folder first');
  process.exit(1);
}
const { main } = await import(pathToFileURL(entry).href);
await main(process.argv.slice(2));
