import { WholeStateTable, type ApplyOutcome, type Decoded, type LogRecord, type Projection } from '@shop/event-core';
import { TOPICS, type EventTopics, toCustomerEvent, type CustomerEvent } from '@shop/schema';
import { evolve, toData, type Customer } from './domain.ts';

/** The customers read model: every customer by id, in creation order, and the idempotency keys seen. */
export class CustomersReadModel implements Projection {
  readonly topics: readonly string[];
  private readonly state = new WholeStateTable<Customer, CustomerEvent>('customer', (event) => event.type === 'CustomerCreated', evolve);
  readonly customers = this.state.table;

  constructor(topics: EventTopics = TOPICS) {
    this.topics = [topics.customers];
  }

  entityForKey(key: string): string | undefined {
    return this.state.entityForKey(key);
  }

  apply(_topic: string, decoded: Decoded, record: LogRecord): ApplyOutcome {
    return this.state.apply(
      toCustomerEvent(decoded, record, (id) => {
        const customer = this.customers.get(id);
        return customer && { data: toData(customer), version: customer.version };
      }),
    );
  }
}

