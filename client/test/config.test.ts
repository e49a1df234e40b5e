import { describe, expect, it } from 'vitest';
import { ClientConfigError, DEFAULT_GATEWAY_URL, readClientConfig } from '../src/index.ts';

describe('readClientConfig', () => {
  it('defaults to the local gateway without a token', () => {
    expect(readClientConfig({})).toEqual({ url: DEFAULT_GATEWAY_URL, token: undefined, sendHashes: false });
  });

  it('reads GATEWAY_URL and GATEWAY_TOKEN', () => {
    expect(readClientConfig({ GATEWAY_URL: 'https://shop.example/graphql', GATEWAY_TOKEN: ' t0k ' })).toEqual({
      url: 'https://shop.example/graphql',
      token: 't0k',
      sendHashes: false,
    });
  });

  it('refuses a URL it cannot use, saying what to put there', () => {
    expect(() => readClientConfig({ GATEWAY_URL: 'localhost:4000' })).toThrow(ClientConfigError);
    expect(() => readClientConfig({ GATEWAY_URL: 'not a url' })).toThrow(
      /GATEWAY_URL must be a URL such as http:\/\/localhost:4000\/graphql/,
    );
  });
});
