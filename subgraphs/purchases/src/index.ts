import { readFileSync } from 'node:fs';
import { parse } from 'graphql';
import {
  newEntityId,
  newEventId,
  RecordReader,
  startEventSourcedSubgraph,
  type EventLog,
  type Logger,
  type RunningEventSourcedSubgraph,
  type TopicRetention,
} from '@shop/event-core';
import { TOPICS, type EventTopics } from '@shop/schema';
import { PurchasesReadModel } from './read-model.ts';
import { createResolvers } from './resolvers.ts';

export { decide, evolve, type Purchase, type PurchaseCommand, type DecisionView } from './domain.ts';
export { PurchasesReadModel } from './read-model.ts';

export const typeDefs = parse(readFileSync(new URL('../schema.graphql', import.meta.url), 'utf8'));

export interface PurchasesSubgraphOptions {
  readonly log: EventLog;
  readonly logger: Logger;
  readonly host?: string;
  /** Default 4003; 0 picks a free port. */
  readonly port?: number;
  readonly partitions?: number;
  /** Retention policy of the topics it creates (`TOPIC_RETENTION`). Default `compact`. */
  readonly retention?: TopicRetention;
  /** Topic names; default the public ones (`eventbus.*`). */
  readonly topics?: EventTopics;
  readonly mutationTimeoutMs?: number;
  readonly consistencyTimeoutMs?: number;
  readonly production?: boolean;
  /** Shared secret expected from the gateway (`SUBGRAPH_SECRET`). */
  readonly secret?: string;
  readonly now?: () => Date;
  readonly newId?: () => string;
}

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
        projector,
        asOfTimeoutMs: options.consistencyTimeoutMs ?? 5_000,
        now,
        newId,
        newEventId,
      }),
  });
  return { ...running, model };
}
