import { request } from 'node:http';

/** A minimal GraphQL-over-HTTP client for tests: what a client sees, headers included. */
export interface GraphQLResult<T> {
  readonly status: number;
  readonly data?: T;
  readonly errors?: readonly { message: string; extensions?: Record<string, unknown> }[];
  readonly headers: Headers;
}

/**
 * POSTs JSON on a fresh connection each time: tests stop and restart servers on the same port,
 * and a pooled keep-alive socket to a stopped server would fail the next request.
 */
function post(
  url: string,
  body: string,
  headers: Record<string, string>,
): Promise<{ status: number; headers: Headers; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: 'POST', agent: false, headers: { 'content-type': 'application/json', ...headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const responseHeaders = new Headers();
          for (const [name, value] of Object.entries(res.headers))
            if (typeof value === 'string') responseHeaders.set(name, value);
          resolve({ status: res.statusCode ?? 0, headers: responseHeaders, text: Buffer.concat(chunks).toString('utf8') });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

export async function graphql<T = Record<string, unknown>>(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Promise<GraphQLResult<T>> {
  const response = await post(url, JSON.stringify({ query, variables }), headers);
  const body = JSON.parse(response.text) as { data?: T; errors?: GraphQLResult<T>['errors'] };
  return { status: response.status, headers: response.headers, ...body };
}

/** Runs an operation that must succeed and returns its data. */
export async function ok<T = Record<string, any>>(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Promise<T> {
  const result = await graphql<T>(url, query, variables, headers);
  if (result.errors?.length || !result.data) throw new Error(`GraphQL errors: ${JSON.stringify(result.errors)}`);
  return result.data;
}

/** The `extensions.code` of the first error, for operations that must fail. */
export async function errorCode(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<string | undefined> {
  const result = await graphql(url, query, variables);
  return result.errors?.[0]?.extensions?.code as string | undefined;
}
