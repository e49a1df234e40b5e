/**
 * A small closed-loop HTTP load generator: `concurrency` clients, each sending its next request as
 * soon as the previous answer is read, on keep-alive connections (raw HTTP/1.1 over node:net, no
 * external binary; one-off requests go through node:http).
 * Closed loop, because the question is how much one gateway serves compared with another under
 * the same number of clients, not how it behaves past saturation.
 */
import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import { RawConnection } from './raw-http.ts';
import { Samples, type Measurement } from './stats.ts';

export interface GraphQLRequest {
  /** Absent in a request that sends a trusted document by its hash alone (`extensions.persistedQuery`). */
  readonly query?: string;
  readonly operationName?: string;
  readonly variables?: Record<string, unknown>;
  readonly extensions?: Record<string, unknown>;
}

export interface LoadOptions {
  readonly url: string;
  readonly concurrency: number;
  readonly seconds: number;
  /** The request body of the i-th request (counted over all clients). */
  readonly next: (i: number) => GraphQLRequest;
  /** Extra request headers, the same on every request. */
  readonly headers?: Record<string, string>;
}

interface Response {
  readonly status: number;
  readonly text: string;
}

/** A keep-alive agent per target, so every measurement reuses warm connections. */
const agents = new Map<string, Agent>();

function agentFor(url: string, sockets: number): Agent {
  const origin = new URL(url).origin;
  let agent = agents.get(origin);
  if (!agent || agent.maxSockets < sockets) {
    agent?.destroy();
    // With a timeout, Node's agent drops an idle socket a second before the server's announced
    // keep-alive timeout (5 s for Node servers); without one it ignores the hint, and reusing a
    // socket the server is closing fails the request with ECONNRESET.
    agent = new Agent({ keepAlive: true, maxSockets: sockets, maxFreeSockets: sockets, timeout: 4_000 });
    agents.set(origin, agent);
  }
  return agent;
}

/** Closes every pooled connection, so the bench process can exit. */
export function closeAgents(): void {
  for (const agent of agents.values()) agent.destroy();
  agents.clear();
}

/** POSTs one GraphQL request on a pooled connection. */
export function postGraphQL(
  url: string,
  body: GraphQLRequest,
  sockets = 64,
  headers: Record<string, string> = {},
): Promise<Response> {
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        agent: agentFor(url, sockets),
        headers: { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

/** Runs a GraphQL operation that must succeed and returns its data. */
export async function graphqlData<T = Record<string, unknown>>(url: string, body: GraphQLRequest): Promise<T> {
  const response = await postGraphQL(url, body);
  const parsed = JSON.parse(response.text) as { data?: T; errors?: unknown[] };
  if (response.status !== 200 || parsed.errors?.length || !parsed.data) {
    throw new Error(`GraphQL request to ${url} failed (${response.status}): ${response.text.slice(0, 500)}`);
  }
  return parsed.data;
}

/**
 * Why a response is not a success, or undefined. A full parse per answer would cost the load
 * generator more CPU than the check is worth: a GraphQL error always has a top-level `"errors"`.
 */
function failureOf(response: Response): string | undefined {
  if (response.status !== 200) return `HTTP ${response.status}: ${response.text.slice(0, 300)}`;
  if (response.text.includes('"errors"')) return response.text.slice(0, 300);
  return undefined;
}

/**
 * Asks the gateway for an answer from the subgraphs, not from its response cache: for scenarios
 * that measure what serving a read costs, which a cache hit would hide (a hash lookup instead).
 */
export const FRESH: Readonly<Record<string, string>> = { 'cache-control': 'no-cache' };

/**
 * Runs the closed loop for `seconds`, each client on a connection of its own opened for the run
 * (raw HTTP/1.1, see `raw-http.ts`); requests started before the deadline are awaited and counted.
 */
export async function closedLoop({ url, concurrency, seconds, next, headers }: LoadOptions): Promise<Measurement> {
  const latencies = new Samples();
  let operations = 0;
  let errors = 0;
  let firstError: string | undefined;
  let counter = 0;
  const connections: RawConnection[] = [];
  const startedAt = performance.now();
  const deadline = startedAt + seconds * 1000;
  const client = async (): Promise<void> => {
    const connection = new RawConnection(url);
    connections.push(connection);
    while (performance.now() < deadline) {
      const request = connection.request(JSON.stringify(next(counter++)), headers);
      const sentAt = performance.now();
      let failure: string | undefined;
      try {
        const { status, body } = await connection.send(request);
        failure = failureOf({ status, text: body });
      } catch (error) {
        failure = (error as Error).message;
      }
      // Failures count apart: a fast error must not pass for throughput.
      if (failure === undefined) {
        latencies.add(performance.now() - sentAt);
        operations++;
      } else {
        errors++;
        firstError ??= failure;
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: concurrency }, client));
  } finally {
    for (const connection of connections) connection.close();
  }
  return {
    latencies,
    operations,
    errors,
    seconds: (performance.now() - startedAt) / 1000,
    ...(firstError ? { firstError } : {}),
  };
}
