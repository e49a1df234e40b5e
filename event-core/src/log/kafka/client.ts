/** The kafkajs client every part of the Kafka log shares, and how its producer and admin connect. */
import { Kafka, type KafkaConfig } from 'kafkajs';
import { kafkaLogSettings, type KafkaLogLevel, type KafkaLogLogger } from './log-lines.ts';

export interface KafkaClientSettings {
  readonly brokers: readonly string[];
  readonly clientId: string;
  readonly ssl: KafkaConfig['ssl'] | undefined;
  readonly sasl: KafkaConfig['sasl'] | undefined;
  /** Longest time an append waits, in ms: no request may take longer. */
  readonly appendTimeoutMs: number;
  readonly logger: KafkaLogLogger | undefined;
  readonly kafkaLogLevel: KafkaLogLevel;
}

/** Creates the kafkajs client; it connects nothing until one of its producers, consumers or admins does. */
export function createKafkaClient({
  brokers,
  clientId,
  ssl,
  sasl,
  appendTimeoutMs,
  logger,
  kafkaLogLevel,
}: KafkaClientSettings): Kafka {
  return new Kafka({
    clientId,
    // kafkajs takes a new client's first broker from this list in turn, starting with the first
    // entry for every client (the adapter makes a new producer after each failed send, a new
    // consumer after each crash), and moves to the next one only when a connection is refused. A
    // first broker that accepts connections and answers nothing (frozen, cut off) would stall
    // every new client until it answered again; a list in a new order each time spreads them.
    brokers: () => shuffled(brokers),
    ...(ssl ? { ssl } : {}),
    ...(sasl ? { sasl } : {}),
    // Fail fast: a mutation must learn within `appendTimeoutMs` that the log is down, instead of
    // kafkajs retrying for minutes (its defaults: 5 retries up to 30 s apart, 30 s requests).
    connectionTimeout: 1_000,
    requestTimeout: Math.max(appendTimeoutMs, 1_000),
    retry: { initialRetryTime: 100, maxRetryTime: 1_000, retries: 3 },
    ...kafkaLogSettings(logger, kafkaLogLevel),
  });
}

/** Connects a kafkajs client once; a failed connect is forgotten so the next call tries again. */
export function connected<T extends { connect(): Promise<void> }>(client: T, forget: () => void): Promise<T> {
  return client.connect().then(
    () => client,
    (error: unknown) => {
      forget();
      throw error;
    },
  );
}

/** A copy of `items` in random order (Fisher–Yates). */
function shuffled<T>(items: readonly T[]): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
}
