import { WholeStateTable, type ApplyOutcome, type Decoded, type LogRecord, type Projection } from '@shop/event-core';
import { TOPICS, type EventTopics, toProductEvent, type ProductEvent } from '@shop/schema';
import { evolve, toData, type Product } from './domain.ts';

/** The products read model: every product by id, in creation order, and the idempotency keys seen. */
export class ProductsReadModel implements Projection {
  readonly topics: readonly string[];
  private readonly state = new WholeStateTable<Product, ProductEvent>('product', (event) => event.type === 'ProductCreated', evolve);
  readonly products = this.state.table;

  constructor(topics: EventTopics = TOPICS) {
    this.topics = [topics.products];
  }

  entityForKey(key: string): string | undefined {
    return this.state.entityForKey(key);
  }

  apply(_topic: string, decoded: Decoded, record: LogRecord): ApplyOutcome {
    return this.state.apply(
      toProductEvent(decoded, record, (id) => {
        const product = this.products.get(id);
        return product && { data: toData(product), version: product.version };
      }),
    );
  }
}

