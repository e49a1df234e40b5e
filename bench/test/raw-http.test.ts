import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RawConnection } from '../src/raw-http.ts';

// The load generator's HTTP client reads just enough of a response to find its end: each way a
// server may frame one (a length, chunks, chunks split across reads) must give the whole body.

describe('RawConnection', () => {
  let server: Server;
  let url: string;
  const connections = new Set<string>();

  beforeAll(async () => {
    server = createServer((req, res) => {
      connections.add(`${req.socket.remotePort}`);
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      req.on('end', () => {
        const { mode, text } = JSON.parse(body) as { mode: string; text: string };
        if (mode === 'length') {
          res.setHeader('Content-Length', Buffer.byteLength(text));
          res.end(text);
        } else if (mode === 'chunked') {
          // Several chunks, written apart, so they may arrive in separate reads.
          for (let i = 0; i < text.length; i += 7) res.write(text.slice(i, i + 7));
          res.end();
        } else if (mode === 'status') {
          res.statusCode = 400;
          res.end(text);
        } else req.socket.destroy();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('reads responses framed by length and by chunks, many on one connection, the body whole', async () => {
    const connection = new RawConnection(url);
    const text = `{"data":{"name":"Grüße ${'x'.repeat(5000)}"}}`;
    for (const mode of ['length', 'chunked', 'length', 'chunked']) {
      const response = await connection.send(connection.request(JSON.stringify({ mode, text })));
      expect(response).toEqual({ status: 200, body: text });
    }
    const refused = await connection.send(connection.request(JSON.stringify({ mode: 'status', text: 'no' })));
    expect(refused).toEqual({ status: 400, body: 'no' });
    connection.close();
  });

  it('fails the request a server drops, and opens a new connection for the next', async () => {
    const connection = new RawConnection(url);
    await expect(connection.send(connection.request(JSON.stringify({ mode: 'drop', text: '' })))).rejects.toThrow(/closed|reset/);
    const before = connections.size;
    const response = await connection.send(connection.request(JSON.stringify({ mode: 'length', text: 'again' })));
    expect(response.body).toBe('again');
    expect(connections.size).toBe(before + 1);
    connection.close();
  });
});
