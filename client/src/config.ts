/** Where the client finds the gateway, read once from the environment. */
export interface ClientConfig {
  /** `GATEWAY_URL`, default `http://localhost:4000/graphql`. */
  readonly url: string;
  /** `GATEWAY_TOKEN`: sent as `Authorization: Bearer <token>` when set. */
  readonly token: string | undefined;
  /** Documents sent by their hash (trusted documents): when `NODE_ENV=production`. */
  readonly sendHashes: boolean;
}

export const DEFAULT_GATEWAY_URL = 'http://localhost:4000/graphql';

/** A setting that cannot work; the message says which variable and what to put there. */
export class ClientConfigError extends Error {
  override readonly name = 'ClientConfigError';
}

/**
 * Reads `GATEWAY_URL` and `GATEWAY_TOKEN`, validated: a bad URL fails here, with a message that
 * says what to fix, not later as a confusing network error.
 */
export function readClientConfig(env: Readonly<Record<string, string | undefined>> = process.env): ClientConfig {
  const raw = env.GATEWAY_URL?.trim() || DEFAULT_GATEWAY_URL;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ClientConfigError(`GATEWAY_URL must be a URL such as ${DEFAULT_GATEWAY_URL}, got "${raw}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ClientConfigError(`GATEWAY_URL must start with http:// or https://, got "${raw}"`);
  }
  const token = env.GATEWAY_TOKEN?.trim() || undefined;
  return { url: url.toString(), token, sendHashes: env.NODE_ENV === 'production' };
}
