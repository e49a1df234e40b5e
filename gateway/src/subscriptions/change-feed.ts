import {
  createProjector,
  DecodeError,
  decodeRecord,
  positionAfter,
  tracingOn,
  WholeStateTable,
  type ApplyOutcome,
  type Decoded,
  type EventLog,
  type Logger,
  type LogRecord,
  type Position,
  type Projection,
  type Projector,
  type Snapshottable,
  type SnapshotSettings,
  type Versioned,
  type WholeStateTableSnapshot,
} from '@shop/event-core';
import {
  changeKindOf,
  toCustomerEvent,
  toProductEvent,
  toPurchaseEvent,
  type CustomerData,
  type CustomerEvent,
  type EventTopics,
  type ProductData,
  type ProductEvent,
} from '@shop/schema';

export type ChangeKind = 'CREATED' | 'UPDATED' | 'DELETED';
export type Entity = 'product' | 'customer' | 'purchase';

/** One applied change, as subscriptions see it. Rejected events (lost races, retries) are never changes. */
export interface Change {
  readonly entity: Entity;
  readonly kind: ChangeKind;
  readonly entityId: string;
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  /** The position just after this change: a payload's `position`, and a client's `after` to resume. */
  readonly position: Position;
  readonly occurredAt: string;
  /** The correlation id of the request that caused the change, so its logs can be followed. */
  readonly correlationId?: string;
  /** The trace context of the record (`traceparent`), kept when tracing is on: its payloads continue the trace. */
  readonly trace?: Readonly<Record<string, string>>;
  /** Purchases only: what `purchaseMade(productId, customerId)` filters on. */
  readonly productId?: string;
  readonly customerId?: string;
}

export type ChangeListener = (change: Change) => void;

interface Mirrored<D> extends Versioned {
  readonly data: D;
}

/** The change feed's snapshots: their name in the store, and the version of the shape of its state (raise it when that changes). */
export const CHANGE_FEED_SNAPSHOTS = { model: 'gateway-changes', version: 1 } as const;

/** The feed's state as data: what a snapshot of it holds ({@link ChangeFeed.toSnapshot}). */
export interface ChangeFeedSnapshot {
  readonly products: WholeStateTableSnapshot<Mirrored<ProductData>>;
  readonly customers: WholeStateTableSnapshot<Mirrored<CustomerData>>;
  readonly purchaseIds: readonly string[];
  readonly purchaseKeys: readonly string[];
  readonly notChanges: readonly string[];
}

const mirror = <D extends { id: string; deletedAt: string | null }>(
  _: unknown,
  event: { version: number; data: D },
): Mirrored<D> => ({
  id: event.data.id,
  version: event.version,
  deletedAt: event.data.deletedAt,
  data: event.data,
});

/**
 * The gateway's own reading of the three topics, by the same rules as the subgraphs, so that a
 * subscriber is told exactly about the events the subgraphs applied. It keeps the least it needs:
 * products and customers (small), purchase ids and idempotency keys, and the offsets it rejected
 * so that a replay from `after` can skip them without rebuilding state.
 *
 * With snapshot settings it starts from its newest snapshot and reads only the tail, as the
 * subgraphs do. The rejected offsets are part of the snapshot: a subscriber may resume from an
 * `after` older than the snapshot, and its replay must skip the same records as before the restart.
 */
export class ChangeFeed implements Projection, Snapshottable {
  readonly topics: readonly string[];
  readonly snapshotModel = CHANGE_FEED_SNAPSHOTS.model;
  readonly snapshotVersion = CHANGE_FEED_SNAPSHOTS.version;
  private readonly products = new WholeStateTable<Mirrored<ProductData>, ProductEvent>(
    'product',
    (e) => e.type === 'ProductCreated',
    mirror,
  );
  private readonly customers = new WholeStateTable<Mirrored<CustomerData>, CustomerEvent>(
    'customer',
    (e) => e.type === 'CustomerCreated',
    mirror,
  );
  private readonly purchaseIds = new Set<string>();
  private readonly purchaseKeys = new Set<string>();
  /** "topic partition offset" of every record that is not a change. Rejections are rare, so this stays small. */
  private readonly notChanges = new Set<string>();
  private readonly listeners = new Set<ChangeListener>();
  /** The feed's own projector (exposed for metrics). */
  readonly projector: Projector;

