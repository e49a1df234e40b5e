/**
 * Bench child: the fan-out baseline. A plain `ws` server that speaks just enough of
 * graphql-transport-ws for the bench's subscribers (ack, subscribe, pong) and, when told, sends one
 * payload to every subscription at a fixed rate: per socket and event, the message with the
 * subscription's id built as a string and one `send`, what any server of the protocol must do at
 * the least. No GraphQL, no log, no hydration.
 */
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { WebSocketServer, type WebSocket } from 'ws';
import { childConfig, fullGc, serveChild } from './child.ts';

export interface BroadcastInfo {
  readonly url: string;
}

export interface BroadcastRequest {
  /** The payload as JSON, the same bytes the gateway sent. */
  readonly payload: string;
  readonly events: number;
  /** Events per second. */
  readonly rate: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

serveChild(async () => {
  childConfig<Record<string, never>>();
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve, reject) => (server.once('listening', resolve), server.once('error', reject)));
  /** Every subscription: its socket and the JSON of its id. */
  const subscriptions = new Map<string, { socket: WebSocket; id: string }>();
  let nextKey = 0;

  server.on('connection', (socket) => {
    const mine: string[] = [];
    socket.on('message', (data: Buffer) => {
      const message = JSON.parse(data.toString('utf8')) as { type: string; id?: string };
      if (message.type === 'connection_init') socket.send('{"type":"connection_ack"}');
      else if (message.type === 'ping') socket.send('{"type":"pong"}');
      else if (message.type === 'subscribe' && message.id !== undefined) {
        const key = String(nextKey++);
        subscriptions.set(key, { socket, id: JSON.stringify(message.id) });
        mine.push(key);
      }
    });
    socket.on('close', () => mine.forEach((key) => subscriptions.delete(key)));
  });

  const { port } = server.address() as AddressInfo;
  return {
    info: { url: `ws://127.0.0.1:${port}` } satisfies BroadcastInfo,
    counters: () => ({ active: subscriptions.size }),
    handlers: {
      gc: fullGc,
      /** Sends `events` broadcasts at `rate` a second; resolves when the last is handed to the sockets. */
      send: async (request) => {
        const { payload, events, rate } = request as BroadcastRequest;
        const startedAt = performance.now();
        for (let i = 0; i < events; i++) {
          const wait = startedAt + (i * 1000) / rate - performance.now();
          if (wait > 1) await sleep(wait);
          for (const { socket, id } of subscriptions.values()) {
            socket.send(`{"id":${id},"type":"next","payload":${payload}}`);
          }
        }
        return events;
      },
    },
    async close() {
      for (const client of server.clients) client.terminate();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
});
