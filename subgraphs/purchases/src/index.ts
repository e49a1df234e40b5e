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
import { PurchasesReadModel } from './read-model.ts';
import { createResolvers } from './resolvers.ts';

export { decide, evolve, type Purchase, type PurchaseCommand, type DecisionView } from './domain.ts';
export { PurchasesReadModel } from './read-model.ts';

export const typeDefs = parse(readFileSync(new URL('../schema.graphql', import.meta.url), 'utf8'));

export type PurchasesSubgraphOptions = SubgraphStartOptions<EventTopics>;

export interface RunningPurchasesSubgraph extends RunningEventSourcedSubgraph {
  readonly model: PurchasesReadModel;
}

/** Starts the purchases subgraph on `eventbus.purchases`; resolves once its read model has caught up. */
export async function startPurchasesSubgraph({
  port = 4003,
  now = () => new Date(),
  newId = newEntityId,
  topics = TOPICS,
  ...options
}: PurchasesSubgraphOptions): Promise<RunningPurchasesSubgraph> {
  const model = new PurchasesReadModel(topics);
  const running = await startEventSourcedSubgraph({
    ...options,
    name: 'purchases',
    port,
    typeDefs,
    projection: model,
    ownTopic: topics.purchases,
    resolvers: ({ writer, projector }) =>
      createResolvers({
        model,
        writer,
        reader: new RecordReader({ log: options.log, topic: topics.purchases }),
        mirrorReaders: {
          products: new RecordReader({ log: options.log, topic: topics.products }),
          customers: new RecordReader({ log: options.log, topic: topics.customers }),
        },
        projector,
        asOfTimeoutMs: options.consistencyTimeoutMs ?? 5_000,
        now,
        newId,
        newEventId,
      }),
  });
  return { ...running, model };
}
