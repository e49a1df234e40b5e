/**
 * The worker thread of a Kafka replay (see `replay.ts`): a kafkajs consumer reads one topic
 * from the given offsets up to the given ends, and every batch goes to the main thread packed in
 * one transferred buffer: keys, values and headers as bytes, offsets and times as typed arrays.
 * Decoding the events stays with the main thread (ADR 0019: handing it decoded objects cost it
 * more than decoding them itself).
 *
 * Rules of this module:
 * - Records reach the main thread in offset order per partition, each once, none at or past its
 *   partition's end.
 * - At most {@link BATCHES_AHEAD} batches wait on the main thread: the consumer does not fetch
 *   further until one is taken, so a slow apply bounds the memory the replay holds.
 * - Nothing here throws across the thread boundary: a failure is posted as `failed` and the
 *   worker leaves; the main thread decides what follows.
 */
import { randomUUID } from 'node:crypto';
import { parentPort, workerData } from 'node:worker_threads';
import { Kafka, logLevel, type Consumer, type EachBatchPayload, type IHeaders } from 'kafkajs';
import type { FromReplayWorker, PackedBatch, ReplayWorkerData, ToReplayWorker } from './replay.ts';

/** Batches posted to the main thread and not yet taken, at most. */
const BATCHES_AHEAD = 3;

const port = parentPort!;
const settings = workerData as ReplayWorkerData;
const next = new Map<number, number>();
for (const partition of Object.keys(settings.until)) next.set(Number(partition), settings.from[Number(partition)] ?? 0);
const until = new Map(Object.entries(settings.until).map(([partition, end]) => [Number(partition), end]));

let waiting = 0;
let taken: (() => void) | undefined;
let consumer: Consumer | undefined;

port.on('message', (message: ToReplayWorker) => {
  if (message.type === 'taken') {
    waiting--;
    taken?.();
    taken = undefined;
  } else if (message.type === 'stop') void leave();
});

const finished = (): boolean => [...until].every(([partition, end]) => (next.get(partition) ?? 0) >= end);

async function leave(): Promise<void> {
  await consumer?.disconnect().catch(() => undefined);
  port.close();
}

const encoder = new TextEncoder();

/** Packs one batch's records below their partition's end: keys, values and headers in one buffer. */
function pack(partition: number, messages: EachBatchPayload['batch']['messages'], from: number, end: number): PackedBatch {
  const kept = messages.filter((message) => {
    const offset = Number(message.offset);
    return offset >= from && offset < end;
  });
  const count = kept.length;
  const offsets = new Float64Array(count);
  const timestamps = new Float64Array(count);
  // Per record: key end, value end, headers end, in bytes from the start of `bytes`; -1 for null.
  const ends = new Int32Array(count * 3);
  let size = 0;
  const headerTexts: (string | undefined)[] = new Array(count);
  for (let i = 0; i < count; i++) {
    const message = kept[i]!;
    headerTexts[i] = headersText(message.headers);
    size += (message.key?.length ?? 0) + (message.value?.length ?? 0) + (headerTexts[i]?.length ?? 0) * 3;
  }
  const bytes = new Uint8Array(size);
  let at = 0;
  for (let i = 0; i < count; i++) {
    const message = kept[i]!;
    offsets[i] = Number(message.offset);
    timestamps[i] = Number(message.timestamp);
    const { key, value } = message;
    if (key === null) ends[i * 3] = -1;
    else {
      bytes.set(key, at);
      ends[i * 3] = at += key.length;
    }
    if (value === null) ends[i * 3 + 1] = -1;
    else {
      bytes.set(value, at);
      ends[i * 3 + 1] = at += value.length;
    }
    const headers = headerTexts[i];
    if (headers === undefined) ends[i * 3 + 2] = -1;
    else ends[i * 3 + 2] = at += encoder.encodeInto(headers, bytes.subarray(at)).written;
  }
  return { partition, offsets, timestamps, ends, bytes };
}

/** Headers as JSON text, decoded only when the main thread reads them (nothing on a replay does). */
function headersText(headers: IHeaders | undefined): string | undefined {
  if (!headers) return undefined;
  const decoded: Record<string, string> = {};
  let any = false;
  for (const [name, value] of Object.entries(headers)) {
    const last = Array.isArray(value) ? value[value.length - 1] : value;
    if (last === undefined) continue;
    decoded[name] = last.toString();
    any = true;
  }
  return any ? JSON.stringify(decoded) : undefined;
}

async function onBatch({ batch, heartbeat }: EachBatchPayload): Promise<void> {
  const partition = batch.partition;
  const from = next.get(partition);
  const end = until.get(partition);
  if (from === undefined || end === undefined || from >= end) return;
  const packed = pack(partition, batch.messages, from, end);
  if (packed.offsets.length === 0) return;
  next.set(partition, packed.offsets[packed.offsets.length - 1]! + 1);
  waiting++;
  const transfer = [packed.bytes.buffer, packed.offsets.buffer, packed.timestamps.buffer, packed.ends.buffer] as ArrayBuffer[];
  port.postMessage({ type: 'batch', batch: packed } satisfies FromReplayWorker, transfer);
  if (finished()) {
    port.postMessage({ type: 'done' });
    return;
  }
  while (waiting >= BATCHES_AHEAD) await new Promise<void>((resolve) => (taken = resolve));
  await heartbeat();
}

async function run(): Promise<void> {
  if (finished()) {
    port.postMessage({ type: 'done' });
    return;
  }
  const kafka = new Kafka({
    clientId: settings.clientId,
    brokers: [...settings.brokers],
    ...(settings.ssl ? { ssl: settings.ssl } : {}),
    ...(settings.sasl ? { sasl: settings.sasl } : {}),
    connectionTimeout: 1_000,
    retry: { initialRetryTime: 100, maxRetryTime: 1_000, retries: 3 },
    logLevel: logLevel.NOTHING,
  });
  const c = kafka.consumer({
    groupId: `${settings.clientId}-replay-${randomUUID()}`,
    maxWaitTimeInMs: settings.maxWaitTimeMs,
    allowAutoTopicCreation: false,
    retry: { initialRetryTime: 300, maxRetryTime: 3_000, retries: 5, restartOnFailure: async () => false },
  });
  consumer = c;
  c.on(c.events.GROUP_JOIN, ({ payload }) => {
    for (const partition of payload.memberAssignment[settings.topic] ?? [])
      c.seek({ topic: settings.topic, partition, offset: String(next.get(partition) ?? 0) });
  });
  c.on(c.events.CRASH, ({ payload }) => {
    port.postMessage({ type: 'failed', message: payload.error.message });
    void leave();
  });
  await c.connect();
  await c.subscribe({ topic: settings.topic, fromBeginning: true });
  await c.run({ autoCommit: false, eachBatch: onBatch });
}

run().catch((error: unknown) => {
  port.postMessage({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
  void leave();
});
