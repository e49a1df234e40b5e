import {
  EntityHistory,
  formatMoney,
  HistoryIndex,
  TimeIndex,
  WholeStateTable,
  type ApplyOutcome,
  type ChangeKind,
  type Decoded,
  type LogRecord,
  type Projection,
  type RecordReader,
} from '@shop/event-core';
import { TOPICS, type EventTopics, toProductEvent, type ProductEvent } from '@shop/schema';
import { evolve, toData, type Product } from './domain.ts';

/**
 * The products read model: every product by id, in creation order, and the idempotency keys seen;
 * for history and time travel, where each product's events are in the log and when they occurred
 * (positions and times, never copies of past states).
 */
export class ProductsReadModel implements Projection {
  readonly topics: readonly string[];
  readonly topic: string;
  private readonly state = new WholeStateTable<Product, ProductEvent>(
    'product',
    (event) => event.type === 'ProductCreated',
    evolve,
  );
  readonly products = this.state.table;
  readonly history = new HistoryIndex();
  readonly times: TimeIndex;

  constructor(topics: EventTopics = TOPICS) {
    this.topic = topics.products;
    this.topics = [topics.products];
    this.times = new TimeIndex(this.topics);
  }

  entityForKey(key: string): string | undefined {
    return this.state.entityForKey(key);
  }

  apply(topic: string, decoded: Decoded, record: LogRecord): ApplyOutcome {
    const event = toProductEvent(decoded, record, (id) => this.known(this.products.get(id)));
    const outcome = this.state.apply(event);
    // Only events that changed a product are history: a lost race or a retry's duplicate is not.
    if (outcome.ok && !outcome.duplicate) {
      this.history.add(event.entityId, record.partition, record.offset, {
        live: event.data.deletedAt === null,
        legacy: decoded.format === 'legacy',
      });
      this.times.record(topic, record.partition, record.offset, Date.parse(event.occurredAt));
    }
    return outcome;
  }

  /** Past states and histories of products, read from the log on demand through `reader`. */
  pastStates(reader: RecordReader): EntityHistory<Product, ProductEvent> {
    return new EntityHistory<Product, ProductEvent>({
      topic: this.topic,
      index: this.history,
      reader,
      toEvent: (decoded, record, previous) => toProductEvent(decoded, record, () => this.known(previous)),
      evolve,
      fields: (product) => ({ name: product.name, price: formatMoney(product.priceCents), deletedAt: product.deletedAt }),
      kind: changeKind,
    });
  }

  private known(product: Product | undefined) {
    return product && { data: toData(product), version: product.version };
  }
}

function changeKind(event: ProductEvent): ChangeKind {
  switch (event.type) {
    case 'ProductCreated':
      return 'CREATED';
    case 'ProductUpdated':
      return 'UPDATED';
    case 'ProductDeleted':
      return 'DELETED';
    default: {
      const unknown: never = event;
      throw new Error(`unknown event ${JSON.stringify(unknown)}`);
    }
  }
}
