import type { IncomingMessage } from 'node:http';
import express, { type Router } from 'express';
import { metricsText } from '../metrics.ts';
import { sendError } from './server.ts';

/** What `/readyz` reports: whether the service is ready, and the state of each of its parts. */
export interface Readiness {
  readonly ready: boolean;
  /** Written after `status` and `service`, in this order. */
  readonly parts: Readonly<Record<string, unknown>>;
}

/** Who may read `/metrics`. */
export interface MetricsAccess {
  readonly allows: (req: IncomingMessage) => boolean;
  /** The message of the 401 `UNAUTHENTICATED` a refused request gets: what to send. */
  readonly refusal: string;
}

export interface ServiceRoutesOptions {
  /** Names the service in `/healthz` and `/readyz`. */
  readonly service: string;
  readonly readiness: () => Readiness | Promise<Readiness>;
  /** Default: anyone may read `/metrics`. */
  readonly metricsAccess?: MetricsAccess;
}

/**
 * The routes every service serves beside its API: `/healthz` (alive: always 200), `/readyz` (200
 * when ready, else 503, with the state of each part) and `/metrics` (Prometheus' text format).
 */
export function serviceRoutes({ service, readiness, metricsAccess }: ServiceRoutesOptions): Router {
  const router = express.Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok', service });
  });
  router.get('/readyz', async (_req, res) => {
    const { ready, parts } = await readiness();
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not ready', service, ...parts });
  });
  router.get('/metrics', async (req, res) => {
    if (metricsAccess && !metricsAccess.allows(req)) return sendError(res, 401, 'UNAUTHENTICATED', metricsAccess.refusal);
    const { contentType, body } = await metricsText();
    res.type(contentType).send(body);
  });
  return router;
}
