import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';

// `npx vite --config renderer/vite.config.ts` serves the UI with hot reload and forwards /v1 to a
// running `warden serve` (WARDEN_API, default http://127.0.0.1:7419). The proxy presents itself
// as that server (Host, no Origin) so the API's DNS-rebinding and origin guards accept it; open
// http://localhost:5173/#token=… with the token the server printed.
const apiTarget = process.env.WARDEN_API ?? 'http://127.0.0.1:7419';

/**
 * The renderer never validates with the shared zod schemas (the server does, at the boundary): it
 * imports the plain route table (`shared/api/route-table.ts`) and lists (`shared/api/lists.ts`).
 * A runtime import that reaches zod fails the build, naming the importer, instead of silently
 * shipping the library. `import type` is erased before this runs.
 */
function noZod(): Plugin {
  return {
    name: 'warden-no-zod',
    enforce: 'pre',
    resolveId(source, importer) {
      if (source === 'zod' || source.startsWith('zod/')) {
        this.error(`the renderer must not load zod at run time (imported by ${importer ?? 'an entry'}); import a plain list or use "import type"`);
      }
      return null;
    },
  };
}

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  plugins: [react(), noZod()],
  server: {
    proxy: {
      '/v1': {
        target: apiTarget,
        changeOrigin: true,
        configure: (proxy) => proxy.on('proxyReq', (req) => req.removeHeader('origin')),
      },
    },
  },
  build: {
    outDir: fileURLToPath(new URL('../dist/renderer', import.meta.url)),
    emptyOutDir: true,
    sourcemap: true,
  },
});
