import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { inSpan, SpanKind, startTracing, traceHeaders, tracingOn, type Tracing } from '../src/tracing.ts';

const TRACEPARENT = /^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/;

describe('tracing', () => {
  let tracing: Tracing | undefined;
  /** A stand-in OpenTelemetry collector: what each OTLP/HTTP export posted. */
  let collector: Server;
  const exports: { path: string; body: string }[] = [];

  beforeAll(async () => {
    collector = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        exports.push({ path: req.url ?? '', body: Buffer.concat(chunks).toString('utf8') });
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
    process.env.OTEL_EXPORTER_OTLP_ENDPOINT = `http://127.0.0.1:${(collector.address() as AddressInfo).port}`;
  });
  afterEach(async () => {
    await tracing?.shutdown();
    tracing = undefined;
  });
  afterAll(async () => {
    delete process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
    await new Promise((resolve) => collector.close(resolve));
  });

  it('is off unless started: spans are plain calls and no header is written', async () => {
    expect(tracingOn()).toBe(false);
    expect(await startTracing({ serviceName: 'test', exporter: 'none' })).toBeUndefined();
    expect(tracingOn()).toBe(false);
    expect(inSpan('work', { kind: SpanKind.INTERNAL }, () => traceHeaders())).toEqual({});
  });

  it('sends spans over OTLP/HTTP, failures recorded, and stops cleanly', async () => {
    const started = await startTracing({ serviceName: 'otlp-test', exporter: 'otlp' });
    tracing = started;
    expect(tracingOn()).toBe(true);
    const headers = await inSpan('work', { kind: SpanKind.SERVER }, async () => traceHeaders());
    expect(headers.traceparent).toMatch(TRACEPARENT);
    // Outside any span there is no context to pass on.
    expect(traceHeaders()).toEqual({});
    await expect(
      inSpan('failing', { kind: SpanKind.INTERNAL }, async () => {
        throw new Error('no luck');
      }),
    ).rejects.toThrow('no luck');
    // Shutting down sends what is batched.
    await started?.shutdown();
    tracing = undefined;
    expect(tracingOn()).toBe(false);
    const sent = exports.filter((e) => e.path === '/v1/traces').map((e) => e.body);
    const body = sent.join('\n');
    expect(body).toContain('otlp-test');
    expect(body).toContain('"work"');
    expect(body).toContain(headers.traceparent!.split('-')[1]);
    expect(body).toContain('no luck');
  });

  it('continues the trace of the headers it is given', async () => {
    tracing = await startTracing({ serviceName: 'test', exporter: 'otlp' });
    const traceId = '0af7651916cd43dd8448eb211c80319c';
    const continues = { traceparent: `00-${traceId}-b7ad6b7169203331-01` };
    const inner = inSpan('child', { kind: SpanKind.CONSUMER, continues }, () => traceHeaders());
    // Same trace, a new span of its own.
    expect(inner.traceparent).toMatch(new RegExp(`^00-${traceId}-(?!b7ad6b7169203331)[0-9a-f]{16}-01$`));
  });

  it('refuses to start twice in one process', async () => {
    tracing = await startTracing({ serviceName: 'test', exporter: 'console' });
    await expect(startTracing({ serviceName: 'test', exporter: 'console' })).rejects.toThrow(/already on/);
  });
});
