import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { type Router } from 'express';

/** The Vite build of this package: `npm run build -w dashboard` (or `npm start`, which builds it when missing). */
export const DASHBOARD_DIST = fileURLToPath(new URL('../dist', import.meta.url));

export interface DashboardRouterOptions {
  /** The built dashboard; default {@link DASHBOARD_DIST}. */
  readonly distDir?: string;
}

/**
 * Serves the built dashboard at `/` (any other page path answers with `index.html`, so deep links
 * such as `/customers/abc` work) and the GraphiQL playground at `/playground`. Mount it after
 * `/graphql` and the health routes: it answers every remaining GET that accepts HTML. Hashed
 * assets are cached for a year; the HTML pages never, so a new build is picked up on reload.
 */
export function dashboardRouter({ distDir = DASHBOARD_DIST }: DashboardRouterOptions = {}): Router {
  const router = express.Router();
  const page = (file: string) => (_req: express.Request, res: express.Response) => {
    if (!existsSync(join(distDir, file))) {
      res
        .status(503)
        .type('text/plain')
        .send(
          'The dashboard is not built. Run `npm run build -w dashboard` (`npm start` does it when dist/ is missing), then reload.\n',
        );
      return;
    }
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(join(distDir, file));
  };

  router.use(
    '/assets',
    express.static(join(distDir, 'assets'), { immutable: true, maxAge: '1y', index: false, fallthrough: false }),
  );
  router.get(['/playground', '/playground/'], page(join('playground', 'index.html')));
  router.get('/', page('index.html'));
  router.use(express.static(distDir, { index: false, redirect: false }));
  router.get('/{*path}', (req, res, next) => {
    // Only page navigations fall back to the app; a missing script or JSON file stays a 404.
    if (!req.accepts('html') || req.path.includes('.')) return next();
    page('index.html')(req, res);
  });
  return router;
}
