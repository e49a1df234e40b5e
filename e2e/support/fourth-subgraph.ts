/**
 * A fourth subgraph added by its manifest alone: product reviews from `e2e/fixtures/reviews`, on
 * their own topic, in a list with the shop's three manifests. The list is all the system is given:
 * it composes it, starts it, serves it through the gateway and its subscriptions from the log.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, topicNames, type EventLog } from '@shop/event-core';
import { composeSupergraph, SUBGRAPHS } from '@shop/schema';
import { startSystem, type RunningSystem } from '@shop/system';
import { reviews } from '../fixtures/reviews/manifest.ts';
import { freePort, REPO_ROOT, spawnService, waitReady } from './faults.ts';
import { graphql, ok } from './graphql.ts';
import { CREATE_PRODUCT } from './operations.ts';
import { collect, wsClient } from './ws.ts';

const WITH_REVIEWS = [...SUBGRAPHS, reviews];

const ADD_REVIEW = /* GraphQL */ `
  mutation ($productId: ID!, $rating: Int!, $text: String!) {
    addReview(productId: $productId, rating: $rating, text: $text) {
      id
      rating
      product {
        id
        name
      }
    }
  }
`;
/** The same, sent to the reviews subgraph itself, which knows no product's name. */
const ADD_REVIEW_BEHIND_THE_GATEWAY = /* GraphQL */ `
  mutation ($productId: ID!, $rating: Int!, $text: String!) {
    addReview(productId: $productId, rating: $rating, text: $text) {
      id
    }
  }
`;
const PRODUCT_WITH_REVIEWS = /* GraphQL */ `
  query ($id: ID!) {
    product(id: $id) {
      name
      price
      reviews {
        rating
        text
      }
    }
  }
`;
const REVIEW_ADDED = /* GraphQL */ `
  subscription ($productId: ID, $after: String) {
    reviewAdded(productId: $productId, after: $after) {
      kind
      position
      review {
        rating
        text
        product {
          name
          price
        }
      }
    }
  }
`;

interface ReviewAddedPayload {
  readonly reviewAdded: {
    readonly kind: string;
    readonly position: string;
    readonly review: { rating: number; text: string; product: { name: string; price: string } };
  };
}

export interface FourthSubgraphTarget {
  /** Opens the log the system runs on. */
  readonly openLog: () => EventLog;
  /** Prefixed to every topic, so that runs on a shared broker do not meet. */
  readonly topicPrefix: string;
  /**
   * On a log other processes can share (Kafka): the environment that points a process at it. A
   * second instance of the reviews subgraph then runs as its own process, from its manifest's `main`.
   */
  readonly processEnv?: Readonly<Record<string, string>>;
}

