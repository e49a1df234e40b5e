import {
  EntityHistory,
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
import { TOPICS, type EventTopics, toCustomerEvent, type CustomerEvent } from '@shop/schema';
import { evolve, toData, type Customer } from './domain.ts';

/**
 * The customers read model: every customer by id, in creation order, and the idempotency keys
 * seen; for history and time travel, where each customer's events are in the log and when they
 * occurred (positions and times, never copies of past states).
 */
export class CustomersReadModel implements Projection {
  readonly topics: readonly string[];
  readonly topic: string;
  private readonly state = new WholeStateTable<Customer, CustomerEvent>(
    'customer',
    (event) => event.type === 'CustomerCreated',
    evolve,
  );
  readonly customers = this.state.table;
  readonly history = new HistoryIndex();
  readonly times: TimeIndex;

  constructor(topics: EventTopics = TOPICS) {
    this.topic = topics.customers;
    this.topics = [topics.customers];
    this.times = new TimeIndex(this.topics);
  }

  entityForKey(key: string): string | undefined {
    return this.state.entityForKey(key);
  }

  apply(topic: string, decoded: Decoded, record: LogRecord): ApplyOutcome {
    const event = toCustomerEvent(decoded, record, (id) => this.known(this.customers.get(id)));
    const outcome = this.state.apply(event);
    // Only events that changed a customer are history: a lost race or a retry's duplicate is not.
    if (outcome.ok && !outcome.duplicate) {
      this.history.add(event.entityId, record.partition, record.offset, {
        live: event.data.deletedAt === null,
        legacy: decoded.format === 'legacy',
      });
      this.times.record(topic, record.partition, record.offset, Date.parse(event.occurredAt));
    }
    return outcome;
  }

  /** Past states and histories of customers, read from the log on demand through `reader`. */
  pastStates(reader: RecordReader): EntityHistory<Customer, CustomerEvent> {
    return new EntityHistory<Customer, CustomerEvent>({
      topic: this.topic,
      index: this.history,
      reader,
      toEvent: (decoded, record, previous) => toCustomerEvent(decoded, record, () => this.known(previous)),
      evolve,
      fields: (customer) => ({ firstName: customer.firstName, lastName: customer.lastName, deletedAt: customer.deletedAt }),
      kind: changeKind,
    });
  }

  private known(customer: Customer | undefined) {
    return customer && { data: toData(customer), version: customer.version };
  }
}

function changeKind(event: CustomerEvent): ChangeKind {
  switch (event.type) {
    case 'CustomerCreated':
      return 'CREATED';
    case 'CustomerUpdated':
      return 'UPDATED';
    case 'CustomerDeleted':
      return 'DELETED';
    default: {
      const unknown: never = event;
      throw new Error(`unknown event ${JSON.stringify(unknown)}`);
    }
  }
}