  constructor(
    private readonly names: EventTopics,
    private readonly log: EventLog,
    logger: Logger,
    snapshots?: SnapshotSettings,
  ) {
    this.topics = [names.products, names.customers, names.purchases];
    this.projector = createProjector({
      name: 'gateway-subscriptions',
      log,
      projection: this,
      logger,
      ...(snapshots ? { snapshots } : {}),
    });
  }

  /** The feed's state as data, copied (the mirrors' entities are never changed in place, only replaced). */
  toSnapshot(): ChangeFeedSnapshot {
    return {
      products: this.products.toSnapshot(),
      customers: this.customers.toSnapshot(),
      purchaseIds: [...this.purchaseIds],
      purchaseKeys: [...this.purchaseKeys],
      notChanges: [...this.notChanges],
    };
  }

  /** Takes a snapshot's state ({@link toSnapshot}) into this new feed, before it starts. */
  restore(state: unknown): void {
    const snapshot = state as ChangeFeedSnapshot;
    this.products.restore(snapshot.products);
    this.customers.restore(snapshot.customers);
    for (const id of snapshot.purchaseIds) this.purchaseIds.add(id);
    for (const key of snapshot.purchaseKeys) this.purchaseKeys.add(key);
    for (const record of snapshot.notChanges) this.notChanges.add(record);
  }

  start(): Promise<void> {
    return this.projector.start();
  }

  stop(): Promise<void> {
    return this.projector.stop();
  }

  isReady(): boolean {
    return this.projector.isReady();
  }

  /** Everything this feed has dispatched so far. */
  position(): Position {
    return this.projector.position();
  }

