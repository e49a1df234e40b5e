/**
 * What an application declares about each of its subgraphs, once, in a manifest. Everything that
 * needs the set of subgraphs takes the list of manifests and derives its part from it: the port
 * and URL settings, the one-process system and the separate processes, composition, the
 * gateway's subgraphs and the topics each one follows, the change feed and the subscription fields
 * it serves. This library names no subgraph: the application owns the list.
 */
import type { Decoded } from './codec.ts';
import type { EventEnvelope } from './envelope.ts';
import type { RunningEventSourcedSubgraph, SubgraphStartOptions } from './graphql/run-subgraph.ts';
import type { LogRecord } from './log/port.ts';
import type { ApplyOutcome } from './projector.ts';
import type { ChangeKind } from './readmodel/history.ts';

/** Topic names by the name of the subgraph that owns each topic, with `TOPIC_PREFIX` in front. */
export type TopicNames = Readonly<Record<string, string>>;

/** What starts a subgraph in this process: its options, with the topic names of every subgraph. */
export type StartSubgraph = (options: SubgraphStartOptions<TopicNames>) => Promise<RunningEventSourcedSubgraph>;

export interface SubgraphManifest {
  /** Its name in the supergraph, in logs and metrics, and the key of its topic in {@link TopicNames} (`products`). */
  readonly name: string;
  /** Absolute path of its SDL (`schema.graphql`). */
  readonly sdl: string;
  /** The module that starts it in this process, and the name of the {@link StartSubgraph} it exports. */
  readonly start: { readonly module: string; readonly export: string };
  /** Absolute path of the file that runs it as its own process. */
  readonly main: string;
  /** Its default port. */
  readonly port: number;
  /** The prefix of its settings: `<settings>_PORT` (default {@link port}) and `<settings>_URL` (`PRODUCTS`). */
  readonly settings: string;
  /** The topic its mutations append to, without the prefix (`eventbus.products`). */
  readonly topic: string;
  /**
   * The subgraphs whose topics its read model follows, its own included. Nothing else changes its
   * answers: the gateway's response cache keeps them until an event of one of these topics.
   */
  readonly follows: readonly string[];
  /** How the gateway's change feed reads its topic; none: its events are no subscriber's business. */
  readonly changes?: () => ChangeReader;
  /** The subscription fields it declares in its SDL, which the gateway serves from its changes. */
  readonly subscriptions?: Readonly<Record<string, SubscriptionField>>;
}

/** Another entity a change is an event of: a purchase is one of its product and of its customer. */
export interface EntityRef {
  /** Its GraphQL type (`Product`). */
  readonly type: string;
  readonly id: string;
}

/** One applied event, as a subscriber is told of it (the feed adds where in the log it is). */
export interface EntityChange {
  /** The field of the subscription payload that holds the entity (`product`). */
  readonly entity: string;
  /** The entity's GraphQL type (`Product`). */
  readonly type: string;
  readonly kind: ChangeKind;
  readonly entityId: string;
  /** When it occurred; none (records of the original system): the record's timestamp. */
  readonly occurredAt?: string;
  /** The correlation id of the request that caused it. */
  readonly correlationId?: string;
  /** The other entities it is an event of, by the name of the subscription argument that picks them (`productId`). */
  readonly refs?: Readonly<Record<string, EntityRef>>;
}

/**
 * The change feed's reading of one topic, by the same rules as the subgraphs that apply it, so
 * that a subscriber is told exactly of the events they applied. One per feed: it keeps the least
 * state those rules need, and that state is part of the feed's snapshots.
 */
export interface ChangeReader {
  /** Applies a record; the change is there only when the record changed state (not rejected, not a retry). Throws when it cannot be read. */
  apply(decoded: Decoded, record: LogRecord): { readonly outcome: ApplyOutcome; readonly change?: EntityChange };
  /** The change of a record {@link apply} accepted before (a replay): reads and changes no state. Throws when it cannot be read. */
  describe(decoded: Decoded, record: LogRecord): EntityChange;
  /** Its state as data, copied. */
  toSnapshot(): unknown;
  /** Takes a state of {@link toSnapshot} into this new reader. */
  restore(state: unknown): void;
}

