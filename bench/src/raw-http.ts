/**
 * The closed-loop scenarios' HTTP client: one keep-alive TCP connection per client, requests
 * written as prepared bytes, responses read with just enough parsing to find their end (status
 * line, Content-Length or chunked encoding). On two cores, every microsecond the load generator
 * spends is taken from the system it measures; Node's http client costs several times this.
 */
import { connect, type Socket } from 'node:net';

export interface RawResponse {
  readonly status: number;
  readonly body: string;
}

const HEADER_END = Buffer.from('\r\n\r\n');
const CRLF = Buffer.from('\r\n');

/** Where a response ends in `data`, or undefined while it is incomplete. */
function parse(data: Buffer): { status: number; body: Buffer; length: number } | undefined {
  const headerEnd = data.indexOf(HEADER_END);
  if (headerEnd < 0) return undefined;
  const head = data.toString('latin1', 0, headerEnd);
  const status = Number(head.slice(9, 12));
  const bodyStart = headerEnd + 4;
  const lengthMatch = /\r\ncontent-length:\s*(\d+)/i.exec(head);
  if (lengthMatch) {
    const end = bodyStart + Number(lengthMatch[1]);
    return data.length < end ? undefined : { status, body: data.subarray(bodyStart, end), length: end };
  }
  if (/\r\ntransfer-encoding:\s*chunked/i.test(head)) {
    const chunks: Buffer[] = [];
    let at = bodyStart;
    for (;;) {
      const lineEnd = data.indexOf(CRLF, at);
      if (lineEnd < 0) return undefined;
      const size = parseInt(data.toString('latin1', at, lineEnd), 16);
      const chunkEnd = lineEnd + 2 + size;
      if (data.length < chunkEnd + 2) return undefined;
      if (size === 0) return { status, body: Buffer.concat(chunks), length: chunkEnd + 2 };
      chunks.push(data.subarray(lineEnd + 2, chunkEnd));
      at = chunkEnd + 2;
    }
  }
  // No body (204, 304) or a response that ends with the connection: neither is a GraphQL answer.
  return { status, body: Buffer.alloc(0), length: bodyStart };
}

/** One keep-alive connection that sends one request at a time. */
export class RawConnection {
  private socket: Socket | undefined;
  private received: Buffer = Buffer.alloc(0);
  private waiting: { resolve(response: RawResponse): void; reject(error: Error): void } | undefined;
  private readonly target: URL;

  constructor(url: string) {
    this.target = new URL(url);
  }

  /** The bytes of a JSON POST to the connection's URL. */
  request(body: string, headers: Readonly<Record<string, string>> = {}): Buffer {
    const extra = Object.entries(headers)
      .map(([name, value]) => `${name}: ${value}\r\n`)
      .join('');
    const payload = Buffer.from(body);
    return Buffer.concat([
      Buffer.from(
        `POST ${this.target.pathname}${this.target.search} HTTP/1.1\r\nhost: ${this.target.host}\r\n` +
          `content-type: application/json\r\ncontent-length: ${payload.length}\r\n${extra}\r\n`,
        'latin1',
      ),
      payload,
    ]);
  }

  /** Sends prepared request bytes and resolves with the response; a new connection if the last one closed. */
  send(bytes: Buffer): Promise<RawResponse> {
    if (this.waiting) return Promise.reject(new Error('one request at a time on a connection'));
    const socket = this.open();
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
      socket.write(bytes);
    });
  }

  close(): void {
    this.socket?.destroy();
    this.socket = undefined;
  }

  private open(): Socket {
    if (this.socket && !this.socket.destroyed) return this.socket;
    const socket = connect({ host: this.target.hostname, port: Number(this.target.port || 80), noDelay: true });
    this.socket = socket;
    this.received = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      this.received = this.received.length === 0 ? chunk : Buffer.concat([this.received, chunk]);
      const response = parse(this.received);
      if (!response) return;
      this.received = this.received.subarray(response.length);
      const waiting = this.waiting;
      this.waiting = undefined;
      waiting?.resolve({ status: response.status, body: response.body.toString('utf8') });
    });
    const fail = (error: Error) => {
      if (this.socket === socket) this.socket = undefined;
      const waiting = this.waiting;
      this.waiting = undefined;
      waiting?.reject(error);
    };
    socket.on('error', fail);
    socket.on('close', () => fail(new Error('the server closed the connection')));
    return socket;
  }
}
