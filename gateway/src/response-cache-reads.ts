/**
 * What an answer of the response cache read, and what a change touches, in the same terms
 * (docs/decisions/0020-response-cache-by-what-it-read.md). Two kinds of read:
 *
 * - `topic <name>`: anything a subgraph fetch could see of a topic. A root fetch (a list, a
 *   search, one entity by its arguments, history, sales figures) reads every topic its subgraph
 *   follows: which entities it looked at is the subgraph's business, so any change there counts.
 * - `entity <Type> <id>`: one entity. An `_entities` fetch whose selections are only fields
 *   without arguments or selections of their own (a customer's `totalSpent`, a product's `name`)
 *   reads exactly the entities of its representations: each such field of this graph is a
 *   function of the events of that entity (a purchase is an event of its product and its
 *   customer too). Any other `_entities` fetch (a customer's `purchases`, `history`) reads as a
 *   root fetch does.
 *
 * A change touches the topic it was written to and every entity it is an event of. Whatever is
 * not understood here reads everything: a subgraph this module does not know of follows every
 * topic, an unparseable fetch is a root fetch.
 */
import { Kind, parse, type DocumentNode, type SelectionSetNode } from 'graphql';
import type { GraphQLDataSource } from '@apollo/gateway';
import type { GatewayContext } from './data-source.ts';
import type { Change } from './subscriptions/change-feed.ts';

export const topicRead = (topic: string): string => `topic ${topic}`;
export const entityRead = (type: string, id: string): string => `entity ${type} ${id}`;

/** The reads a change touches: its topic, its entity, and the other entities it is an event of (a purchase's product and customer). */
export function readsTouchedBy(change: Change): string[] {
  const reads = [topicRead(change.topic), entityRead(change.type, change.entityId)];
  for (const ref of Object.values(change.refs ?? {})) reads.push(entityRead(ref.type, ref.id));
  return reads;
}

/** Subgraph operations seen, by text: whether each is an `_entities` fetch of plain fields. The query planner reuses its texts. */
const plainEntityFetches = new Map<string, boolean>();
const MAX_REMEMBERED_FETCHES = 2_000;

/** Only fields without arguments or selections (and `__typename`), possibly in inline fragments. */
const onlyPlainFields = (selections: SelectionSetNode): boolean =>
  selections.selections.every((selection) =>
    selection.kind === Kind.INLINE_FRAGMENT
      ? onlyPlainFields(selection.selectionSet)
      : selection.kind === Kind.FIELD && !selection.selectionSet && !selection.arguments?.length && !selection.directives?.length,
  );

function isPlainEntityFetch(query: string): boolean {
  const known = plainEntityFetches.get(query);
  if (known !== undefined) return known;
  let document: DocumentNode | undefined;
  try {
    document = parse(query, { noLocation: true });
  } catch {
    document = undefined;
  }
  const [operation, ...others] = document?.definitions ?? [];
  const [field, ...siblings] = operation?.kind === Kind.OPERATION_DEFINITION ? operation.selectionSet.selections : [];
  const plain =
    others.length === 0 &&
    siblings.length === 0 &&
    operation?.kind === Kind.OPERATION_DEFINITION &&
    operation.operation === 'query' &&
    field?.kind === Kind.FIELD &&
    field.name.value === '_entities' &&
    !field.alias &&
    !field.directives?.length &&
    field.selectionSet !== undefined &&
    onlyPlainFields(field.selectionSet);
  if (plainEntityFetches.size >= MAX_REMEMBERED_FETCHES) plainEntityFetches.clear();
  plainEntityFetches.set(query, plain);
  return plain;
}

/**
 * What one subgraph fetch reads: its representations' entities when it is a plain `_entities`
 * fetch (see the module's rules), else every topic in `follows`.
 */
export function readsOfFetch(
  request: { readonly query?: string; readonly variables?: Record<string, unknown> },
  follows: readonly string[],
): string[] {
  const everything = () => follows.map(topicRead);
  if (!request.query || !isPlainEntityFetch(request.query)) return everything();
  const representations = request.variables?.representations;
  if (!Array.isArray(representations)) return everything();
  const reads: string[] = [];
  for (const representation of representations as unknown[]) {
    const { __typename: type, id } = (representation ?? {}) as { __typename?: unknown; id?: unknown };
    if (typeof type !== 'string' || typeof id !== 'string') return everything();
    reads.push(entityRead(type, id));
  }
  return reads;
}

/**
 * A subgraph's data source that adds what each fetch reads to the request's cache holder (when
 * the response cache may keep its answer), before the fetch: an answer's reads are those of
 * every fetch its query plan made. `follows`: the topics the subgraph's read model follows.
 */
export function recordingReads(
  source: GraphQLDataSource<GatewayContext>,
  follows: readonly string[],
): GraphQLDataSource<GatewayContext> {
  return {
    process: (options) => {
      const holder = (options.context as GatewayContext | undefined)?.cache;
      if (holder) (holder.reads ??= []).push(...readsOfFetch(options.request, follows));
      return source.process(options);
    },
  };
}
