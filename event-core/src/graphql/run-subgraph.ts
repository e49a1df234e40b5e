import type { DocumentNode } from 'graphql';
import type { Logger } from '../logger.ts';
import type { EventLog } from '../log/port.ts';
import { registerProjectionMetrics } from '../metrics.ts';
import { createProjector, type Projection, type Projector } from '../projector.ts';
import type { SnapshotSettings } from '../snapshot/snapshotter.ts';
import { provisionEventTopics, type TopicRetention } from '../topics.ts';
import { createEventWriter, type EventWriter } from '../writer.ts';
import { startSubgraphServer, type RunningSubgraph, type SubgraphResolvers } from './subgraph-server.ts';

export interface EventSourcedSubgraphOptions {
  readonly name: string;
  readonly typeDefs: DocumentNode;
  readonly projection: Projection;
  /** The topic this subgraph's mutations append to. */
  readonly ownTopic: string;
  readonly resolvers: (deps: { readonly writer: EventWriter; readonly projector: Projector }) => SubgraphResolvers;
  readonly log: EventLog;
  readonly logger: Logger;
  readonly host?: string;
  /** 0 picks a free port. */
  readonly port: number;
  /** Partitions of topics this service creates. Default 1. */
  readonly partitions?: number;
  /** Retention policy of topics this service creates (`TOPIC_RETENTION`). Default `compact`. */
  readonly retention?: TopicRetention;
  /** Bound on a mutation's append + apply, in ms. Default 10000. */
  readonly mutationTimeoutMs?: number;
  /** Bound on waiting for `X-Consistency-Token`, in ms. Default 5000. */
  readonly consistencyTimeoutMs?: number;
  readonly production?: boolean;
  /** Shared secret expected from the gateway (`SUBGRAPH_SECRET`). */
  readonly secret?: string;
  /** Start from the newest usable snapshot and save snapshots there (the projection must be `Snapshottable`). */
  readonly snapshots?: SnapshotSettings;
}

export interface RunningEventSourcedSubgraph extends RunningSubgraph {
  readonly projector: Projector;
}

/**
 * Starts one event-sourced subgraph: creates its topics if needed, serves HTTP at once (`/readyz`
 * says 503 while replaying), replays its topics from the start, and resolves once caught up.
 */
export async function startEventSourcedSubgraph(options: EventSourcedSubgraphOptions): Promise<RunningEventSourcedSubgraph> {
  const { name, projection, ownTopic, log, partitions = 1, retention = 'compact', mutationTimeoutMs = 10_000 } = options;
  const logger = options.logger.child({ service: name });
  await provisionEventTopics(log, projection.topics, partitions, retention);
  const projector = createProjector({
    name,
    log,
    projection,
    logger,
    ...(options.snapshots ? { snapshots: options.snapshots } : {}),
  });
  const writer = createEventWriter({ log, projector, topic: ownTopic, timeoutMs: mutationTimeoutMs });
  const server = await startSubgraphServer({
    ...options,
    logger,
    projector,
    resolvers: options.resolvers({ writer, projector }),
  });
  const unregister = registerProjectionMetrics({ service: name, projector, log });
  try {
    await projector.start();
  } catch (error) {
    unregister();
    await server.close();
    await projector.stop();
    throw error;
  }
  return {
    ...server,
    projector,
    async close() {
      unregister();
      // No new event from here on: the drain below finishes the writes already begun, and a
      // request the server only reads while draining fails with nothing stored.
      writer.close();
      await server.close();
      await projector.stop();
    },
  };
}

/** What every subgraph's `start…Subgraph` takes; `TTopics` is the topic-name map of the schema. */
export interface SubgraphStartOptions<TTopics> {
  readonly log: EventLog;
  readonly logger: Logger;
  readonly host?: string;
  /** 0 picks a free port; each subgraph has its default (4001–4003). */
  readonly port?: number;
  readonly partitions?: number;
  /** Retention policy of the topics it creates (`TOPIC_RETENTION`). Default `compact`. */
  readonly retention?: TopicRetention;
  /** Topic names; default the public ones (`eventbus.*`). */
  readonly topics?: TTopics;
  readonly mutationTimeoutMs?: number;
  readonly consistencyTimeoutMs?: number;
  readonly production?: boolean;
  /** Shared secret expected from the gateway (`SUBGRAPH_SECRET`). */
  readonly secret?: string;
  readonly now?: () => Date;
  readonly newId?: () => string;
  /** Start from the newest usable snapshot and save snapshots there; none: replay from the start. */
  readonly snapshots?: SnapshotSettings;
}
