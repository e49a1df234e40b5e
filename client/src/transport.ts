import { createHash } from 'node:crypto';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { getOperationAST, print, type DocumentNode, type OperationTypeNode } from 'graphql';
import { mergeConsistencyTokens } from './consistency.ts';
import {
  ForbiddenError,
  ShopError,
  UnauthenticatedError,
  UnavailableError,
  errorFromGraphQL,
  isTransient,
  type GraphQLErrorLike,
} from './errors.ts';

/** The header that carries read-your-writes positions both ways. */
export const CONSISTENCY_HEADER = 'x-consistency-token';

export interface HttpTransportOptions {
  /** The gateway's GraphQL endpoint, e.g. `http://localhost:4000/graphql`. */
  readonly url: string;
  /** Sent as `Authorization: Bearer <token>` when set. */
  readonly token?: string | undefined;
  /** Retries of a transient failure (network error, HTTP 502/503/504, `UNAVAILABLE`). Default 3. */
  readonly retries?: number;
  /** Delay before the first retry in ms, doubled for each further one (with jitter). Default 100. */
  readonly retryDelayMs?: number;
  /** Bound on one HTTP attempt in ms. Default 30000. */
  readonly timeoutMs?: number;
  /** Extra headers on every request. */
  readonly headers?: Readonly<Record<string, string>>;
  /**
   * Send each document by the SHA-256 of its text alone (a trusted document, docs/security.md),
   * and its text only when the gateway does not know the hash. Default false; the client's
   * configuration turns it on in production.
   */
  readonly sendHashes?: boolean;
  /** Injected for tests; default the global `fetch`. */
  readonly fetch?: typeof fetch;
  /** Injected for tests; default a timer. */
  readonly sleep?: (ms: number) => Promise<void>;
}

export interface RequestOptions {
  /** Aborts the call (and its retries). */
  readonly signal?: AbortSignal | undefined;
}

/** GraphQL over HTTP with retries and read-your-writes; one per client. */
export interface HttpTransport {
  /** Runs a typed document and returns its `data`, or throws a typed {@link ShopError}. */
  request<TData, TVariables>(
    document: TypedDocumentNode<TData, TVariables>,
    variables: TVariables,
    options?: RequestOptions,
  ): Promise<TData>;
  /** The merged token of every mutation this client made so far (sent with every request). */
  readonly consistencyToken: string | undefined;
}

interface PreparedDocument {
  readonly query: string;
  /** SHA-256 of `query` in hex: the document's key in the gateway's trusted documents. */
  readonly hash: string;
  readonly operationName: string | undefined;
  readonly operation: OperationTypeNode | undefined;
}

const prepared = new WeakMap<DocumentNode, PreparedDocument>();

/** Prints a document once; typed documents are module constants, so the cache stays small. */
export function prepareDocument(document: DocumentNode): PreparedDocument {
  let entry = prepared.get(document);
  if (!entry) {
    const operation = getOperationAST(document);
    const query = print(document);
    entry = {
      query,
      hash: createHash('sha256').update(query).digest('hex'),
      operationName: operation?.name?.value,
      operation: operation?.operation,
    };
    prepared.set(document, entry);
  }
  return entry;
}

const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Creates the HTTP transport. Every response's `X-Consistency-Token` is merged into the client's
 * token and sent with every later request, so a read after a write sees the write in every
 * subgraph. Transient failures are retried with exponential backoff; a mutation only when its
 * variables carry an `idempotencyKey` (the same key on every attempt, so the server appends once).
 */
export function createHttpTransport({
  url,
  token,
  retries = 3,
  retryDelayMs = 100,
  timeoutMs = 30_000,
  headers = {},
  sendHashes = false,
  fetch: fetchImpl = globalThis.fetch,
  sleep = defaultSleep,
}: HttpTransportOptions): HttpTransport {
  let consistencyToken: string | undefined;

  async function attempt(body: string, signal: AbortSignal | undefined): Promise<{ data: unknown }> {
    const requestHeaders: Record<string, string> = {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json, application/json',
      ...headers,
    };
    if (token) requestHeaders.authorization = `Bearer ${token}`;
    if (consistencyToken) requestHeaders[CONSISTENCY_HEADER] = consistencyToken;
    const timeout = AbortSignal.timeout(timeoutMs);
    let response: Response;
    let text: string;
    try {
      response = await fetchImpl(url, {
        method: 'POST',
        headers: requestHeaders,
        body,
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
      text = await response.text();
    } catch (error) {
      if (signal?.aborted) throw error;
      // fetch says only "fetch failed"; the cause says why (ECONNREFUSED, ENOTFOUND, a timeout, ...).
      const cause = error instanceof Error ? (error.cause as { code?: string; message?: string } | undefined) : undefined;
      const reason = cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
      throw new UnavailableError(`cannot reach the gateway at ${url} (${reason}); is it running?`, 'NETWORK_ERROR', {
        cause: error,
      });
    }
    const written = response.headers.get(CONSISTENCY_HEADER);
    if (written) consistencyToken = mergeConsistencyTokens(consistencyToken, written);

    let parsed: { data?: unknown; errors?: GraphQLErrorLike[] } | undefined;
    try {
      parsed = JSON.parse(text) as typeof parsed;
    } catch {
      parsed = undefined;
    }
    if (parsed?.errors?.length) throw errorFromGraphQL(parsed.errors);
    if (response.ok && parsed && parsed.data !== undefined && parsed.data !== null) return { data: parsed.data };
    throw errorFromStatus(response.status, text);
  }

  return {
    get consistencyToken() {
      return consistencyToken;
    },
    async request<TData, TVariables>(
      document: TypedDocumentNode<TData, TVariables>,
      variables: TVariables,
      options: RequestOptions = {},
    ): Promise<TData> {
      const { query, hash, operationName, operation } = prepareDocument(document);
      const named = operationName ? { operationName } : {};
      const withText = JSON.stringify({ query, variables, ...named });
      const byHash = JSON.stringify({ variables, ...named, extensions: { persistedQuery: { version: 1, sha256Hash: hash } } });
      let body = sendHashes ? byHash : withText;
      const retriable =
        operation !== 'mutation' || typeof (variables as { idempotencyKey?: unknown } | undefined)?.idempotencyKey === 'string';
      for (let retry = 0; ; retry++) {
        try {
          return (await attempt(body, options.signal)).data as TData;
        } catch (error) {
          // A document the gateway does not know by its hash (one of your own): sent again with its text.
          if (body === byHash && error instanceof ShopError && error.code === 'PERSISTED_QUERY_NOT_FOUND') {
            body = withText;
            retry--;
            continue;
          }
          if (!retriable || retry >= retries || !isTransient(error) || options.signal?.aborted) throw error;
          // Full jitter: concurrent clients that failed together do not retry together.
          await sleep(Math.random() * retryDelayMs * 2 ** retry);
        }
      }
    },
  };
}

function errorFromStatus(status: number, text: string): ShopError {
  const detail = text.trim().slice(0, 200) || 'no body';
  if (status === 401)
    return new UnauthenticatedError(`the gateway wants a token (HTTP 401): set GATEWAY_TOKEN`, 'UNAUTHENTICATED');
  if (status === 403) return new ForbiddenError(`the gateway refused this token (HTTP 403)`, 'FORBIDDEN');
  if (status === 502 || status === 503 || status === 504)
    return new UnavailableError(`the gateway is unavailable (HTTP ${status}): ${detail}`, 'UNAVAILABLE');
  return new ShopError(`unexpected answer from the gateway (HTTP ${status}): ${detail}`, `HTTP_${status}`);
}
