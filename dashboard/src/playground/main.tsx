// Monaco's workers come from this build, not from a CDN: the playground works offline.
import 'graphiql/setup-workers/vite';
import 'graphiql/style.css';
import './playground.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { GraphiQL } from 'graphiql';
import { createGraphiQLFetcher } from '@graphiql/toolkit';
import { createClient } from 'graphql-ws';
import { TOKEN_KEY } from '../apollo/auth.ts';
import { webSocketUrl } from '../lib/urls.ts';
import { examples } from './examples.ts';
import { withOperationOfText } from './operation-to-send.ts';

// Queries and mutations over HTTP, subscriptions over graphql-ws, both on the gateway's /graphql.
// A token the dashboard signed in with (same origin, same tab session) is used here too; the
// Headers tab can send another one.
const token = sessionStorage.getItem(TOKEN_KEY);
const authorization: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
// Right after a tab switch GraphiQL still holds the previous tab's operation name and document:
// both are taken from the text actually sent.
const fetcher = withOperationOfText(
  createGraphiQLFetcher({
    url: new URL('/graphql', window.location.href).toString(),
    headers: authorization,
    wsClient: createClient({ url: webSocketUrl(window.location), lazy: true, connectionParams: authorization }),
  }),
);

createRoot(document.getElementById('playground')!).render(
  <StrictMode>
    <GraphiQL fetcher={fetcher} defaultTabs={examples} defaultEditorToolsVisibility="variables">
      <GraphiQL.Logo>
        <a href="/" className="playground-home">
          Shop back office
        </a>{' '}
        playground
      </GraphiQL.Logo>
    </GraphiQL>
  </StrictMode>,
);
