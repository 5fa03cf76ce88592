import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';

// `npx vite --config renderer/vite.config.ts` serves the UI with hot reload and forwards /v1 to a
// running `warden serve` (WARDEN_API, default http://127.0.0.1:7419). The proxy presents itself
// as that server (Host, no Origin) so the API's DNS-rebinding and origin guards accept it; open
// http://localhost:5173/#token=… with the token the server printed.
const apiTarget = process.env.WARDEN_API ?? 'http://127.0.0.1:7419';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  plugins: [react()],
  resolve: {
    // The renderer never validates with the shared zod schemas (the server does); see zod-stub.ts.
    alias: { zod: fileURLToPath(new URL('./zod-stub.ts', import.meta.url)) },
  },
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
