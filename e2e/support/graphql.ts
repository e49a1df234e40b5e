/** A minimal GraphQL-over-HTTP client for tests: what a client sees, headers included. */
export interface GraphQLResult<T> {
  readonly status: number;
  readonly data?: T;
  readonly errors?: readonly { message: string; extensions?: Record<string, unknown> }[];
  readonly headers: Headers;
}

export async function graphql<T = Record<string, unknown>>(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Promise<GraphQLResult<T>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: T; errors?: GraphQLResult<T>['errors'] };
  return { status: response.status, headers: response.headers, ...body };
}

/** Runs an operation that must succeed and returns its data. */
export async function ok<T = Record<string, any>>(url: string, query: string, variables: Record<string, unknown> = {}, headers: Record<string, string> = {}): Promise<T> {
  const result = await graphql<T>(url, query, variables, headers);
  if (result.errors?.length || !result.data) throw new Error(`GraphQL errors: ${JSON.stringify(result.errors)}`);
  return result.data;
}

/** The `extensions.code` of the first error, for operations that must fail. */
export async function errorCode(url: string, query: string, variables: Record<string, unknown> = {}): Promise<string | undefined> {
  const result = await graphql(url, query, variables);
  return result.errors?.[0]?.extensions?.code as string | undefined;
}
