import { checkId, DateTimeScalar, executeMutation, isEntityId, type EventWriter, type PageArgs, type SubgraphContext, type SubgraphResolvers } from '@shop/event-core';
import { decide, type Customer, type CustomerCommand } from './domain.ts';
import type { CustomersReadModel } from './read-model.ts';

export interface CustomersResolverDeps {
  readonly model: CustomersReadModel;
  readonly writer: EventWriter;
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

/** Thin resolvers: check arguments → command → read model. */
export function createResolvers({ model, writer, now, newId, newEventId }: CustomersResolverDeps): SubgraphResolvers {
  const execute = (command: CustomerCommand, args: MutationArgs, context: SubgraphContext): Promise<Customer> =>
    executeMutation({
      kind: 'customer',
      writer,
      context,
      idempotencyKey: args.idempotencyKey,
      expectedVersion: args.expectedVersion,
      entityForKey: (key) => model.entityForKey(key),
      decide: (meta) => decide(model.customers.get(command.id), command, { eventId: newEventId(), now: now().toISOString(), meta }),
      read: (id) => model.customers.get(id),
    });

  return {
    DateTime: DateTimeScalar,
    Query: {
      customers: (_: unknown, args: PageArgs) => model.customers.page(args),
      customer: (_: unknown, { id, includeDeleted }: { id: string; includeDeleted?: boolean | null }) =>
        isEntityId(id) ? ((includeDeleted ? model.customers.get(id) : model.customers.getLive(id)) ?? null) : null,
    },
    Customer: {
      __resolveReference: ({ id }: { id: string }) => model.customers.get(id) ?? null,
    },
    Mutation: {
      createCustomer: (_: unknown, args: MutationArgs, context: SubgraphContext) =>
        execute({ type: 'CreateCustomer', id: newId(), firstName: args.input?.firstName ?? '', lastName: args.input?.lastName ?? '' }, args, context),
      updateCustomer: (_: unknown, args: MutationArgs, context: SubgraphContext) =>
        execute(
          { type: 'UpdateCustomer', id: checkId(args.id), firstName: args.input?.firstName, lastName: args.input?.lastName, expectedVersion: args.expectedVersion },
          args,
          context,
        ),
      deleteCustomer: (_: unknown, args: MutationArgs, context: SubgraphContext) =>
        execute({ type: 'DeleteCustomer', id: checkId(args.id), expectedVersion: args.expectedVersion }, args, context),
    },
  } as SubgraphResolvers;
}
