import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { createEmbeddedLog, loadConfig, type EventLog } from '@shop/event-core';
import { documentHash, eventTopics, readTrustedDocuments } from '@shop/schema';
import { startSystem, type RunningSystem } from '@shop/system';
import { securityFrom, type TrustedDocumentsMode } from '../src/index.ts';
import { post, socketClient, until } from './support/system.ts';

const VIEWER = 'viewer-token-0123456789';
const EDITOR = 'editor-token-0123456789';
const as = (token: string) => ({ authorization: `Bearer ${token}`, 'cache-control': 'no-cache' });

const manifest = readTrustedDocuments();
const PRODUCTS = manifest.clients.client.Products!;
const PRODUCT_CHANGES = manifest.clients.dashboard.ProductChanges!;
const persisted = (hash: string): Record<string, unknown> => ({ persistedQuery: { version: 1, sha256Hash: hash } });
/** A document no client ships. */
const UNTRUSTED = 'query Untrusted { products(first: 1) { totalCount } }';

/** The system with trusted documents in `mode`, editors allowed any document; its warnings are kept. */
async function startWith(mode: TrustedDocumentsMode) {
  const dir = mkdtempSync(join(tmpdir(), 'shop-trusted-'));
  const log: EventLog = createEmbeddedLog({ file: join(dir, 'events.sqlite') });
  const warnings: { msg: string; hash?: string; transport?: string }[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) warnings.push(JSON.parse(line));
      done();
    },
  });
  const system: RunningSystem = await startSystem({
    log,
    logger: pino({ level: 'warn' }, sink),
    topics: eventTopics(`td${randomUUID().slice(0, 8)}.`),
    ports: { gateway: 0, products: 0, customers: 0, purchases: 0 },
    security: {
      tokens: new Map([
        [VIEWER, 'viewer'],
        [EDITOR, 'editor'],
      ]),
      trustedDocuments: { mode, anyDocumentRoles: ['editor'] },
    },
  });
  return {
    url: system.gateway.url,
    system,
    warnings,
    async close() {
      await system.close();
      await log.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Subscribes over graphql-ws and returns the first error code, or 'active' once the gateway holds the subscription. */
async function subscribeOutcome(
  started: Awaited<ReturnType<typeof startWith>>,
  token: string,
  payload: { query: string; extensions?: Record<string, unknown> },
): Promise<string> {
  const client = socketClient(started.url, { params: { authorization: `Bearer ${token}` } });
  const before = started.system.gateway.subscriptionStats().active;
  let outcome: string | undefined;
  const stop = client.subscribe(payload, {
    next: () => undefined,
    error: (error) => {
      const errors = error as { extensions?: { code?: string } }[];
      outcome = String(errors[0]?.extensions?.code);
    },
    complete: () => undefined,
  });
  await until(() => outcome !== undefined || started.system.gateway.subscriptionStats().active > before, 'refused or held');
  stop();
  await client.dispose();
  // Gone before the next one is counted.
  await until(() => started.system.gateway.subscriptionStats().active <= before, 'released');
  return outcome ?? 'active';
}

describe('trusted documents, enforced', () => {
  let started: Awaited<ReturnType<typeof startWith>>;
  beforeAll(async () => {
    started = await startWith('enforce');
  }, 120_000);
  afterAll(async () => {
    await started?.close();
  });

  it('runs a trusted document sent by its hash alone, or by its text', async () => {
    const byHash = await post(started.url, { extensions: persisted(PRODUCTS), variables: { first: 5 } }, as(VIEWER));
    expect(byHash.status).toBe(200);
    expect(byHash.json.data?.products.totalCount).toBe(0);
    const byText = await post(started.url, { query: manifest.documents[PRODUCTS], variables: { first: 5 } }, as(VIEWER));
    expect(byText.json).toEqual(byHash.json);
  });

  it('refuses a document not in the manifest with 403 DOCUMENT_NOT_TRUSTED, and an unknown hash with PERSISTED_QUERY_NOT_FOUND', async () => {
    const refused = await post(started.url, { query: UNTRUSTED }, as(VIEWER));
    expect(refused.status).toBe(403);
    expect(refused.json.data).toBeUndefined();
    expect(refused.json.errors?.[0]?.extensions?.code).toBe('DOCUMENT_NOT_TRUSTED');
    expect(refused.json.errors?.[0]?.message).toMatch(/trusted documents/);
    // Automatic persisted queries' answer, which tells a client to send the text instead.
    const unknown = await post(started.url, { extensions: persisted(documentHash(UNTRUSTED)) }, as(VIEWER));
    expect(unknown.status).toBeLessThan(500);
    expect(unknown.json.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_NOT_FOUND');
  });

  it('lets no client register a document with automatic persisted queries', async () => {
    const hash = documentHash(UNTRUSTED);
    const registration = await post(started.url, { query: UNTRUSTED, extensions: persisted(hash) }, as(VIEWER));
    expect(registration.json.errors?.[0]?.extensions?.code).toBe('DOCUMENT_NOT_TRUSTED');
    // Even a role allowed any document runs its text without registering it.
    const editors = await post(started.url, { query: UNTRUSTED, extensions: persisted(hash) }, as(EDITOR));
    expect(editors.json.data?.products.totalCount).toBe(0);
    for (const token of [VIEWER, EDITOR]) {
      const later = await post(started.url, { extensions: persisted(hash) }, as(token));
      expect(later.json.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_NOT_FOUND');
    }
  });

  it('lets the roles allowed any document run one, over HTTP and graphql-ws', async () => {
    const answer = await post(started.url, { query: UNTRUSTED }, as(EDITOR));
    expect(answer.status).toBe(200);
    expect(answer.json.data?.products.totalCount).toBe(0);
    expect(await subscribeOutcome(started, EDITOR, { query: 'subscription Mine { productChanged { kind } }' })).toBe('active');
  });

  it('over graphql-ws: refuses a document not in the manifest, runs a trusted one by its text or its hash alone', async () => {
    expect(await subscribeOutcome(started, VIEWER, { query: 'subscription Mine { productChanged { kind } }' })).toBe(
      'DOCUMENT_NOT_TRUSTED',
    );
    expect(await subscribeOutcome(started, VIEWER, { query: '', extensions: persisted('0'.repeat(64)) })).toBe(
      'PERSISTED_QUERY_NOT_FOUND',
    );
    expect(await subscribeOutcome(started, VIEWER, { query: manifest.documents[PRODUCT_CHANGES]! })).toBe('active');
    expect(await subscribeOutcome(started, VIEWER, { query: '', extensions: persisted(PRODUCT_CHANGES) })).toBe('active');

    // A query over the socket is checked the same way.
    const client = socketClient(started.url, { params: { authorization: `Bearer ${VIEWER}` } });
    const answers = await Promise.all(
      [{ query: UNTRUSTED }, { query: '', extensions: persisted(PRODUCTS), variables: { first: 1 } }].map(
        (payload) =>
          new Promise<unknown>((resolve) => {
            client.subscribe(payload, { next: resolve, error: resolve, complete: () => undefined });
          }),
      ),
    );
    await client.dispose();
    expect((answers[0] as { extensions?: { code?: string } }[])[0]?.extensions?.code).toBe('DOCUMENT_NOT_TRUSTED');
    expect((answers[1] as { data?: { products: { totalCount: number } } }).data?.products.totalCount).toBe(0);
  });
});

describe('trusted documents, logged', () => {
  let started: Awaited<ReturnType<typeof startWith>>;
  beforeAll(async () => {
    started = await startWith('log');
  }, 120_000);
  afterAll(async () => {
    await started?.close();
  });

  it('runs a document not in the manifest and logs its hash, over HTTP and graphql-ws', async () => {
    const answer = await post(started.url, { query: UNTRUSTED }, as(VIEWER));
    expect(answer.json.data?.products.totalCount).toBe(0);
    const subscription = 'subscription Mine { productChanged { kind } }';
    expect(await subscribeOutcome(started, VIEWER, { query: subscription })).toBe('active');
    const logged = started.warnings.filter((w) => /outside the trusted documents/.test(w.msg));
    expect(logged.map((w) => [w.hash, w.transport])).toEqual([
      [documentHash(UNTRUSTED), 'http'],
      [documentHash(subscription), 'graphql-ws'],
    ]);
  });

  it('logs nothing for a trusted document', async () => {
    const before = started.warnings.length;
    await post(started.url, { extensions: persisted(PRODUCTS) }, as(VIEWER));
    await post(started.url, { query: manifest.documents[PRODUCTS] }, as(VIEWER));
    expect(started.warnings.slice(before)).toEqual([]);
  });
});

describe('trusted documents, configured', () => {
  it('are enforced in production unless TRUSTED_DOCUMENTS says otherwise, and off in development', () => {
    const production = { NODE_ENV: 'production', AUTH_TOKENS: `viewer:${VIEWER}`, SUBGRAPH_SECRET: 'secret-0123456789abcdef' };
    expect(securityFrom(loadConfig(production)).trustedDocuments).toEqual({ mode: 'enforce', anyDocumentRoles: [] });
    expect(
      securityFrom(loadConfig({ ...production, TRUSTED_DOCUMENTS: 'log', TRUSTED_DOCUMENTS_ANY_ROLES: 'editor' }))
        .trustedDocuments,
    ).toEqual({ mode: 'log', anyDocumentRoles: ['editor'] });
    expect(securityFrom(loadConfig({})).trustedDocuments).toEqual({ mode: 'off', anyDocumentRoles: [] });
    expect(() => loadConfig({ TRUSTED_DOCUMENTS: 'on' })).toThrow(/TRUSTED_DOCUMENTS="on": must be one of off, log, enforce/);
  });
});
