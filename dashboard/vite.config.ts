import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

/** Where `npm run dev -w dashboard` sends API calls: a running `npm start`. */
const gateway = process.env.DASHBOARD_GATEWAY_URL ?? 'http://127.0.0.1:4000';

/**
 * Two pages in one build: the dashboard at `/` and the GraphiQL playground at `/playground/`.
 * Both are served by the gateway from `dist/` (see `src/serve.ts`), so nothing is fetched from
 * a CDN at run time and the playground works offline.
 */
export default defineConfig({
  root: import.meta.dirname,
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // The playground bundles Monaco (several MB); it loads only on /playground, never on the dashboard.
    chunkSizeWarningLimit: 4096,
    rolldownOptions: {
      input: { dashboard: 'index.html', playground: 'playground/index.html' },
      // GraphiQL's modules start with React Compiler directives ("use no memo") that mean nothing in a bundle.
      onwarn(warning, warn) {
        if (warning.code !== 'MODULE_LEVEL_DIRECTIVE') warn(warning);
      },
    },
  },
  server: {
    // The gateway only accepts sockets from its own origin; the dev proxy presents the gateway's.
    proxy: { '/graphql': { target: gateway, ws: true, changeOrigin: true, rewriteWsOrigin: true } },
  },
});
