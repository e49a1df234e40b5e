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
import { CustomersReadModel } from './read-model.ts';
import { createResolvers } from './resolvers.ts';

export { decide, evolve, type Customer, type CustomerCommand } from './domain.ts';
export { CustomersReadModel } from './read-model.ts';

export const typeDefs = parse(readFileSync(new URL('../schema.graphql', import.meta.url), 'utf8'));

export type CustomersSubgraphOptions = SubgraphStartOptions<EventTopics>;

export interface RunningCustomersSubgraph extends RunningEventSourcedSubgraph {
  readonly model: CustomersReadModel;
}

/** Starts the customers subgraph on `eventbus.customers`; resolves once its read model has caught up. */
export async function startCustomersSubgraph({
  port = 4002,
  now = () => new Date(),
  newId = newEntityId,
  topics = TOPICS,
  ...options
}: CustomersSubgraphOptions): Promise<RunningCustomersSubgraph> {
  const model = new CustomersReadModel(topics);
  const past = model.pastStates(new RecordReader({ log: options.log, topic: topics.customers }));
  const running = await startEventSourcedSubgraph({
    ...options,
    name: 'customers',
    port,
    typeDefs,
    projection: model,
    ownTopic: topics.customers,
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
