import { creationKey, fold, WholeStateReadModel } from '@shop/event-core';
import { changeKindOf, TOPICS, toCustomerEvent, type CustomerEvent, type EventTopics } from '@shop/schema';
import { evolve, toData, type Customer } from './domain.ts';

/** The customers read model: the whole-state read model of the customer aggregate. */
export class CustomersReadModel extends WholeStateReadModel<Customer, CustomerEvent> {
  /** Snapshots of this model are stored under this name; raise the version when its state changes shape. */
  readonly snapshotModel = 'customers';
  readonly snapshotVersion = 2;

  constructor(topics: EventTopics = TOPICS) {
    super({
      kind: 'customer',
      topic: topics.customers,
      isCreate: (event) => event.type === 'CustomerCreated',
      evolve,
      toEvent: (decoded, record, known) =>
        toCustomerEvent(decoded, record, (id) => {
          const customer = known(id);
          return customer && { data: toData(customer), version: customer.version };
        }),
      fields: (customer) => ({ firstName: customer.firstName, lastName: customer.lastName, deletedAt: customer.deletedAt }),
      changeKind: (event) => changeKindOf(event.type),
      orderKey: (customer) => creationKey(customer.createdAt, customer.id),
      // Ties of a column in creation order, so a list is the same on every instance.
      lists: {
        orders: {
          CREATED_AT: { key: (c) => [creationKey(c.createdAt, c.id)], shape: ['string'] },
          NAME: {
            key: (c) => [fold(c.lastName), fold(c.firstName), creationKey(c.createdAt, c.id)],
            shape: ['string', 'string', 'string'],
          },
        },
        text: (customer) => `${customer.firstName} ${customer.lastName}`,
      },
    });
  }

  /** Every customer by id, deleted ones included. */
  get customers() {
    return this.table;
  }
}