  /** Calls `listener` for every change applied from now on; returns the unsubscribe function. */
  listen(listener: ChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  apply(topic: string, decoded: Decoded, record: LogRecord): ApplyOutcome {
    let change: Change | undefined;
    let outcome: ApplyOutcome;
    try {
      ({ change, outcome } = this.toChange(topic, decoded, record));
    } catch (error) {
      this.notChanges.add(key(record));
      throw error;
    }
    if (!change) {
      this.notChanges.add(key(record));
      return outcome;
    }
    for (const listener of this.listeners) listener(change);
    return outcome;
  }

  /**
   * Reads the changes of one topic between two positions straight from the log (a replay for
   * `after`), skipping what this feed did not count as a change. Only valid up to `position()`.
   * Paced by `onChange`: the log reads no further while the promise it returns is pending, so a
   * replay holds no more than its subscriber takes. Ends at once, without error, when `signal` aborts.
   */
  async replay(
    topic: string,
    from: Position,
    until: Position,
    onChange: (change: Change) => void | Promise<void>,
    signal?: AbortSignal,
  ): Promise<void> {
    const start = from[topic] ?? {};
    const end = until[topic] ?? {};
    const pending = Object.entries(end).filter(([p, stop]) => (start[Number(p)] ?? 0) < stop);
    if (pending.length === 0 || signal?.aborted) return;
    const left = new Map(pending.map(([p, stop]) => [Number(p), stop]));
    await new Promise<void>((resolve, reject) => {
      let follower: Awaited<ReturnType<EventLog['follow']>> | undefined;
      let done = false;
      const finish = (error?: Error) => {
        if (done) return;
        done = true;
        signal?.removeEventListener('abort', onAbort);
        void follower?.close();
        if (error) reject(error);
        else resolve();
      };
      const onAbort = () => finish();
      signal?.addEventListener('abort', onAbort, { once: true });
      this.log
        .follow(topic, {
          from: start,
          onError: finish,
          // Async, so the follower waits for it before it reads the next batch.
          onBatch: async (records) => {
            for (const record of records) {
              if (done) return;
              const stop = left.get(record.partition);
              if (stop === undefined || record.offset >= stop) continue;
              if (!this.notChanges.has(key(record))) {
                const change = this.describe(topic, record);
                if (change) await onChange(change);
              }
              if (record.offset + 1 >= stop) left.delete(record.partition);
            }
            if (left.size === 0) finish();
          },
        })
        .then((f) => {
          follower = f;
          if (done) void f.close();
        }, finish);
    });
  }

  /** A change from a record already accepted by this feed (no state needed, nor changed). */
  private describe(topic: string, record: LogRecord): Change | undefined {
    try {
      const decoded = decodeRecord(record);
      if (topic === this.names.purchases) return purchaseChange(topic, record, toPurchaseEvent(decoded, record));
      if (decoded.format === 'envelope')
        return entityChange(topic, record, topic === this.names.products ? 'product' : 'customer', decoded.event);
      // The original's records have no type; `remove` is a deletion, a `set` is told apart by the
      // feed's first reading, which recorded no difference here: report it as an update.
      const id = String(decoded.legacy.payload.id);
      return {
        ...base(topic, record),
        entity: topic === this.names.products ? 'product' : 'customer',
        entityId: id,
        kind: decoded.legacy.eventType === 'remove' ? 'DELETED' : 'UPDATED',
      };
    } catch {
      return undefined;
    }
  }

  private toChange(topic: string, decoded: Decoded, record: LogRecord): { change?: Change; outcome: ApplyOutcome } {
    if (topic === this.names.products) {
      const event = toProductEvent(decoded, record, (id) => this.products.table.get(id));
      const outcome = this.products.apply(event);
      return { outcome, change: accepted(outcome) ? entityChange(topic, record, 'product', event) : undefined };
    }
    if (topic === this.names.customers) {
      const event = toCustomerEvent(decoded, record, (id) => this.customers.table.get(id));
      const outcome = this.customers.apply(event);
      return { outcome, change: accepted(outcome) ? entityChange(topic, record, 'customer', event) : undefined };
    }
    if (topic === this.names.purchases) {
      const event = toPurchaseEvent(decoded, record);
      const idempotencyKey = event.meta.idempotencyKey;
      if (this.purchaseIds.has(event.entityId) || (idempotencyKey !== undefined && this.purchaseKeys.has(idempotencyKey))) {
        return { outcome: { ok: true, entityId: event.entityId } };
      }
      this.purchaseIds.add(event.entityId);
      if (idempotencyKey !== undefined) this.purchaseKeys.add(idempotencyKey);
      return { outcome: { ok: true, entityId: event.entityId }, change: purchaseChange(topic, record, event) };
    }
    throw new DecodeError(`not a topic of the change feed: ${topic}`);
  }
}

/** Did the event change state (not rejected, not a retry's duplicate)? */
const accepted = (outcome: ApplyOutcome): boolean => outcome.ok && !outcome.duplicate;

const key = (record: Pick<LogRecord, 'topic' | 'partition' | 'offset'>): string =>
  `${record.topic} ${record.partition} ${record.offset}`;

/** Where a change is; `occurredAt` defaults to the record's timestamp (legacy records carry none). */
function base(topic: string, record: LogRecord, occurredAt?: string) {
  return {
    topic,
    partition: record.partition,
    offset: record.offset,
    position: positionAfter(topic, record.partition, record.offset),
    occurredAt: occurredAt ?? new Date(record.timestampMs).toISOString(),
    ...(tracingOn() && record.headers.traceparent !== undefined ? { trace: record.headers } : {}),
  };
}

function entityChange(
  topic: string,
  record: LogRecord,
  entity: Entity,
  event: { type: string; entityId: string; occurredAt: string; meta: { correlationId?: string } },
): Change {
  return {
    ...base(topic, record, event.occurredAt),
    entity,
    kind: changeKindOf(event.type),
    entityId: event.entityId,
    ...(event.meta.correlationId ? { correlationId: event.meta.correlationId } : {}),
  };
}

function purchaseChange(topic: string, record: LogRecord, event: ReturnType<typeof toPurchaseEvent>): Change {
  return {
    ...base(topic, record, event.occurredAt),
    entity: 'purchase',
    kind: 'CREATED',
    entityId: event.entityId,
    productId: event.data.productId,
    customerId: event.data.customerId,
    ...(event.meta.correlationId ? { correlationId: event.meta.correlationId } : {}),
  };
}
