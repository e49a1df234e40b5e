import { createGraphiQLFetcher } from '@graphiql/toolkit';
import type { Client, SubscribePayload } from 'graphql-ws';
import { parse } from 'graphql';
import { describe, expect, it, vi } from 'vitest';
import { operationToSend, withOperationOfText } from '../src/playground/operation-to-send.ts';

const dashboard = 'query Dashboard { products { totalCount } }';
const purchasesMade = 'subscription PurchasesMade { purchaseMade { position } }';
const both = `${dashboard}\n${purchasesMade}`;

describe('the operation the playground sends', () => {
  it('keeps a name the document has', () => {
    expect(operationToSend(both, 'PurchasesMade').operationName).toBe('PurchasesMade');
  });

  it("names the document's only operation instead of the previous tab's", () => {
    expect(operationToSend(purchasesMade, 'Dashboard').operationName).toBe('PurchasesMade');
    expect(operationToSend(purchasesMade, undefined).operationName).toBe('PurchasesMade');
  });

  it('sends no name for an anonymous only operation', () => {
    expect(operationToSend('{ products { totalCount } }', 'Dashboard').operationName).toBeUndefined();
  });

  it('sends no name when the document has several operations and none of that name', () => {
    expect(operationToSend(both, 'CreateProduct').operationName).toBeUndefined();
    expect(operationToSend(both, null).operationName).toBeUndefined();
  });

  it('passes a document that does not parse on as it is, for the server to report', () => {
    expect(operationToSend('query Dashboard {', 'Dashboard')).toEqual({ operationName: 'Dashboard' });
    expect(operationToSend('query Dashboard {', null)).toEqual({ operationName: undefined });
  });
});

describe('the playground fetcher right after a tab switch', () => {
  // What GraphiQL hands the fetcher when a tab is run before its editor has been read:
  // the new tab's text with the previous tab's operation name and parsed document.
  const stale = [
    { query: purchasesMade, operationName: 'Dashboard' },
    { documentAST: parse(dashboard), headers: {} },
  ] as const;

  function fetcherWith() {
    const fetch = vi.fn(async (_url: RequestInfo | URL, _init?: RequestInit) => Response.json({ data: {} }));
    const subscribe = vi.fn((_payload: SubscribePayload, sink: { next(value: unknown): void; complete(): void }) => {
      sink.next({ data: { purchaseMade: { position: '1' } } });
      sink.complete();
      return () => undefined;
    });
    const wsClient = { subscribe } as unknown as Client;
    const fetcher = withOperationOfText(createGraphiQLFetcher({ url: 'http://shop.test/graphql', fetch, wsClient }));
    return { fetcher, fetch, subscribe };
  }

  it('runs the subscription of the new tab over the socket, by its own name', async () => {
    const { fetcher, fetch, subscribe } = fetcherWith();
    const result = await fetcher(...stale);
    for await (const payload of result as AsyncIterable<unknown>)
      expect(payload).toEqual({ data: { purchaseMade: { position: '1' } } });
    expect(fetch).not.toHaveBeenCalled();
    expect(subscribe).toHaveBeenCalledWith(
      expect.objectContaining({ query: purchasesMade, operationName: 'PurchasesMade' }),
      expect.anything(),
    );
  });

  it('runs a query of the new tab over HTTP, by its own name', async () => {
    const { fetcher, fetch, subscribe } = fetcherWith();
    const result = await fetcher({ query: dashboard, operationName: 'PurchasesMade' }, { documentAST: parse(purchasesMade) });
    for await (const _ of result as AsyncIterable<unknown>);
    expect(subscribe).not.toHaveBeenCalled();
    expect(JSON.parse(fetch.mock.calls[0]![1]!.body as string)).toMatchObject({ query: dashboard, operationName: 'Dashboard' });
  });
});
