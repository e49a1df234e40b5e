import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { createClient, type FormattedExecutionResult } from 'graphql-ws';
import WebSocket from 'ws';
import {
  ForbiddenError,
  ShopError,
  UnauthenticatedError,
  UnavailableError,
  errorFromGraphQL,
  isTransient,
  type GraphQLErrorLike,
} from './errors.ts';
import { prepareDocument } from './transport.ts';

/** What the watch helpers need from a graphql-ws client (its `iterate`); tests pass a fake. */
export interface SubscriptionTransport {
  iterate<TData>(payload: {
    readonly query: string;
    readonly variables?: Record<string, unknown>;
    readonly operationName?: string;
  }): AsyncIterableIterator<FormattedExecutionResult<TData>>;
  dispose(): void | Promise<void>;
}

export interface WebSocketTransportOptions {
  /** `ws://` or `wss://` URL of the gateway's graphql-ws endpoint. */
  readonly url: string;
  /** Sent in `connection_init` as `{ authorization: 'Bearer <token>' }` and as the upgrade's `Authorization` header. */
  readonly token?: string | undefined;
}

/** `http(s)://host/graphql` → `ws(s)://host/graphql`: the gateway serves graphql-ws on the same path. */
export function webSocketUrl(httpUrl: string): string {
  const url = new URL(httpUrl);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return url.toString();
}

/**
 * A lazy graphql-ws client (it connects on the first subscription and closes after the last).
 * Its own reconnect is off (`retryAttempts: 0`): it would resubscribe with the same `after` and
 * replay changes the caller has already seen; {@link watchChanges} resumes from the last position instead.
 */
export function createWebSocketTransport({ url, token }: WebSocketTransportOptions): SubscriptionTransport {
  const authorization = token ? `Bearer ${token}` : undefined;
  // Node 20 has no global WebSocket; `ws` also lets the upgrade request carry the token.
  class AuthorizedWebSocket extends WebSocket {
    constructor(address: string, protocols?: string | string[]) {
      super(address, protocols, authorization ? { headers: { authorization } } : {});
    }
  }
  return createClient({
    url,
    webSocketImpl: AuthorizedWebSocket,
    lazy: true,
    retryAttempts: 0,
    ...(authorization ? { connectionParams: { authorization } } : {}),
  });
}

export interface WatchOptions {
  /** Ends the iteration (no error) when aborted. */
  readonly signal?: AbortSignal | undefined;
  /** Reconnects in a row without a payload before giving up with {@link UnavailableError}. Default 5. */
  readonly maxRetries?: number;
  /** Delay before the first reconnect in ms, doubled each time up to 5 s. Default 200. */
  readonly retryDelayMs?: number;
  /** Called before each reconnect with the position it resumes after (for logs). */
  readonly onReconnect?: (after: string | undefined, error: ShopError) => void;
}

/** Close codes after which a reconnect can succeed (the server went away or restarted). */
const RETRYABLE_CLOSE_CODES = new Set([1001, 1005, 1006, 1011, 1012, 1013, 4499]);

/** A connection stays "healthy" after this long, so an occasional drop in a quiet stream does not add up to a failure. */
const HEALTHY_AFTER_MS = 30_000;

/** Maps whatever graphql-ws rejects with (GraphQL errors, a CloseEvent, a socket error) to a typed error. */
export function errorFromSubscription(error: unknown): ShopError {
  if (error instanceof ShopError) return error;
  if (Array.isArray(error)) return errorFromGraphQL(error as GraphQLErrorLike[]);
  if (error !== null && typeof error === 'object' && 'code' in error && typeof error.code === 'number') {
    const { code } = error;
    const reason = 'reason' in error && typeof error.reason === 'string' && error.reason ? error.reason : 'no reason given';
    if (code === 4401) return new UnauthenticatedError(`subscription refused (${code}): ${reason}`, 'UNAUTHENTICATED');
    if (code === 4403) return new ForbiddenError(`subscription refused (${code}): ${reason}`, 'FORBIDDEN');
    if (RETRYABLE_CLOSE_CODES.has(code))
      return new UnavailableError(`subscription connection closed (${code}): ${reason}`, 'UNAVAILABLE');
    return new ShopError(`subscription connection closed (${code}): ${reason}`, 'SUBSCRIPTION_CLOSED', {
      extensions: { closeCode: code },
    });
  }
  // A socket that could not connect reports an error event or an Error: the gateway is not there (yet).
  const message = error instanceof Error ? error.message : ((error as { message?: string } | null)?.message ?? String(error));
  return new UnavailableError(`subscription connection failed: ${message}`, 'NETWORK_ERROR', { cause: error });
}

const defaultSleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
  });

/**
 * Iterates the payloads of a change subscription (`productChanged`, ...), resumable: it remembers
 * the `position` of the last payload and, when the connection drops, subscribes again with
 * `after` = that position, so the caller sees every change once, in log order, across reconnects
 * (the gateway replays everything after a position). GraphQL errors end the iteration with a typed error.
 *
 * @param select picks the change out of `data` (e.g. `data.productChanged`).
 */
export async function* watchChanges<
  TData,
  TVariables extends { readonly after?: string | null | undefined },
  TChange extends { readonly position: string },
>(
  transport: () => SubscriptionTransport,
  document: TypedDocumentNode<TData, TVariables>,
  variables: TVariables,
  select: (data: TData) => TChange,
  { signal, maxRetries = 5, retryDelayMs = 200, onReconnect }: WatchOptions = {},
  sleep: (ms: number, signal?: AbortSignal) => Promise<void> = defaultSleep,
): AsyncGenerator<TChange, void, undefined> {
  const { query, operationName } = prepareDocument(document);
  let after = variables.after ?? undefined;
  let failures = 0;
  while (!signal?.aborted) {
    const started = Date.now();
    const results = transport().iterate<TData>({
      query,
      variables: { ...variables, after } as Record<string, unknown>,
      ...(operationName ? { operationName } : {}),
    });
    const stop = (): void => void results.return?.();
    signal?.addEventListener('abort', stop, { once: true });
    try {
      for await (const result of results) {
        if (result.errors?.length) throw errorFromGraphQL(result.errors);
        if (result.data === undefined || result.data === null) continue;
        const change = select(result.data);
        after = change.position;
        failures = 0;
        yield change;
      }
      return; // The server completed the subscription, or the caller aborted.
    } catch (caught) {
      if (signal?.aborted) return;
      const error = errorFromSubscription(caught);
      if (Date.now() - started > HEALTHY_AFTER_MS) failures = 0;
      if (!isTransient(error) || failures >= maxRetries) throw error;
      failures++;
      onReconnect?.(after, error);
      await sleep(Math.min(retryDelayMs * 2 ** (failures - 1), 5_000), signal);
    } finally {
      signal?.removeEventListener('abort', stop);
    }
  }
}
