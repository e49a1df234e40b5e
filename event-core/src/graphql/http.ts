import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { HeaderMap, type ApolloServer, type BaseContext, type HTTPGraphQLResponse } from '@apollo/server';
import { sendError } from '../http/server.ts';

export interface GraphQLPostRoute {
  /** The path GraphQL is served on, e.g. `/graphql`. */
  readonly path: string;
  /** Largest request body, in bytes. */
  readonly maxBodyBytes: number;
  /** Serves one POST whose JSON body has been read and parsed. */
  readonly handle: (req: IncomingMessage, res: ServerResponse, body: unknown) => Promise<void>;
  /** Everything else: other paths and methods, and bodies the fast path leaves to Express (see below). */
  readonly fallback: RequestListener;
}

const JSON_TYPE = /^application\/json\s*(?:;\s*charset\s*=\s*"?utf-8"?\s*)?$/i;

/**
 * Can this request take the fast path? A POST of an uncompressed UTF-8 JSON body of announced,
 * allowed length: what the gateway sends its subgraphs and what GraphQL clients send. Anything
 * else (other charsets, compressed or chunked bodies, bodies over the limit, GET) goes to Express
 * and its body parser, whose answers (415, 413, ...) stay exactly what they were.
 */
function takesFastPath(req: IncomingMessage, path: string, maxBodyBytes: number): boolean {
  if (req.method !== 'POST') return false;
  const url = req.url ?? '';
  if (url !== path && !url.startsWith(`${path}?`)) return false;
  const type = req.headers['content-type'];
  if (!type || !JSON_TYPE.test(type)) return false;
  const encoding = req.headers['content-encoding'];
  if (encoding && encoding.toLowerCase() !== 'identity') return false;
  const length = req.headers['content-length'];
  if (length === undefined || !/^\d{1,9}$/.test(length)) return false;
  return Number(length) <= maxBodyBytes;
}

const badRequest = (res: ServerResponse, message: string): void => sendError(res, 400, 'BAD_REQUEST', message);

/**
 * A request listener that serves GraphQL POSTs straight on `node:http` and hands everything else
 * to Express. Express's router, body parser and `res.send` (content negotiation, an ETag hash of
 * every answer) cost a subgraph more CPU per request than resolving it; none of it does anything
 * for a JSON POST, which is every request between the gateway and its subgraphs.
 */
export function graphqlPostListener({ path, maxBodyBytes, handle, fallback }: GraphQLPostRoute): RequestListener {
  return (req, res) => {
    if (!takesFastPath(req, path, maxBodyBytes)) return fallback(req, res);
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('error', () => res.destroy());
    req.on('end', () => {
      let body: unknown;
      try {
        body = JSON.parse((chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)).toString('utf8'));
      } catch (error) {
        return badRequest(res, `the request body is not valid JSON: ${(error as Error).message}`);
      }
      // The body parser's strict mode: a JSON document, not a bare value.
      if (body === null || typeof body !== 'object') return badRequest(res, 'the request body must be a JSON object');
      handle(req, res, body).catch((error: unknown) => {
        if (res.headersSent) res.destroy(error as Error);
        else sendError(res, 500, 'INTERNAL_SERVER_ERROR', 'internal server error');
      });
    });
  };
}

/** Runs one parsed GraphQL POST through Apollo Server, as `@as-integrations/express5` would. */
export function executeGraphQLPost<TContext extends BaseContext>(
  server: ApolloServer<TContext>,
  req: IncomingMessage,
  body: unknown,
  context: () => Promise<TContext>,
): Promise<HTTPGraphQLResponse> {
  const headers = new HeaderMap();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
  }
  const url = req.url ?? '';
  const query = url.indexOf('?');
  return server.executeHTTPGraphQLRequest({
    httpGraphQLRequest: { method: 'POST', headers, search: query < 0 ? '' : url.slice(query), body },
    context,
  });
}

/** Writes Apollo Server's answer; returns the body when it was complete (not incremental). */
export async function sendGraphQLResponse(res: ServerResponse, response: HTTPGraphQLResponse): Promise<string | undefined> {
  for (const [name, value] of response.headers) res.setHeader(name, value);
  res.statusCode = response.status ?? 200;
  if (response.body.kind === 'complete') {
    res.end(response.body.string);
    return response.body.string;
  }
  for await (const chunk of response.body.asyncIterator) res.write(chunk);
  res.end();
  return undefined;
}
