import { Agent, request, type IncomingHttpHeaders } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { RemoteGraphQLDataSource } from '@apollo/gateway';

/** The fetch interface `RemoteGraphQLDataSource` calls (from `@apollo/utils.fetcher`). */
type Fetcher = RemoteGraphQLDataSource['fetcher'];
type FetcherRequestInit = NonNullable<Parameters<Fetcher>[1]>;
type FetcherResponse = Awaited<ReturnType<Fetcher>>;
type FetcherHeaders = FetcherResponse['headers'];

/** Response headers as `RemoteGraphQLDataSource` reads them: lower-case names, read-only in practice. */
class ResponseHeaders implements FetcherHeaders {
  private readonly map = new Map<string, string>();

  constructor(raw: IncomingHttpHeaders) {
    for (const [name, value] of Object.entries(raw)) {
      if (value !== undefined) this.map.set(name, Array.isArray(value) ? value.join(', ') : value);
    }
  }

  append(name: string, value: string): void {
    const key = name.toLowerCase();
    const current = this.map.get(key);
    this.map.set(key, current === undefined ? value : `${current}, ${value}`);
  }
  delete(name: string): void {
    this.map.delete(name.toLowerCase());
  }
  get(name: string): string | null {
    return this.map.get(name.toLowerCase()) ?? null;
  }
  has(name: string): boolean {
    return this.map.has(name.toLowerCase());
  }
  set(name: string, value: string): void {
    this.map.set(name.toLowerCase(), value);
  }
  entries(): MapIterator<[string, string]> {
    return this.map.entries();
  }
  keys(): MapIterator<string> {
    return this.map.keys();
  }
  values(): MapIterator<string> {
    return this.map.values();
  }
  [Symbol.iterator](): MapIterator<[string, string]> {
    return this.map.entries();
  }
}

/** A fully read response: subgraph answers are small JSON documents, read whole before use anyway. */
class BufferedResponse implements FetcherResponse {
  bodyUsed = false;
  readonly redirected = false;

  constructor(
    readonly url: string,
    readonly status: number,
    readonly statusText: string,
    readonly headers: FetcherHeaders,
    private readonly body: Buffer,
  ) {}

  get ok(): boolean {
    return this.status >= 200 && this.status < 300;
  }

  private consume(): Buffer {
    if (this.bodyUsed) throw new TypeError('the body of this response has already been read');
    this.bodyUsed = true;
    return this.body;
  }

  arrayBuffer(): Promise<ArrayBuffer> {
    const body = this.consume();
    return Promise.resolve(body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength) as ArrayBuffer);
  }
  text(): Promise<string> {
    return Promise.resolve(this.consume().toString('utf8'));
  }
  json(): Promise<unknown> {
    try {
      return Promise.resolve(JSON.parse(this.consume().toString('utf8')));
    } catch (error) {
      return Promise.reject(error as Error);
    }
  }
  clone(): FetcherResponse {
    if (this.bodyUsed) throw new TypeError('a response whose body was read cannot be cloned');
    return new BufferedResponse(this.url, this.status, this.statusText, this.headers, this.body);
  }
}

export interface HttpFetcherOptions {
  /**
   * Idle keep-alive sockets are closed after this long, in ms. Default 4000: below the 5 s Node
   * servers keep an idle socket by default, so the gateway never sends on a socket as the
   * subgraph closes it (ECONNRESET). Ours keep them 65 s; the margin covers any other server.
   */
  readonly idleSocketMs?: number;
}

export interface HttpFetcher extends Fetcher {
  /** Closes every pooled socket. */
  close(): void;
}

/**
 * A `fetch` for subgraph calls on `node:http` with keep-alive sockets. Node's own fetch (undici)
 * costs the gateway more CPU per call than its whole query plan: web streams, a cloned request,
 * abort signals. Subgraph calls need none of it: one POST, one small JSON body back.
 */
export function createHttpFetcher({ idleSocketMs = 4_000 }: HttpFetcherOptions = {}): HttpFetcher {
  const agent = new Agent({ keepAlive: true, maxSockets: Infinity, scheduling: 'lifo', timeout: idleSocketMs });
  const secureAgent = new HttpsAgent({ keepAlive: true, maxSockets: Infinity, scheduling: 'lifo', timeout: idleSocketMs });
  /** Parsed once per URL: a gateway calls the same few. */
  const targets = new Map<string, { secure: boolean; hostname: string; port: string; path: string }>();
  const targetOf = (url: string) => {
    let target = targets.get(url);
    if (!target) {
      const parsed = new URL(url);
      target = {
        secure: parsed.protocol === 'https:',
        // `[::1]` in a URL, `::1` for a socket.
        hostname: parsed.hostname.replace(/^\[(.*)\]$/, '$1'),
        port: parsed.port,
        path: `${parsed.pathname}${parsed.search}`,
      };
      if (targets.size < 1_000) targets.set(url, target);
    }
    return target;
  };
  const fetcher = (url: string, init: FetcherRequestInit = {}): Promise<FetcherResponse> =>
    new Promise<FetcherResponse>((resolve, reject) => {
      const { secure, hostname, port, path } = targetOf(url);
      const headers: Record<string, string> = { ...(init.headers as Record<string, string> | undefined) };
      // A string body goes out in the same write as the headers (Node joins them); a Buffer would not.
      const body = init.body === undefined || init.body === null ? undefined : (init.body as string | Buffer);
      if (body !== undefined) headers['content-length'] = String(Buffer.byteLength(body));
      const req = (secure ? httpsRequest : request)(
        {
          hostname,
          ...(port ? { port } : {}),
          path,
          method: init.method ?? 'GET',
          headers,
          agent: secure ? secureAgent : agent,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('error', reject);
          res.on('end', () =>
            resolve(
              new BufferedResponse(
                url,
                res.statusCode ?? 0,
                res.statusMessage ?? '',
                new ResponseHeaders(res.headers),
                chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks),
              ),
            ),
          );
        },
      );
      // The agent's idle timeout applies to sockets in use too: an answer may take longer (a
      // mutation waits for its event to be applied), so a request in flight ignores it.
      req.on('timeout', () => undefined);
      req.on('error', reject);
      req.end(body);
    });
  return Object.assign(fetcher, {
    close() {
      agent.destroy();
      secureAgent.destroy();
    },
  });
}
