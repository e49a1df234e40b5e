import { readFileSync } from 'node:fs';
import { parse } from 'graphql';
import {
  newEntityId,
  newEventId,
  RecordReader,
  startEventSourcedSubgraph,
  type RunningEventSourcedSubgraph,
  type SubgraphStartOptions,
} from '@shop/event-core';
import { TOPICS, type EventTopics } from '@shop/schema';
import { ProductsReadModel } from './read-model.ts';
import { createResolvers } from './resolvers.ts';

export { decide, evolve, type Product, type ProductCommand } from './domain.ts';
export { ProductsReadModel } from './read-model.ts';

export const typeDefs = parse(readFileSync(new URL('../schema.graphql', import.meta.url), 'utf8'));

export type ProductsSubgraphOptions = SubgraphStartOptions<EventTopics>;

export interface RunningProductsSubgraph extends RunningEventSourcedSubgraph {
  readonly model: ProductsReadModel;
}

/** Starts the products subgraph on `eventbus.products`; resolves once its read model has caught up. */
export async function startProductsSubgraph({
  port = 4001,
  now = () => new Date(),
  newId = newEntityId,
  topics = TOPICS,
  ...options
}: ProductsSubgraphOptions): Promise<RunningProductsSubgraph> {
  const model = new ProductsReadModel(topics);
  const past = model.pastStates(new RecordReader({ log: options.log, topic: topics.products }));
  const running = await startEventSourcedSubgraph({
    ...options,
    name: 'products',
    port,
    typeDefs,
    projection: model,
    ownTopic: topics.products,
    resolvers: ({ writer, projector }) =>
      createResolvers({
        model,
        writer,
        past,
        projector,
        asOfTimeoutMs: options.consistencyTimeoutMs ?? 5_000,
        now,
        newId,
        newEventId,
      }),
  });
  return { ...running, model };
}
