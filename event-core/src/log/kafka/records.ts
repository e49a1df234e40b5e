/** Records as kafkajs hands them over, seen as the port's {@link LogRecord}. */
import type { IHeaders, KafkaMessage } from 'kafkajs';
import type { LogRecord } from '../port.ts';

/**
 * A record as kafkajs handed it over. Its headers are decoded when first read: nothing on the
 * replay path reads them, and decoding them for every record cost as much as the rest of this
 * record together.
 */
export class KafkaRecord implements LogRecord {
  readonly key: string | null;
  readonly value: Buffer | null;
  readonly timestampMs: number;
  private rawHeaders: IHeaders | undefined;
  private decodedHeaders: Record<string, string> | undefined;

  constructor(
    readonly topic: string,
    readonly partition: number,
    readonly offset: number,
    message: KafkaMessage,
  ) {
    this.key = message.key === null ? null : message.key.toString('utf8');
    this.value = message.value;
    this.timestampMs = Number(message.timestamp);
    this.rawHeaders = message.headers;
  }

  get headers(): Readonly<Record<string, string>> {
    if (!this.decodedHeaders) {
      this.decodedHeaders = decodeHeaders(this.rawHeaders);
      this.rawHeaders = undefined;
    }
    return this.decodedHeaders;
  }
}

export function toLogRecord(topic: string, partition: number, message: KafkaMessage): LogRecord {
  return new KafkaRecord(topic, partition, Number(message.offset), message);
}

/** kafkajs hands out header values as Buffers, and repeated header keys as arrays: keep the last. */
export function decodeHeaders(headers: IHeaders | undefined): Record<string, string> {
  const decoded: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    const last = Array.isArray(value) ? value[value.length - 1] : value;
    if (last !== undefined) decoded[name] = last.toString();
  }
  return decoded;
}
