import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildManifest, manifestText, TRUSTED_DOCUMENTS_PATH } from '../../schema/src/trusted-documents/manifest.ts';
import { dashboardOperations, generateTrustedDocuments, playgroundOperations } from '../scripts/trusted-documents.ts';
import { clientOperations } from '../../client/codegen/trusted-documents.ts';

describe('trusted documents (schema/trusted-documents.json)', () => {
  it('holds every operation the dashboard, the client and the playground send: run `npm run trusted-documents` after changing one', async () => {
    expect(readFileSync(TRUSTED_DOCUMENTS_PATH, 'utf8')).toBe(manifestText(await generateTrustedDocuments()));
  });

  it('goes stale when an operation changes', async () => {
    const dashboard = await dashboardOperations();
    const changed = dashboard.map((o) =>
      o.name === 'Overview' ? { ...o, body: o.body.replace('totalCount', 'totalCount\n    __typename') } : o,
    );
    const manifest = buildManifest({ client: clientOperations(), dashboard: changed, playground: playgroundOperations() });
    expect(manifestText(manifest)).not.toBe(readFileSync(TRUSTED_DOCUMENTS_PATH, 'utf8'));
    expect(manifest.clients.dashboard.Overview).not.toBe(
      buildManifest({ client: [], dashboard, playground: [] }).clients.dashboard.Overview,
    );
  });

  it('lists the dashboard documents as Apollo Client sends them, with __typename', async () => {
    const overview = (await dashboardOperations()).find((o) => o.name === 'Overview');
    expect(overview?.body).toMatch(/^query Overview/);
    expect(overview?.body).toContain('__typename');
  });
});
