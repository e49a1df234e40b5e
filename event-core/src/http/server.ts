/**
 * The plain `node:http` pieces every service shares: reading a request header, answering with
 * GraphQL's error shape without Express, and listening.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request header as a string (Node joins most repeated headers itself; the others are joined here). */
export function requestHeader(req: Pick<IncomingMessage, 'headers'>, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

/** Answers `status` with one error in GraphQL's shape: `{ errors: [{ message, extensions: { code } }] }`. */
export function sendError(res: ServerResponse, status: number, code: string, message: string): void {
  res
    .writeHead(status, { 'content-type': 'application/json; charset=utf-8' })
    .end(JSON.stringify({ errors: [{ message, extensions: { code } }] }));
}

export interface ListenOptions {
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  /** The path the returned URL names, e.g. `/graphql`. */
  readonly path: string;
  /** The host the returned URL names; default `host`. */
  readonly urlHost?: string;
}

/**
 * Starts `server` listening on `host` and `port`, and resolves with the port it took and the URL of
 * `path` there. A failure to listen rejects with the server's own error, whose `code` and `port`
 * are what `startFailureMessage` turns into one sentence naming the setting to change.
 */
export async function listen(
  server: Server,
  { host, port, path, urlHost = host }: ListenOptions,
): Promise<{ readonly port: number; readonly url: string }> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const taken = (server.address() as AddressInfo).port;
  return { port: taken, url: `http://${urlHost}:${taken}${path}` };
}
