// @vitest-environment node
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dashboardRouter } from '../src/serve.ts';

describe('the dashboard router', () => {
  const dist = mkdtempSync(join(tmpdir(), 'dashboard-dist-'));
  let base: string;
  let close: () => void;

  beforeAll(async () => {
    mkdirSync(join(dist, 'assets'));
    mkdirSync(join(dist, 'playground'));
    writeFileSync(join(dist, 'index.html'), '<title>dashboard</title>');
    writeFileSync(join(dist, 'playground', 'index.html'), '<title>playground</title>');
    writeFileSync(join(dist, 'assets', 'app-abc123.js'), 'console.log(1)');
    const app = express();
    app.get('/graphql', (_req, res) => void res.json({ ok: true }));
    app.use('/missing', dashboardRouter({ distDir: join(dist, 'nowhere') }));
    app.use(dashboardRouter({ distDir: dist }));
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    close = () => server.close();
  });
  afterAll(() => {
    close?.();
    rmSync(dist, { recursive: true, force: true });
  });

  const get = (path: string, accept = 'text/html') => fetch(`${base}${path}`, { headers: { accept } });

  it('serves the app at / and for any page path, uncached', async () => {
    for (const path of ['/', '/customers', '/customers/abc?sort=name']) {
      const response = await get(path);
      expect(response.status).toBe(200);
      expect(await response.text()).toBe('<title>dashboard</title>');
      expect(response.headers.get('cache-control')).toBe('no-cache');
    }
  });

  it('serves the playground at /playground', async () => {
    for (const path of ['/playground', '/playground/']) expect(await (await get(path)).text()).toBe('<title>playground</title>');
  });

  it('serves hashed assets for a year and answers 404 for a missing one', async () => {
    const asset = await get('/assets/app-abc123.js', '*/*');
    expect(asset.status).toBe(200);
    expect(asset.headers.get('cache-control')).toMatch(/max-age=31536000, immutable/);
    expect((await get('/assets/gone-000.js', '*/*')).status).toBe(404);
    expect((await get('/favicon.ico', 'image/*')).status).toBe(404);
  });

  it('leaves routes mounted before it alone', async () => {
    expect(await (await get('/graphql', 'application/json')).json()).toEqual({ ok: true });
  });

  it('says how to build when dist/ is missing', async () => {
    const response = await get('/missing/');
    expect(response.status).toBe(503);
    expect(await response.text()).toMatch(/npm run build -w dashboard/);
  });
});
