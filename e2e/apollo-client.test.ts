import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApolloClient, ApolloLink, HttpLink, InMemoryCache, gql } from '@apollo/client';
import { GraphQLWsLink } from '@apollo/client/link/subscriptions';
import { getMainDefinition } from '@apollo/client/utilities';
import { OperationTypeNode } from 'graphql';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { createEmbeddedLog, type EventLog } from '@shop/event-core';
import { eventTopics } from '@shop/schema';
import type { RunningSystem } from '@shop/system';
import { startTestSystem } from './support/scenario.ts';

const dir = mkdtempSync(join(tmpdir(), 'shop-apollo-'));

/** The recipe a React app uses: HTTP for queries and mutations, graphql-ws for subscriptions. */
function apolloClient(url: string) {
  const ws = createClient({ url: url.replace(/^http/, 'ws'), webSocketImpl: WebSocket, retryAttempts: 0 });
  const link = ApolloLink.split(
    ({ query }) => {
      const definition = getMainDefinition(query);
      return definition.kind === 'OperationDefinition' && definition.operation === OperationTypeNode.SUBSCRIPTION;
    },
    new GraphQLWsLink(ws),
    new HttpLink({ uri: url }),
  );
  return { client: new ApolloClient({ link, cache: new InMemoryCache() }), ws };
}

describe('@apollo/client against the gateway', () => {
  let log: EventLog;
  let system: RunningSystem;

  beforeAll(async () => {
    log = createEmbeddedLog({ file: join(dir, 'events.sqlite') });
    system = await startTestSystem(log, eventTopics(`apollo.${randomUUID().slice(0, 8)}.`));
  });
  afterAll(async () => {
    await system?.close();
    await log?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('queries, mutates and subscribes through a split link, and normalizes the payload into the cache', async () => {
    const { client, ws } = apolloClient(system.gateway.url);
    const product = await client.mutate({
      mutation: gql`
        mutation {
          createProduct(input: { name: "Cheese", price: "4.20" }) {
            id
            name
            price
          }
        }
      `,
    });
    const customer = await client.mutate({
      mutation: gql`
        mutation {
          createCustomer(input: { firstName: "Gil", lastName: "Apollo" }) {
            id
            firstName
          }
        }
      `,
    });
    const productId = (product.data as { createProduct: { id: string } }).createProduct.id;
    const customerId = (customer.data as { createCustomer: { id: string } }).createCustomer.id;

    const received: { purchaseMade: { purchase: { customer: { id: string; purchaseCount: number } } } }[] = [];
    const subscription = client
      .subscribe({
        query: gql`
          subscription ($customerId: ID) {
            purchaseMade(customerId: $customerId) {
              position
              purchase {
                id
                total
                product {
                  id
                  name
                }
                customer {
                  id
                  firstName
                  purchaseCount
                  totalSpent
                }
              }
            }
          }
        `,
        variables: { customerId },
      })
      .subscribe({ next: (result) => received.push(result.data as (typeof received)[number]) });
    // A live subscription gets only what is written once the gateway holds it: wait for that, not for a guessed time.
    await expect.poll(() => system.gateway.subscriptionStats().active, { timeout: 30_000, interval: 20 }).toBeGreaterThan(0);

    await client.mutate({
      mutation: gql`
        mutation ($p: ID!, $c: ID!) {
          createPurchase(input: { productId: $p, customerId: $c }) {
            id
            total
          }
        }
      `,
      variables: { p: productId, c: customerId },
    });
    await expect.poll(() => received.length, { timeout: 30_000, interval: 20 }).toBeGreaterThan(0);
    subscription.unsubscribe();
    await ws.dispose();

    expect(received).toHaveLength(1);
    expect(received[0]!.purchaseMade.purchase.customer).toMatchObject({ id: customerId, purchaseCount: 1 });
    // The payload landed in the normalized cache: the customer entity now knows its count.
    expect((client.cache.extract() as Record<string, unknown>)[`Customer:${customerId}`]).toMatchObject({
      firstName: 'Gil',
      purchaseCount: 1,
      totalSpent: '4.20',
    });
  });
});