/** What a subscription field follows, and how the gateway hydrates its payload through the federated graph. */
export interface SubscriptionField {
  /** The changes it follows ({@link EntityChange.entity}), and the payload field that holds the entity. */
  readonly entity: string;
  /** The payload's GraphQL type (`ProductChange`). */
  readonly typename: string;
  /** The query field that answers one entity by `id` (`product`). */
  readonly query: string;
  /** Whether that query takes `includeDeleted: true`, so that a deletion's payload still has its entity. */
  readonly includeDeleted: boolean;
  /** Its arguments that pick changes by {@link EntityChange.refs} of the same name; besides these, `id` picks the entity and `after` a position. */
  readonly filters?: readonly string[];
}

/** Subscription fields by name, from every subgraph of a list. */
export type SubscriptionFields = Readonly<Record<string, SubscriptionField>>;

/**
 * Checks that a list of manifests fits together: names, topics, settings and ports each used
 * once, every followed subgraph in the list, and every subscription field declared once by a
 * subgraph that has changes. Throws an error naming each problem.
 */
export function checkManifests(subgraphs: readonly SubgraphManifest[]): void {
  const problems: string[] = [];
  const names = new Set(subgraphs.map(({ name }) => name));
  const once = (what: string, value: (subgraph: SubgraphManifest) => string | number) => {
    const seen = new Map<string | number, string>();
    for (const subgraph of subgraphs) {
      const key = value(subgraph);
      const first = seen.get(key);
      if (first === undefined) seen.set(key, subgraph.name);
      else problems.push(`${subgraph.name} has the ${what} of ${first} (${key})`);
    }
  };
  once('name', ({ name }) => name);
  once('topic', ({ topic }) => topic);
  once('settings', ({ settings }) => settings);
  once('port', ({ port }) => port);
  const fields = new Map<string, string>();
  for (const subgraph of subgraphs) {
    if (!/^[A-Z][A-Z0-9_]*$/.test(subgraph.settings))
      problems.push(`${subgraph.name}: settings "${subgraph.settings}" must be upper case letters, digits and _`);
    for (const followed of subgraph.follows)
      if (!names.has(followed)) problems.push(`${subgraph.name} follows ${followed}, which is not in the list`);
    const offered = Object.keys(subgraph.subscriptions ?? {});
    if (offered.length > 0 && !subgraph.changes)
      problems.push(`${subgraph.name} declares subscriptions (${offered.join(', ')}) but no changes`);
    for (const field of offered) {
      const first = fields.get(field);
      if (first === undefined) fields.set(field, subgraph.name);
      else problems.push(`${subgraph.name} declares the subscription ${field} of ${first}`);
    }
  }
  if (problems.length > 0)
    throw new Error(`The subgraph manifests do not fit together:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
}

/** Each subgraph's topic name, with `prefix` in front, by the subgraph's name. */
export function topicNames(subgraphs: readonly SubgraphManifest[], prefix = ''): TopicNames {
  return Object.fromEntries(subgraphs.map(({ name, topic }) => [name, `${prefix}${topic}`]));
}

/** The topic of the subgraph `name` in `topics`; throws when there is none. */
export function topicOf(topics: TopicNames, name: string): string {
  const topic = topics[name];
  if (topic === undefined)
    throw new Error(`no topic name for subgraph ${name}: the topic names given have ${Object.keys(topics).join(', ')}`);
  return topic;
}

/** The subscription fields of every subgraph of the list, by name. */
export function subscriptionFieldsOf(subgraphs: readonly SubgraphManifest[]): SubscriptionFields {
  return Object.fromEntries(subgraphs.flatMap(({ subscriptions }) => Object.entries(subscriptions ?? {})));
}

/** The function that starts `subgraph` in this process, from the module its manifest names. */
export async function loadSubgraphStart(subgraph: SubgraphManifest): Promise<StartSubgraph> {
  const { module, export: name } = subgraph.start;
  // A module named by data, not by this library: resolved at run time (Vite is told not to try).
  const loaded = (await import(/* @vite-ignore */ module)) as Record<string, unknown>;
  const start = loaded[name];
  if (typeof start !== 'function') throw new Error(`subgraph ${subgraph.name}: ${module} exports no function ${name}`);
  return start as StartSubgraph;
}

/** The change of an event: the parts every reader of an envelope fills the same way. */
export function changeOf(
  event: Pick<EventEnvelope, 'entityId' | 'occurredAt' | 'meta'>,
  parts: Pick<EntityChange, 'entity' | 'type' | 'kind'> & Pick<Partial<EntityChange>, 'refs'>,
): EntityChange {
  return {
    ...parts,
    entityId: event.entityId,
    occurredAt: event.occurredAt,
    ...(event.meta.correlationId ? { correlationId: event.meta.correlationId } : {}),
  };
}
