/**
 * Bench child: many bare graphql-transport-ws subscribers, in a process of their own so that what
 * they cost is reported apart from the process they measure (and never shares its event loop).
 * They count payloads without parsing them; a stream that fails is resumed with `after`, as a
 * careful client does, and counted.
 */
import WebSocket from 'ws';
import { childConfig, serveChild } from './child.ts';

export interface OpenRequest {
  readonly url: string;
  readonly count: number;
  readonly query: string;
}

export interface SubscriberCounts {
  readonly sockets: number;
  readonly payloads: number;
  readonly errors: number;
  /** Streams that failed and were resumed with `after`. */
  readonly resumed: number;
  readonly firstError?: string;
  /** The first payload message received, as sent (the broadcast baseline sends the same bytes). */
  readonly sample?: string;
}

const POSITION = Buffer.from('"position":"');
const NEXT = Buffer.from('"type":"next"');
const ERRORS = Buffer.from('"errors"');

/** The payload's `position`, found without parsing the message. */
function positionOf(data: Buffer): string | undefined {
  const at = data.indexOf(POSITION);
  if (at < 0) return undefined;
  const from = at + POSITION.length;
  const to = data.indexOf(0x22, from);
  return to > from ? data.toString('utf8', from, to) : undefined;
}

serveChild(async () => {
  childConfig<Record<string, never>>();
  const sockets = new Set<WebSocket>();
  const counts = { payloads: 0, errors: 0, resumed: 0 };
  let firstError: string | undefined;
  let sample: string | undefined;

  /** Resolves once the socket is acknowledged and its subscription sent. */
  const openOne = (url: string, query: string): Promise<void> =>
    new Promise((resolve, reject) => {
      const socket = new WebSocket(url, 'graphql-transport-ws');
      sockets.add(socket);
      let id = 0;
      let position: string | undefined;
      const subscribe = () => {
        id++;
        socket.send(
          JSON.stringify({
            id: String(id),
            type: 'subscribe',
            payload: { query, variables: position ? { after: position } : {} },
          }),
        );
      };
      socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init' })));
      socket.on('error', reject);
      socket.on('close', () => sockets.delete(socket));
      socket.on('message', (data: Buffer) => {
        if (data.includes(NEXT)) {
          position = positionOf(data) ?? position;
          if (data.includes(ERRORS)) {
            counts.errors++;
            firstError ??= data.toString('utf8', 0, 300);
          } else {
            counts.payloads++;
            sample ??= data.toString('utf8');
          }
          return;
        }
        const message = JSON.parse(data.toString('utf8')) as { type: string; payload?: unknown };
        if (message.type === 'connection_ack') {
          subscribe();
          resolve();
        } else if (message.type === 'ping') socket.send(JSON.stringify({ type: 'pong' }));
        else if (message.type === 'error' || message.type === 'complete') {
          counts.resumed++;
          firstError ??= JSON.stringify(message.payload ?? message.type);
          if (counts.resumed < 10_000) subscribe();
        }
      });
    });

  const snapshot = (): SubscriberCounts => ({
    sockets: sockets.size,
    ...counts,
    ...(firstError ? { firstError } : {}),
    ...(sample ? { sample } : {}),
  });

  return {
    info: {},
    counters: () => ({ sockets: sockets.size, ...counts }),
    handlers: {
      /** Opens sockets until `count` are open, 50 at a time; each holds one subscription. */
      open: async (payload) => {
        const { url, count, query } = payload as OpenRequest;
        while (sockets.size < count) {
          const batch = Math.min(50, count - sockets.size);
          await Promise.all(Array.from({ length: batch }, () => openOne(url, query)));
        }
        return snapshot();
      },
      counts: () => snapshot(),
      /** Closes every socket, and waits until they are closed. */
      closeAll: async () => {
        const closing = [...sockets].map(
          (socket) => new Promise<void>((resolve) => (socket.once('close', () => resolve()), socket.close())),
        );
        await Promise.all(closing);
        return snapshot();
      },
    },
    async close() {
      for (const socket of sockets) socket.terminate();
    },
  };
});
