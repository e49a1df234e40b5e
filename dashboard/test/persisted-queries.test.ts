import { afterEach, describe, expect, it, vi } from 'vitest';
import { Auth } from '../src/apollo/auth.ts';
import { createApollo } from '../src/apollo/client.ts';
import { ConnectionStatus } from '../src/apollo/connection.ts';
import { OverviewDocument } from '../src/gql/graphql.ts';
import manifest from '../../schema/trusted-documents.json';
import { memoryStorage } from './support/render.tsx';

/** A fetch that records each body and answers from a script (the last answer repeats). */
function recordingFetch(...answers: unknown[]) {
  const bodies: Record<string, unknown>[] = [];
  const fetch = vi.fn(async (_url: string, init: RequestInit) => {
    bodies.push(JSON.parse(init.body as string) as Record<string, unknown>);
    const answer = answers[Math.min(bodies.length - 1, answers.length - 1)];
    return new Response(JSON.stringify(answer), { status: 200, headers: { 'content-type': 'application/json' } });
  });
  vi.stubGlobal('fetch', fetch);
  return bodies;
}

const setup = () =>
  createApollo({
    httpUrl: 'http://gateway/graphql',
    wsUrl: 'ws://gateway/graphql',
    status: new ConnectionStatus(),
    auth: new Auth(memoryStorage()),
    sendHashes: true,
  });

describe('the dashboard sends trusted documents by hash', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('sends the hash schema/trusted-documents.json lists for the operation, without its text', async () => {
    const bodies = recordingFetch({ errors: [{ message: 'stop here', extensions: { code: 'BAD_USER_INPUT' } }] });
    const { client } = setup();
    await client.query({ query: OverviewDocument, variables: { top: 5 }, fetchPolicy: 'network-only' }).catch(() => undefined);
    expect(bodies[0]?.query).toBeUndefined();
    expect((bodies[0]?.extensions as { persistedQuery?: unknown }).persistedQuery).toEqual({
      version: 1,
      sha256Hash: manifest.clients.dashboard.Overview,
    });
  });

  it('sends the text when the gateway does not know the hash', async () => {
    const bodies = recordingFetch(
      { errors: [{ message: 'PersistedQueryNotFound', extensions: { code: 'PERSISTED_QUERY_NOT_FOUND' } }] },
      { errors: [{ message: 'stop here', extensions: { code: 'BAD_USER_INPUT' } }] },
    );
    const { client } = setup();
    await client.query({ query: OverviewDocument, variables: { top: 5 }, fetchPolicy: 'network-only' }).catch(() => undefined);
    expect(bodies).toHaveLength(2);
    expect(bodies[1]?.query).toBe(manifest.documents[manifest.clients.dashboard.Overview as keyof typeof manifest.documents]);
  });
});
