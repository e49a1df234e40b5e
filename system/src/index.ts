import { randomBytes } from 'node:crypto';
import {
  checkManifests,
  loadSubgraphStart,
  topicNames,
  type EventLog,
  type Logger,
  type RunningEventSourcedSubgraph,
  type SnapshotSettings,
  type SubgraphManifest,
  type TopicNames,
  type TopicRetention,
} from '@shop/event-core';
import { SUBGRAPHS, type SubgraphName } from '@shop/schema';
import { startGateway, type GatewayOptions, type RunningGateway } from '@shop/gateway';

export interface SystemOptions<Name extends string = SubgraphName> {
  readonly log: EventLog;
  readonly logger: Logger;
  readonly host?: string;
  /**
   * The subgraphs, by their manifests; default the shop's (`SUBGRAPHS`). With others, pass their
   * composed `supergraphSdl` as well.
   */
  readonly subgraphs?: readonly (SubgraphManifest & { readonly name: Name })[];
  /** The composed supergraph; default the checked-in one, of the shop's subgraphs. */
  readonly supergraphSdl?: string;
  /** Ports of the gateway (default 4000) and of each subgraph by its name (default its manifest's); 0 picks free ones (tests). */
  readonly ports?: { readonly gateway?: number } & { readonly [N in NoInfer<Name>]?: number };
  readonly partitions?: number;
  /** Retention of the topics the services create (`TOPIC_RETENTION`). Default `compact`. */
  readonly retention?: TopicRetention;
  /** The topic of each subgraph, by its name; default the public ones (`eventbus.*`). */
  readonly topics?: TopicNames;
  readonly mutationTimeoutMs?: number;
  readonly consistencyTimeoutMs?: number;
  readonly production?: boolean;
  /**
   * Tokens, subgraph secret, introspection, origins and query limits of the gateway. Without a
   * subgraph secret, one is made at start: the subgraphs answer the gateway only.
   */
  readonly security?: GatewayOptions['security'];
  /** Subgraphs that answer anyone when no secret is given (tests that call a subgraph directly). Default false. */
  readonly openSubgraphs?: boolean;
  /** Bounds of the gateway's response cache, or `false` for none. Default: its defaults. */
  readonly responseCache?: GatewayOptions['responseCache'];
  /** Read-model snapshots of the subgraphs and the gateway's change feed; none: every start replays the whole log. */
  readonly snapshots?: SnapshotSettings | undefined;
}

export interface RunningSystem<Name extends string = SubgraphName> {
  readonly gateway: RunningGateway;
  /** Each subgraph, by its name. */
  readonly subgraphs: { readonly [N in Name]: RunningEventSourcedSubgraph };
  /** Stops the gateway, then the subgraphs. The log stays open: its owner closes it. */
  close(): Promise<void>;
}

/**
 * The whole system in one process: every subgraph of the manifests (each replays the log before
 * it resolves) and the gateway in front of them. The one way to start everything, for `npm start`
 * and tests.
 */
export async function startSystem<Name extends string = SubgraphName>({
  log,
  logger,
  host = '127.0.0.1',
  // The shop's subgraphs go with the default `Name`, their names.
  subgraphs = SUBGRAPHS as unknown as readonly (SubgraphManifest & { readonly name: Name })[],
  supergraphSdl,
  ports = {},
  topics = topicNames(subgraphs),
  security: configured,
  responseCache,
  openSubgraphs = false,
  ...rest
}: SystemOptions<Name>): Promise<RunningSystem<Name>> {
  checkManifests(subgraphs);
  // In one process, nobody else needs the secret: a random one keeps strangers off the subgraphs' ports.
  const subgraphSecret = configured?.subgraphSecret ?? (openSubgraphs ? undefined : randomBytes(24).toString('base64url'));
  const security = subgraphSecret ? { ...configured, subgraphSecret } : configured;
  const common = { log, logger, host, topics, ...rest, ...(subgraphSecret ? { secret: subgraphSecret } : {}) };
  const portOf = ports as Readonly<Record<string, number | undefined>>;
  const started = await Promise.all(
    subgraphs.map(async (subgraph) => {
      const start = await loadSubgraphStart(subgraph);
      return [subgraph.name, await start({ ...common, port: portOf[subgraph.name] ?? subgraph.port })] as const;
    }),
  );
  const running = Object.fromEntries(started) as { readonly [N in Name]: RunningEventSourcedSubgraph };
  const gateway = await startGateway({
    logger: logger.child({ service: 'gateway' }),
    host,
    port: ports.gateway ?? 4000,
    production: rest.production ?? false,
    subgraphs,
    subgraphUrls: Object.fromEntries(started.map(([name, subgraph]) => [name, subgraph.url])),
    ...(supergraphSdl ? { supergraphSdl } : {}),
    log,
    topics,
    ...(security ? { security } : {}),
    ...(responseCache === undefined ? {} : { responseCache }),
    // The same store as the subgraphs': one process, one log.
    ...(rest.snapshots ? { snapshots: rest.snapshots } : {}),
  });
  return {
    gateway,
    subgraphs: running,
    async close() {
      await gateway.close();
      await Promise.all(started.map(([, subgraph]) => subgraph.close()));
    },
  };
}
