import type { EventEnvelope, EventMeta } from '../envelope.ts';
import { isEntityId } from '../ids.ts';
import { parseAsOf, pointInTime, type PointInTime } from '../as-of.ts';
import type { Projector } from '../projector.ts';
import { mapNodes } from '../readmodel/connection.ts';
import type { OrderedPageArgs } from '../readmodel/ordered-page.ts';
import { sortedPageOf, type SortedPageArgs } from '../readmodel/sorted-lists.ts';
import { badInput } from '../errors.ts';
import type { EntityHistory, HistoryPageArgs } from '../readmodel/history.ts';
import type { WholeStateReadModel } from '../readmodel/whole-state-model.ts';
import type { EventWriter } from '../writer.ts';
import { executeMutation } from './mutation.ts';
import type { SubgraphContext } from './subgraph-server.ts';

/** What every mutation of a whole-state entity takes besides its input. */
export interface EntityMutationArgs {
  readonly id?: string;
  readonly expectedVersion?: number | null;
  readonly idempotencyKey?: string | null;
}

export interface WholeStateResolverDeps<
  TState extends { readonly id: string; readonly version: number; readonly deletedAt: string | null },
  TEvent extends EventEnvelope,
  TCommand extends { readonly id: string },
> {
  /** `product`: for messages. */
  readonly kind: string;
  readonly model: WholeStateReadModel<TState, TEvent>;
  readonly writer: EventWriter;
  /** Past states and histories, read from the log on demand. */
  readonly past: EntityHistory<TState, TEvent>;
  /** Waited on for an `asOf` position this subgraph has not applied yet. */
  readonly projector: Pick<Projector, 'waitFor'>;
  /** Bound on that wait, in ms. */
  readonly asOfTimeoutMs: number;
  readonly now: () => Date;
  readonly newEventId: () => string;
  /** The aggregate's pure decide. */
  readonly decide: (
    state: TState | undefined,
    command: TCommand,
    context: { eventId: string; now: string; meta: EventMeta },
  ) => TEvent;
}

/** The arguments of a sorted list field: `orderBy: { field, direction }`, `search`, and paging. */
export interface ListArgs extends OrderedPageArgs {
  readonly orderBy?: { readonly field: string; readonly direction?: 'ASC' | 'DESC' | null } | null;
  readonly search?: string | null;
  readonly asOf?: string | null;
}

/**
 * The order a list is asked for, checked against the orders it offers (the schema's enum does that
 * at the gateway; a subgraph called directly checks again). Default: the first order, ascending.
 */
export function sortedPageArgs<O extends string>(
  { orderBy, search, first, after, offset }: ListArgs,
  orders: readonly O[],
  defaults: { readonly order: O; readonly descending: boolean },
): SortedPageArgs<O> {
  const order = (orderBy?.field ?? defaults.order) as O;
  if (!orders.includes(order)) throw badInput(`orderBy.field must be one of ${orders.join(', ')}`, 'orderBy');
  const descending = orderBy ? orderBy.direction === 'DESC' : defaults.descending;
  return { order, descending, search, first, after, offset };
}

/** An entity as the graph sees it: its state, and the point in time that state is as of (none: now). */
export type At<TState> = TState & { readonly asOf?: string };

/**
 * The resolvers every whole-state entity shares (products, customers): the list and the single
 * query, now or as of a point in time, the entity reference, `asOf` and `history`, and the one way
 * its mutations run. Each subgraph adds its own fields and maps its inputs to commands.
 */
export function wholeStateResolvers<
  TState extends { readonly id: string; readonly version: number; readonly deletedAt: string | null },
  TEvent extends EventEnvelope,
  TCommand extends { readonly id: string },
>({
  kind,
  model,
  writer,
  past,
  projector,
  asOfTimeoutMs,
  now,
  newEventId,
  decide,
}: WholeStateResolverDeps<TState, TEvent, TCommand>) {
  const table = model.table;
  const at = (state: TState, point: PointInTime): At<TState> => ({ ...state, asOf: point.text });
  const point = (asOf: string) => pointInTime(asOf, projector, asOfTimeoutMs);
  const cut = (asOf: PointInTime['asOf']) => model.times.cut(model.topic, asOf);
  /** An entity as of a point in time, deleted or not; undefined before it existed. */
  const stateAt = async (id: string, when: PointInTime): Promise<At<TState> | undefined> => {
    const state = await past.stateAt(id, cut(when.asOf), () => table.get(id));
    return state && at(state, when);
  };

  return {
    /** The list in any order it offers, searched; as of a point in time, rebuilt from the log and sorted. */
    list: async (_: unknown, args: ListArgs) => {
      const spec = model.listSpec!;
      const page = sortedPageArgs(args, Object.keys(spec.orders), { order: 'CREATED_AT', descending: false });
      const { asOf } = args;
      if (asOf === undefined || asOf === null) return model.lists!.page(page);
      const when = await point(asOf);
      const plain = page.order === 'CREATED_AT' && !page.descending && !page.search && !page.offset;
      // In creation order the index of past lists pages in O(page); other orders sort the entities then.
      const connection = plain
        ? await past.listAt(cut(when.asOf), page, (id) => table.get(id))
        : sortedPageOf(await past.allAt(cut(when.asOf), (id) => table.get(id)), spec, page);
      return mapNodes(connection, (state) => at(state, when));
    },
    one: async (
      _: unknown,
      { id, includeDeleted, asOf }: { id: string; includeDeleted?: boolean | null; asOf?: string | null },
    ) => {
      if (!isEntityId(id)) return null;
      if (asOf === undefined || asOf === null) return (includeDeleted ? table.get(id) : table.getLive(id)) ?? null;
      const state = await stateAt(id, await point(asOf));
      return state && (state.deletedAt === null || includeDeleted) ? state : null;
    },
    entity: {
      // References resolve deleted entities too, so what refers to them stays readable.
      __resolveReference: async ({ id, asOf }: { id: string; asOf?: string | null }) => {
        if (asOf === undefined || asOf === null) return table.get(id) ?? null;
        return (await stateAt(id, await point(asOf))) ?? null;
      },
      asOf: (state: At<TState>) => state.asOf ?? null,
      history: (state: At<TState>, args: HistoryPageArgs) =>
        past.page(state.id, args, state.asOf ? cut(parseAsOf(state.asOf)) : undefined),
    },
    /** Runs one command: idempotency, decide, append, wait until applied, read back. */
    execute: (command: TCommand, args: EntityMutationArgs, context: SubgraphContext): Promise<TState> =>
      executeMutation({
        kind,
        writer,
        context,
        idempotencyKey: args.idempotencyKey,
        expectedVersion: args.expectedVersion,
        entityForKey: (key) => model.entityForKey(key),
        inputDigestForKey: (key) => model.inputDigestForKey(key),
        // What the client sent, not the command: a create's command carries a new id every time.
        input: { ...args, idempotencyKey: undefined },
        decide: (meta) => decide(table.get(command.id), command, { eventId: newEventId(), now: now().toISOString(), meta }),
        read: (id) => table.get(id),
      }),
  };
}
