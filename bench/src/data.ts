/**
 * Bench data: events exactly as the subgraphs write them (the same envelope, codec and headers),
 * written straight to Kafka with a plain fast producer. Going through GraphQL would take an hour
 * for a million purchases and measure nothing the bench is about.
 */
import { randomUUID } from 'node:crypto';
import { Partitioners, type Kafka, type Message, type Producer } from 'kafkajs';
import { encodeEvent, formatMoney, newEntityId, type EventEnvelope } from '@shop/event-core';
import { eventTopics, type EventTopics } from '@shop/schema';

/** What a data set holds, and the ids scenarios pick from. */
export interface Dataset {
  readonly name: string;
  /** Prefix of its topics (`TOPIC_PREFIX` of the services that run on it). */
  readonly prefix: string;
  readonly topics: EventTopics;
  readonly productIds: readonly string[];
  readonly customerIds: readonly string[];
  readonly purchases: number;
}

export interface DatasetShape {
  readonly products: number;
  readonly customers: number;
  readonly purchases: number;
}

/**
 * Largest record batch one send carries, in bytes of keys and values. The broker refuses a batch
 * over the topic's `max.message.bytes` (1 MiB by default), and a topic provisioned like the
 * services' must keep that default, so "batches of 10,000 records" are cut to stay below it.
 */
const MAX_SEND_BYTES = 900 * 1024;
const MAX_SEND_RECORDS = 10_000;
/** Sends in flight at once: enough to keep the broker busy while the next batch is encoded. */
const SENDS_IN_FLIGHT = 4;

const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)]!;

function toMessage(event: EventEnvelope): Message {
  const record = encodeEvent(event);
  return { key: record.key, value: record.value, headers: { ...record.headers } };
}

function entityCreated(
  type: 'ProductCreated' | 'CustomerCreated',
  data: Record<string, unknown> & { id: string },
  at: string,
): Message {
  return toMessage({
    id: randomUUID(),
    type,
    entityId: data.id,
    version: 1,
    occurredAt: at,
    data,
    meta: { correlationId: randomUUID() },
  });
}

/** A `PurchaseMade` event as the purchases subgraph writes it (a total of the product's price range). */
export function purchaseMade(productId: string, customerId: string, at = new Date().toISOString()): Message {
  const id = newEntityId();
  const total = formatMoney(100 + Math.floor(Math.random() * 9_900));
  return toMessage({
    id: randomUUID(),
    type: 'PurchaseMade',
    entityId: id,
    version: 1,
    occurredAt: at,
    data: { id, productId, customerId, total, transactionDate: at },
    meta: { correlationId: randomUUID() },
  });
}

/** A plain producer for loading: not idempotent, no compression, several sends in flight. */
export async function fastProducer(kafka: Kafka): Promise<Producer> {
  const producer = kafka.producer({ allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  return producer;
}

/** Writes `count` messages made by `make`, in batches below the broker's record batch limit. */
async function writeAll(
  producer: Producer,
  topic: string,
  count: number,
  make: (i: number) => Message,
  onProgress?: (written: number) => void,
): Promise<void> {
  const inFlight = new Set<Promise<unknown>>();
  let written = 0;
  let batch: Message[] = [];
  let bytes = 0;
  const flush = async (): Promise<void> => {
    if (batch.length === 0) return;
    const messages = batch;
    batch = [];
    bytes = 0;
    while (inFlight.size >= SENDS_IN_FLIGHT) await Promise.race(inFlight);
    const send = producer.send({ topic, acks: -1, messages }).then(() => {
      written += messages.length;
      onProgress?.(written);
    });
    inFlight.add(send);
    void send.finally(() => inFlight.delete(send)).catch(() => undefined);
  };
  for (let i = 0; i < count; i++) {
    const message = make(i);
    const size = (message.value as Buffer).length + String(message.key).length + 64;
    if (batch.length >= MAX_SEND_RECORDS || bytes + size > MAX_SEND_BYTES) await flush();
    batch.push(message);
    bytes += size;
  }
  await flush();
  await Promise.all(inFlight);
}

/**
 * Writes a data set under `prefix`: products and customers first (what purchases refer to), then
 * the purchases, each to a random product and customer. Topics must be provisioned already.
 */
export async function loadDataset(
  producer: Producer,
  name: string,
  prefix: string,
  shape: DatasetShape,
  onProgress?: (message: string) => void,
): Promise<Dataset> {
  const topics = eventTopics(prefix);
  const at = new Date().toISOString();
  const productIds = Array.from({ length: shape.products }, () => newEntityId());
  const customerIds = Array.from({ length: shape.customers }, () => newEntityId());
  await writeAll(producer, topics.products, productIds.length, (i) =>
    entityCreated(
      'ProductCreated',
      {
        id: productIds[i]!,
        name: `Product ${i}`,
        price: formatMoney(100 + ((i * 37) % 9_900)),
        createdAt: at,
        updatedAt: at,
        deletedAt: null,
      },
      at,
    ),
  );
  await writeAll(producer, topics.customers, customerIds.length, (i) =>
    entityCreated(
      'CustomerCreated',
      { id: customerIds[i]!, firstName: `First${i}`, lastName: `Last${i}`, createdAt: at, updatedAt: at, deletedAt: null },
      at,
    ),
  );
  let reported = 0;
  const startedAt = Date.now();
  await writeAll(
    producer,
    topics.purchases,
    shape.purchases,
    () => purchaseMade(pick(productIds), pick(customerIds), at),
    (written) => {
      // One line per 10 %, so a large load shows progress without flooding the terminal.
      if (written - reported < shape.purchases / 10 && written < shape.purchases) return;
      reported = written;
      const seconds = (Date.now() - startedAt) / 1000;
      onProgress?.(
        `${name}: ${written.toLocaleString('en-US')} / ${shape.purchases.toLocaleString('en-US')} purchases written (${Math.round(written / seconds).toLocaleString('en-US')}/s)`,
      );
    },
  );
  return { name, prefix, topics, productIds, customerIds, purchases: shape.purchases };
}

/** A random product and customer of a data set, as mutations and generated events use them. */
export function randomPair(dataset: Dataset): { productId: string; customerId: string } {
  return { productId: pick(dataset.productIds), customerId: pick(dataset.customerIds) };
}
