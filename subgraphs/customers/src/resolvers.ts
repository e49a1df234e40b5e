import {
  checkId,
  DateTimeScalar,
  executeMutation,
  isEntityId,
  mapNodes,
  parseAsOf,
  pointInTime,
  type EntityHistory,
  type EventWriter,
  type HistoryPageArgs,
  type PageArgs,
  type PointInTime,
  type Projector,
  type SubgraphContext,
  type SubgraphResolvers,
} from '@shop/event-core';
import type { CustomerEvent } from '@shop/schema';
import { decide, type Customer, type CustomerCommand } from './domain.ts';
import type { CustomersReadModel } from './read-model.ts';

export interface CustomersResolverDeps {
  readonly model: CustomersReadModel;
  readonly writer: EventWriter;
  /** Past states and histories, read from the log on demand. */
  readonly past: EntityHistory<Customer, CustomerEvent>;
  /** Waited on for an `asOf` position this subgraph has not applied yet. */
  readonly projector: Pick<Projector, 'waitFor'>;
  /** Bound on that wait, in ms. */
  readonly asOfTimeoutMs: number;
  readonly now: () => Date;
  readonly newId: () => string;
  readonly newEventId: () => string;
}

interface MutationArgs {
  readonly id?: string;
  readonly input?: { readonly firstName?: string | null; readonly lastName?: string | null };
  readonly expectedVersion?: number | null;
  readonly idempotencyKey?: string | null;
}

/** A customer as the graph sees it: their state, and the point in time that state is as of (none: now). */
type CustomerAt = Customer & { readonly asOf?: string };

const at = (customer: Customer, point: PointInTime): CustomerAt => ({ ...customer, asOf: point.text });

/** Thin resolvers: check arguments → command → read model; past states → the log, on demand. */
export function createResolvers({
  model,
  writer,
  past,
  projector,
  asOfTimeoutMs,
  now,
  newId,
  newEventId,
}: CustomersResolverDeps): SubgraphResolvers {
  const execute = (command: CustomerCommand, args: MutationArgs, context: SubgraphContext): Promise<Customer> =>
    executeMutation({
      kind: 'customer',
      writer,
      context,
      idempotencyKey: args.idempotencyKey,
      expectedVersion: args.expectedVersion,
      entityForKey: (key) => model.entityForKey(key),
      decide: (meta) =>
        decide(model.customers.get(command.id), command, { eventId: newEventId(), now: now().toISOString(), meta }),
      read: (id) => model.customers.get(id),
    });

  const point = (asOf: string) => pointInTime(asOf, projector, asOfTimeoutMs);
  const cut = (asOf: PointInTime['asOf']) => model.times.cut(model.topic, asOf);
  /** A customer as of a point in time, deleted or not; undefined before they existed. */
  const customerAt = async (id: string, when: PointInTime): Promise<CustomerAt | undefined> => {
    const customer = await past.stateAt(id, cut(when.asOf), () => model.customers.get(id));
    return customer && at(customer, when);
  };

  return {
    DateTime: DateTimeScalar,
    Query: {
      customers: async (_: unknown, { asOf, ...args }: PageArgs & { asOf?: string | null }) => {
        if (asOf === undefined || asOf === null) return model.customers.page(args);
        const when = await point(asOf);
        return mapNodes(await past.listAt(cut(when.asOf), args, (id) => model.customers.get(id)), (customer) =>
          at(customer, when),
        );
      },
      customer: async (
        _: unknown,
        { id, includeDeleted, asOf }: { id: string; includeDeleted?: boolean | null; asOf?: string | null },
      ) => {
        if (!isEntityId(id)) return null;
        if (asOf === undefined || asOf === null)
          return (includeDeleted ? model.customers.get(id) : model.customers.getLive(id)) ?? null;
        const customer = await customerAt(id, await point(asOf));
        return customer && (customer.deletedAt === null || includeDeleted) ? customer : null;
      },
    },
    Customer: {
      // References resolve deleted customers too, so what refers to them stays readable.
      __resolveReference: async ({ id, asOf }: { id: string; asOf?: string | null }) => {
        if (asOf === undefined || asOf === null) return model.customers.get(id) ?? null;
        return (await customerAt(id, await point(asOf))) ?? null;
      },
      asOf: (customer: CustomerAt) => customer.asOf ?? null,
      history: (customer: CustomerAt, args: HistoryPageArgs) =>
        past.page(customer.id, args, customer.asOf ? cut(parseAsOf(customer.asOf)) : undefined),
    },
    Mutation: {
      createCustomer: (_: unknown, args: MutationArgs, context: SubgraphContext) =>
        execute(
          { type: 'CreateCustomer', id: newId(), firstName: args.input?.firstName ?? '', lastName: args.input?.lastName ?? '' },
          args,
          context,
        ),
      updateCustomer: (_: unknown, args: MutationArgs, context: SubgraphContext) =>
        execute(
          {
            type: 'UpdateCustomer',
            id: checkId(args.id),
            firstName: args.input?.firstName,
            lastName: args.input?.lastName,
            expectedVersion: args.expectedVersion,
          },
          args,
          context,
        ),
      deleteCustomer: (_: unknown, args: MutationArgs, context: SubgraphContext) =>
        execute({ type: 'DeleteCustomer', id: checkId(args.id), expectedVersion: args.expectedVersion }, args, context),
    },
  } as SubgraphResolvers;
}
