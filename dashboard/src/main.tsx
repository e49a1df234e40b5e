import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { ApolloProvider } from '@apollo/client/react';
import { BrowserRouter } from 'react-router';
import { App } from './app/App.tsx';
import { Auth } from './apollo/auth.ts';
import { createApollo } from './apollo/client.ts';
import { ConnectionStatus } from './apollo/connection.ts';
import { ActivityLog } from './live/activity.ts';
import { Changes } from './live/changes.ts';
import { LiveProvider, type Live } from './live/LiveContext.tsx';
import { LiveFeed } from './live/live-feed.ts';
import { webSocketUrl } from './lib/urls.ts';
import './styles.css';

// The gateway serves this page, /graphql and its websocket on one origin.
const status = new ConnectionStatus();
const auth = new Auth();
// The built dashboard sends its operations by hash (trusted documents); `vite dev` sends their text.
const { client, consistency } = createApollo({
  httpUrl: '/graphql',
  wsUrl: webSocketUrl(window.location),
  status,
  auth,
  sendHashes: import.meta.env.PROD,
});
const activity = new ActivityLog();
const changes = new Changes();
const feed = new LiveFeed({ client, status, activity, changes, seen: consistency.observe });
const live: Live = { status, activity, auth, feed, changes };

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <ApolloProvider client={client}>
      <LiveProvider live={live}>
        <BrowserRouter>
          <App />
        </BrowserRouter>
      </LiveProvider>
    </ApolloProvider>
  </StrictMode>,
);
