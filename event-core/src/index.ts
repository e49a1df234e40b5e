export type { EventEnvelope, EventMeta } from './envelope.ts';
export { envelopeSchema } from './envelope.ts';
export { actorFrom, correlationIdFrom, MAX_ACTOR_LENGTH, MAX_CORRELATION_ID_LENGTH } from './request-meta.ts';
export { decodeRecord, encodeEvent, DecodeError, MAX_EVENT_BYTES, type Decoded, type LegacyRecord } from './codec.ts';
export * from './log/port.ts';
export { createEmbeddedLog, type EmbeddedLogOptions } from './log/embedded.ts';
export { createKafkaLog, type KafkaLogOptions } from './log/kafka/log.ts';
export { partitionFor } from './log/partitioner.ts';
export {
  KEPT_SNAPSHOTS,
  DEFAULT_MAX_CHUNK_BYTES,
  type StoredSnapshot,
  type SnapshotStore,
  type SnapshotStoreOptions,
} from './snapshot/store.ts';
export { snapshotTopicName, SNAPSHOT_TOPIC_CONFIG } from './snapshot/kafka-store.ts';
export {
  type Position,
  InvalidPositionError,
  positionAfter,
  positionToken,
  mergePositions,
  hasReached,
  encodePosition,
  decodePosition,
} from './position.ts';
export { parseAsOf, formatAsOf, pointInTime, type AsOf, type PointInTime } from './as-of.ts';
export { defineEventVersions, type EventVersions, type EventVersionsSpec, type Upcaster } from './upcast.ts';
export { DomainError, badInput, notFound, conflict, type ErrorCode } from './errors.ts';
export { parseMoney, formatMoney, MAX_CENTS } from './money.ts';
export { newEntityId, newEventId, isEntityId, ENTITY_ID_PATTERN } from './ids.ts';
export { createLogger, silentLogger, type Logger, type LoggerOptions } from './logger.ts';
export {
  loadConfig,
  configSchemaFor,
  subgraphSettings,
  subgraphSettingsOf,
  ConfigError,
  type BaseConfig,
  type Config,
  type SubgraphSettings,
  type SubgraphSettingsSource,
} from './config.ts';
export {
  createProjector,
  applied,
  duplicateOf,
  rejected,
  type ApplyOutcome,
  type Projection,
  type Projector,
  type ProjectorOptions,
  type EventOutcome,
} from './projector.ts';
export {
  createEventWriter,
  runCommand,
  type EventWriter,
  type Written,
  type CommandDecision,
  type StoredOutcome,
} from './writer.ts';
export { toGraphQLError, formatError } from './graphql/errors.ts';
export { MoneyScalar, DateTimeScalar } from './graphql/scalars.ts';
export { graphqlPostListener, executeGraphQLPost, sendGraphQLResponse, type GraphQLPostRoute } from './graphql/http.ts';
export { listen, requestHeader, sendError, type ListenOptions } from './http/server.ts';
export { serviceRoutes, type MetricsAccess, type Readiness, type ServiceRoutesOptions } from './http/service-routes.ts';
export {
  startSubgraphServer,
  CONSISTENCY_HEADER,
  CORRELATION_HEADER,
  READ_AT_HEADER,
  NOT_SERVED_HEADER,
  PREFER_POSITION_HEADER,
  PREFERENCE_MISSED_HEADER,
  SUBGRAPH_SECRET_HEADER,
  secretsMatch,
  type SubgraphContext,
  type SubgraphResolvers,
  type RunningSubgraph,
  type SubgraphServerOptions,
} from './graphql/subgraph-server.ts';
export type { CompleteResolvers, FieldsNeedingResolvers } from './graphql/complete-resolvers.ts';
export {
  provisionEventTopics,
  eventTopicConfig,
  EVENT_TOPIC_CONFIG,
  FULL_HISTORY_TOPIC_CONFIG,
  type TopicRetention,
} from './topics.ts';
export * from './readmodel/index.ts';
export {
  startEventSourcedSubgraph,
  type EventSourcedSubgraphOptions,
  type RunningEventSourcedSubgraph,
  type SubgraphStartOptions,
} from './graphql/run-subgraph.ts';
export { openEventLog, snapshotSettingsFrom } from './open-log.ts';
export { checkExpectedVersion, type CommandContext, type Decider } from './decider.ts';
export { digestValue, inputDigest, inputsDiffer, reusedKey } from './idempotency.ts';
export {
  configOrExit,
  runServiceMain,
  runSubgraphMain,
  handleShutdownSignals,
  exitFailedStart,
  type ServiceMainOptions,
  type ShutdownOptions,
} from './main.ts';
export {
  checkManifests,
  changeOf,
  loadSubgraphStart,
  subscriptionFieldsOf,
  topicNames,
  topicOf,
  type ChangeReader,
  type EntityChange,
  type EntityRef,
  type StartSubgraph,
  type SubgraphManifest,
  type SubscriptionField,
  type SubscriptionFields,
  type TopicNames,
} from './subgraph-manifest.ts';
export {
  createdOnceChanges,
  wholeStateChanges,
  type CreatedOnceChangesSpec,
  type WholeStateChangesSpec,
} from './change-readers.ts';
export {
  checkPortsFree,
  startFailureMessage,
  portsInUseMessage,
  StartFailure,
  type PortSetting,
  type StartSettings,
} from './start-failure.ts';
export { executeMutation, checkId, checkIdempotencyKey, type MutationSpec } from './graphql/mutation.ts';
export {
  metricsRegistry,
  metricsText,
  observeMutation,
  registerProjectionMetrics,
  registerSubscriptionMetrics,
} from './metrics.ts';
export {
  wholeStateResolvers,
  sortedPageArgs,
  type ListArgs,
  type WholeStateResolverDeps,
  type EntityMutationArgs,
  type At,
} from './graphql/whole-state-resolvers.ts';
export {
  startTracing,
  tracingOn,
  traceHeaders,
  inSpan,
  SpanKind,
  type Tracing,
  type TracingOptions,
  type TracesExporter,
} from './tracing.ts';
export {
  decodeSnapshot,
  encodeSnapshot,
  readSnapshotHeader,
  SnapshotError,
  SNAPSHOT_FORMAT,
  type SnapshotHeader,
  type SnapshotProblem,
} from './snapshot/format.ts';
export {
  isSnapshottable,
  Snapshotter,
  SNAPSHOT_DEFAULTS,
  type Snapshottable,
  type SnapshotSettings,
  type SnapshotStats,
} from './snapshot/snapshotter.ts';
