import { creationKey, fold, formatMoney, WholeStateReadModel } from '@shop/event-core';
import { changeKindOf, TOPICS, toProductEvent, type EventTopics, type ProductEvent } from '@shop/schema';
import { evolve, toData, type Product } from './domain.ts';

/** The products read model: the whole-state read model of the product aggregate. */
export class ProductsReadModel extends WholeStateReadModel<Product, ProductEvent> {
  /** Snapshots of this model are stored under this name; raise the version when its state changes shape. */
  readonly snapshotModel = 'products';
  readonly snapshotVersion = 2;

  constructor(topics: EventTopics = TOPICS) {
    super({
      kind: 'product',
      topic: topics.products,
      isCreate: (event) => event.type === 'ProductCreated',
      evolve,
      toEvent: (decoded, record, known) =>
        toProductEvent(decoded, record, (id) => {
          const product = known(id);
          return product && { data: toData(product), version: product.version };
        }),
      fields: (product) => ({ name: product.name, price: formatMoney(product.priceCents), deletedAt: product.deletedAt }),
      changeKind: (event) => changeKindOf(event.type),
      orderKey: (product) => creationKey(product.createdAt, product.id),
      // Ties of a column in creation order, so a list is the same on every instance.
      lists: {
        orders: {
          CREATED_AT: { key: (p) => [creationKey(p.createdAt, p.id)], shape: ['string'] },
          NAME: { key: (p) => [fold(p.name), creationKey(p.createdAt, p.id)], shape: ['string', 'string'] },
          PRICE: { key: (p) => [p.priceCents, creationKey(p.createdAt, p.id)], shape: ['number', 'string'] },
        },
        text: (product) => product.name,
      },
    });
  }

  /** Every product by id, deleted ones included. */
  get products() {
    return this.table;
  }
}
