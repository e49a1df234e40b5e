import { createContext, useContext, useEffect, useSyncExternalStore, type ReactNode } from 'react';
import type { Auth, AuthState } from '../apollo/auth.ts';
import type { ConnectionState, ConnectionStatus } from '../apollo/connection.ts';
import type { Activity, ActivityLog } from './activity.ts';
import type { Changes } from './changes.ts';
import type { LiveFeed } from './live-feed.ts';

export interface Live {
  readonly status: ConnectionStatus;
  readonly activity: ActivityLog;
  /** Absent in tests that render a page without subscriptions. */
  readonly feed?: LiveFeed;
  /** The changes applied to the cache, for lists that ask for their page again (absent: they do not). */
  readonly changes?: Changes;
  readonly auth?: Auth;
}

const LiveContext = createContext<Live | null>(null);

/** Runs the live feed while the app is mounted and follows the browser's online/offline events. */
export function LiveProvider({ live, children }: { readonly live: Live; readonly children: ReactNode }) {
  useEffect(() => {
    const { feed, status } = live;
    feed?.start();
    const online = () => feed?.reconnectNow();
    const offline = () => status.set('offline');
    window.addEventListener('online', online);
    window.addEventListener('offline', offline);
    return () => {
      window.removeEventListener('online', online);
      window.removeEventListener('offline', offline);
      feed?.stop();
    };
  }, [live]);
  return <LiveContext.Provider value={live}>{children}</LiveContext.Provider>;
}

export function useLive(): Live {
  const live = useContext(LiveContext);
  if (!live) throw new Error('useLive needs a <LiveProvider> above it');
  return live;
}

export function useConnectionState(): ConnectionState {
  const { status } = useLive();
  return useSyncExternalStore(status.subscribe, status.get);
}

export function useActivity(): readonly Activity[] {
  const { activity } = useLive();
  return useSyncExternalStore(activity.subscribe, activity.get);
}

const open: AuthState = { token: null, required: false };
const noAuth = { subscribe: () => () => {}, get: () => open };

export function useAuthState(): AuthState {
  const { auth = noAuth } = useLive();
  return useSyncExternalStore(auth.subscribe, auth.get);
}