export function describeFourthSubgraph(name: string, target: FourthSubgraphTarget): void {
  describe(`a fourth subgraph added by its manifest alone, on ${name}`, () => {
    const topics = topicNames(WITH_REVIEWS, target.topicPrefix);
    let log: EventLog;
    let system: RunningSystem<(typeof WITH_REVIEWS)[number]['name']>;
    let url: string;

    beforeAll(async () => {
      log = target.openLog();
      system = await startSystem({
        log,
        logger: createLogger({ level: 'silent' }),
        subgraphs: WITH_REVIEWS,
        supergraphSdl: composeSupergraph(WITH_REVIEWS),
        topics,
        ports: { gateway: 0, ...Object.fromEntries(WITH_REVIEWS.map(({ name }) => [name, 0])) },
        // The test writes behind the gateway too, straight to the reviews subgraph.
        openSubgraphs: true,
      });
      url = system.gateway.url;
    });
    afterAll(async () => {
      await system?.close();
      await log?.close();
    });

    const newProduct = async (productName: string) =>
      (await ok(url, CREATE_PRODUCT, { input: { name: productName, price: '2.50' } })).createProduct.id as string;

    it('writes reviews to their own topic and answers them with the product they are of, across subgraphs', async () => {
      const product = await newProduct('Butter');
      const { addReview } = await ok(url, ADD_REVIEW, { productId: product, rating: 5, text: 'Spreads well' });
      expect(addReview).toMatchObject({ rating: 5, product: { id: product, name: 'Butter' } });
      expect((await ok(url, PRODUCT_WITH_REVIEWS, { id: product })).product).toEqual({
        name: 'Butter',
        price: '2.50',
        reviews: [{ rating: 5, text: 'Spreads well' }],
      });
      expect(system.subgraphs.reviews.projector.position()[topics.reviews!]).toBeDefined();
      const refused = await graphql(url, ADD_REVIEW, { productId: product, rating: 9, text: 'Too good' });
      expect(refused.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    });

    it('tells a subscriber of each review of its product, hydrated from the reviews and products subgraphs, and resumes after one', async () => {
      const [jam, tea] = [await newProduct('Jam'), await newProduct('Tea')];
      const ws = wsClient(url);
      try {
        const live = collect<ReviewAddedPayload>(ws, REVIEW_ADDED, { productId: jam });
        await expect.poll(() => system.gateway.subscriptionStats().active, { timeout: 30_000 }).toBeGreaterThanOrEqual(1);
        await ok(url, ADD_REVIEW, { productId: tea, rating: 3, text: 'Weak' });
        await ok(url, ADD_REVIEW, { productId: jam, rating: 4, text: 'Sweet' });
        await ok(url, ADD_REVIEW, { productId: jam, rating: 2, text: 'Too sweet' });
        const [first, second] = await live.waitFor(2);
        expect(first!.reviewAdded).toMatchObject({
          kind: 'CREATED',
          review: { rating: 4, text: 'Sweet', product: { name: 'Jam', price: '2.50' } },
        });
        expect(second!.reviewAdded.review.text).toBe('Too sweet');
        live.dispose();

        const resumed = collect<ReviewAddedPayload>(ws, REVIEW_ADDED, { productId: jam, after: first!.reviewAdded.position });
        const [replayed] = await resumed.waitFor(1);
        expect(replayed!.reviewAdded).toEqual(second!.reviewAdded);
        resumed.dispose();
      } finally {
        await ws.dispose();
      }
    });

    it("drops a cached answer that read a product's reviews once a review of it is written, even behind the gateway", async () => {
      const product = await newProduct('Bread');
      const stats = () => system.gateway.responseCacheStats()!;
      // The first answer of a document teaches the cache that it is a query; the second is kept.
      for (let i = 0; i < 2; i++) await ok(url, PRODUCT_WITH_REVIEWS, { id: product });
      const { hits } = stats();
      expect((await ok(url, PRODUCT_WITH_REVIEWS, { id: product })).product.reviews).toEqual([]);
      expect(stats().hits).toBe(hits + 1);
      await ok(system.subgraphs.reviews.url, ADD_REVIEW_BEHIND_THE_GATEWAY, { productId: product, rating: 4, text: 'Fresh' });
      await expect
        .poll(async () => (await ok(url, PRODUCT_WITH_REVIEWS, { id: product })).product.reviews, { timeout: 30_000 })
        .toEqual([{ rating: 4, text: 'Fresh' }]);
    });

    // Only where another process can reach the same log (Kafka): defined there, never skipped here.
    if (target.processEnv)
      it('runs as its own process too, on the port its manifest settings name, beside the one in this process', async () => {
        const product = await newProduct('Cheese');
        const port = await freePort();
        const service = spawnService(relative(REPO_ROOT, reviews.main), {
          ...target.processEnv,
          TOPIC_PREFIX: target.topicPrefix,
          [`${reviews.settings}_PORT`]: String(port),
        });
        try {
          const own = `http://127.0.0.1:${port}/graphql`;
          await waitReady(service, own);
          await ok(own, ADD_REVIEW_BEHIND_THE_GATEWAY, { productId: product, rating: 3, text: 'Mild' });
          // The gateway calls the instance in this process, which reads the same topic.
          await expect
            .poll(async () => (await ok(url, PRODUCT_WITH_REVIEWS, { id: product })).product.reviews, { timeout: 30_000 })
            .toEqual([{ rating: 3, text: 'Mild' }]);
        } finally {
          service.kill('SIGTERM');
        }
        expect((await service.exited).code, service.output()).toBe(0);
      });

    it('is named by no source file but its own folder and this test', () => {
      const own = (file: string) =>
        file.startsWith('e2e/fixtures/reviews/') ||
        file === 'e2e/support/fourth-subgraph.ts' ||
        file.startsWith('e2e/fourth-subgraph-');
      const source = (file: string) => /\.(ts|tsx|js|mjs|cjs|json|graphql|ya?ml|html|css)$|(^|\/)Dockerfile$/.test(file);
      // Tracked files and new ones alike (git paths use `/`); the docs may cite it as an example.
      const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], {
        cwd: REPO_ROOT,
        encoding: 'utf8',
      }).split('\n');
      const naming = files.filter(
        (file) =>
          source(file) &&
          !own(file) &&
          existsSync(join(REPO_ROOT, file)) &&
          /\breviews?\b|Review|REVIEWS/.test(readFileSync(join(REPO_ROOT, file), 'utf8')),
      );
      expect(files.length).toBeGreaterThan(100);
      expect(naming).toEqual([]);
    });
  });
}
