import {
  checkId,
  DateTimeScalar,
  wholeStateResolvers,
  type EntityHistory,
  type EventWriter,
  type Projector,
} from '@shop/event-core';
import type { CustomerEvent } from '@shop/schema';
import { decide, type Customer, type CustomerCommand } from './domain.ts';
import type { Resolvers } from './generated/resolvers-types.ts';
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

/** Thin resolvers: check arguments → command → read model; past states → the log, on demand. */
export function createResolvers({ newId, ...deps }: CustomersResolverDeps): Resolvers {
  const customers = wholeStateResolvers<Customer, CustomerEvent, CustomerCommand>({ kind: 'customer', decide, ...deps });
  return {
    DateTime: DateTimeScalar,
    Query: { customers: customers.list, customer: customers.one },
    Customer: customers.entity,
    Mutation: {
      createCustomer: (_, args, context) =>
        customers.execute(
          { type: 'CreateCustomer', id: newId(), firstName: args.input.firstName, lastName: args.input.lastName },
          args,
          context,
        ),
      updateCustomer: (_, args, context) =>
        customers.execute(
          {
            type: 'UpdateCustomer',
            id: checkId(args.id),
            firstName: args.input.firstName,
            lastName: args.input.lastName,
            expectedVersion: args.expectedVersion,
          },
          args,
          context,
        ),
      deleteCustomer: (_, args, context) =>
        customers.execute({ type: 'DeleteCustomer', id: checkId(args.id), expectedVersion: args.expectedVersion }, args, context),
    },
  };
}
