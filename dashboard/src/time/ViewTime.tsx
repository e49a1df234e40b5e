import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react';
import { ApolloClient } from '@apollo/client';
import { ApolloProvider, useApolloClient } from '@apollo/client/react';
import { useSearchParams } from 'react-router';
import { createCache } from '../apollo/cache.ts';
import { useAuthState } from '../live/LiveContext.tsx';
import { AS_OF_PARAM, parseInstant } from './as-of.ts';

export interface ViewTime {
  /** The instant shown (ISO-8601, UTC), or null for the live view. */
  readonly asOf: string | null;
  /** Why the address's `asOf` was not used (the live view is shown instead). */
  readonly invalid: string | null;
  /** Shows the shop as of `instant`, or live for null; the time goes into the address. */
  readonly setAsOf: (instant: string | null) => void;
}

const live: ViewTime = { asOf: null, invalid: null, setAsOf: () => {} };
const ViewTimeContext = createContext<ViewTime>(live);

/** Reads the time to show from the address (`?asOf=`), so a shared link or a reload shows the same past. */
export function ViewTimeProvider({ children }: { readonly children: ReactNode }) {
  const [params, setParams] = useSearchParams();
  const raw = params.get(AS_OF_PARAM);
  const setAsOf = useCallback(
    (instant: string | null) =>
      setParams((current) => {
        const next = new URLSearchParams(current);
        if (instant) next.set(AS_OF_PARAM, instant);
        else next.delete(AS_OF_PARAM);
        return next;
      }),
    [setParams],
  );
  const value = useMemo<ViewTime>(() => {
    if (raw === null || raw === '') return { asOf: null, invalid: null, setAsOf };
    const parsed = parseInstant(raw);
    return parsed.ok ? { asOf: parsed.instant, invalid: null, setAsOf } : { asOf: null, invalid: parsed.message, setAsOf };
  }, [raw, setAsOf]);
  return <ViewTimeContext.Provider value={value}>{children}</ViewTimeContext.Provider>;
}

export const useViewTime = (): ViewTime => useContext(ViewTimeContext);

/** The instant the pages show, null when live: what queries pass as `asOf`. */
export const useAsOf = (): string | null => useContext(ViewTimeContext).asOf;

/** True while the past is shown: nothing can be changed there. */
export const useReadOnly = (): boolean => useContext(ViewTimeContext).asOf !== null;

/**
 * The pages below read from the live client, or, while the past is shown, from a client of their
 * own for that instant: same link (token, consistency), its own cache. Live updates write only
 * into the live cache, so they cannot alter the past view, and past entities never overwrite
 * the live ones of the same id (a purchase's product as it was, the product as it is).
 * Going back to live shows the live cache, kept current all along.
 */
export function TimeScope({ children }: { readonly children: ReactNode }) {
  const { asOf } = useViewTime();
  // A new token (signing in or out) starts an empty past cache, as sign-out clears the live one:
  // what one token could read is not left on screen for the next.
  const { token } = useAuthState();
  if (!asOf) return <>{children}</>;
  return <PastClient key={`${asOf} ${token ?? ''}`}>{children}</PastClient>;
}

function PastClient({ children }: { readonly children: ReactNode }) {
  const liveClient = useApolloClient();
  const [client] = useState(() => new ApolloClient({ link: liveClient.link, cache: createCache() }));
  return <ApolloProvider client={client}>{children}</ApolloProvider>;
}
