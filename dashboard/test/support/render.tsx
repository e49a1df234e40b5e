import { ApolloClient, ApolloLink } from '@apollo/client';
import { getMainDefinition } from '@apollo/client/utilities';
import { ApolloProvider } from '@apollo/client/react';
import { render, type RenderResult } from '@testing-library/react';
import { MemoryRouter } from 'react-router';
import { App } from '../../src/app/App.tsx';
import { Auth } from '../../src/apollo/auth.ts';
import { withAuth } from '../../src/apollo/client.ts';
import { createCache } from '../../src/apollo/cache.ts';
import { ConnectionStatus } from '../../src/apollo/connection.ts';
import { ActivityLog } from '../../src/live/activity.ts';
import { Changes } from '../../src/live/changes.ts';
import { LiveFeed } from '../../src/live/live-feed.ts';
import { LiveProvider } from '../../src/live/LiveContext.tsx';
import { FakeServer } from './fake-server.ts';

export interface TestApp extends RenderResult {
  readonly server: FakeServer;
  readonly client: ApolloClient;
  readonly status: ConnectionStatus;
  readonly feed: LiveFeed;
  readonly auth: Auth;
  readonly changes: Changes;
}

/** Memory instead of sessionStorage, so tests do not share a token. */
export function memoryStorage() {
  const items = new Map<string, string>();
  return {
    getItem: (key: string) => items.get(key) ?? null,
    setItem: (key: string, value: string) => void items.set(key, value),
    removeItem: (key: string) => void items.delete(key),
  };
}

/**
 * The whole app at `path`, on a fake server: the real cache policies, live feed and routes,
 * only the network replaced. Reconnects wait `backoffMs`, so tests do not sleep long.
 */
export function renderApp(path: string, server = new FakeServer(), { backoffMs = 5 }: { backoffMs?: number } = {}): TestApp {
  const auth = new Auth(memoryStorage());
  // The app's own HTTP chain (token, refusals) in front of the fake server; subscriptions go straight to it.
  const isSubscription = ({ query }: ApolloLink.Operation) => {
    const definition = getMainDefinition(query);
    return definition.kind === 'OperationDefinition' && definition.operation === 'subscription';
  };
  const link = ApolloLink.split(isSubscription, server.link, withAuth(auth, server.link));
  const client = new ApolloClient({ link, cache: createCache() });
  const status = new ConnectionStatus();
  server.onSubscribe = () => status.set('live');
  const activity = new ActivityLog();
  const changes = new Changes();
  const feed = new LiveFeed({ client, status, activity, changes, backoffMs: () => backoffMs, isOnline: () => true });
  const result = render(
    <ApolloProvider client={client}>
      <LiveProvider live={{ status, activity, feed, auth, changes }}>
        <MemoryRouter initialEntries={[path]}>
          <App />
        </MemoryRouter>
      </LiveProvider>
    </ApolloProvider>,
  );
  return { ...result, server, client, status, feed, auth, changes };
}
