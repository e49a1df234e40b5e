import {
  context,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type TextMapGetter,
} from '@opentelemetry/api';
import type { SpanExporter } from '@opentelemetry/sdk-trace-node';

/**
 * OpenTelemetry tracing: off unless {@link startTracing} ran (`OTEL_TRACES_EXPORTER`). When on, one
 * trace follows a change from the client's request through the gateway and the subgraph to its
 * append, and, through the W3C `traceparent` header of the record, to every projection that
 * applies it and every subscription payload it causes (docs/observability.md).
 *
 * Off, every helper here is a plain call: no span, no header, nothing allocated.
 */

/** Where spans go: `otlp` (OTLP over HTTP, `OTEL_EXPORTER_OTLP_ENDPOINT`), `console`, or `none`. */
export type TracesExporter = 'none' | 'otlp' | 'console';

export interface TracingOptions {
  /** `service.name` of every span this process makes. */
  readonly serviceName: string;
  /** A name from the config, or an exporter of one's own (tests keep spans in memory). */
  readonly exporter: TracesExporter | SpanExporter;
}

export interface Tracing {
  /** Sends what is buffered and turns tracing off again. */
  shutdown(): Promise<void>;
}

const tracer = trace.getTracer('@shop/event-core');
let on = false;

/** Is tracing on in this process? Hot paths test it before doing anything for a span. */
export const tracingOn = (): boolean => on;

/**
 * Turns tracing on for this process: spans of this system and of `@apollo/gateway` (which makes
 * its own through the same API) go to the exporter; W3C trace context is read from and written to
 * HTTP and record headers. `none` leaves it off. The SDK is loaded only here, so a process that
 * never traces never loads it.
 */
export async function startTracing({ serviceName, exporter }: TracingOptions): Promise<Tracing | undefined> {
  if (exporter === 'none') return undefined;
  if (on) throw new Error('tracing is already on in this process');
  const { NodeTracerProvider, BatchSpanProcessor, SimpleSpanProcessor, ConsoleSpanExporter } =
    await import('@opentelemetry/sdk-trace-node');
  const { resourceFromAttributes } = await import('@opentelemetry/resources');
  let processor;
  if (exporter === 'otlp') {
    const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-http');
    processor = new BatchSpanProcessor(new OTLPTraceExporter());
  } else if (exporter === 'console') {
    processor = new SimpleSpanProcessor(new ConsoleSpanExporter());
  } else {
    processor = new SimpleSpanProcessor(exporter);
  }
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': serviceName }),
    spanProcessors: [processor],
  });
  // The global tracer provider, the AsyncLocalStorage context manager and the W3C propagator.
  provider.register();
  on = true;
  return {
    async shutdown() {
      on = false;
      // A collector that cannot be reached loses the last spans, never the shutdown.
      await provider.shutdown().catch(() => undefined);
      trace.disable();
      propagation.disable();
      context.disable();
    },
  };
}

type HeaderBag = Readonly<Record<string, string | readonly string[] | undefined>>;

const headerGetter: TextMapGetter<HeaderBag> = {
  keys: (carrier) => Object.keys(carrier),
  get: (carrier, key) => {
    const value = carrier[key];
    return typeof value === 'string' ? value : value?.[0];
  },
};

/** The trace context that headers carry (`traceparent`, `tracestate`): an HTTP request's or a record's. */
function traceContextOf(headers: HeaderBag): Context {
  return propagation.extract(ROOT_CONTEXT, headers, headerGetter);
}

const NO_HEADERS: Readonly<Record<string, string>> = Object.freeze({});

/** The active trace context as headers to send on (an HTTP call, a record); none when tracing is off. */
export function traceHeaders(): Readonly<Record<string, string>> {
  if (!on) return NO_HEADERS;
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier;
}

export interface SpanOptions {
  readonly kind: SpanKind;
  readonly attributes?: Attributes;
  /** The context the span continues; default the active one. */
  readonly parent?: Context;
  /** Or the headers of the request or record it continues (read only when tracing is on). */
  readonly continues?: HeaderBag;
}

/**
 * Runs `work` inside a new span, active for everything it calls, and ends the span when it
 * settles (an error is recorded on it). Off, it only runs `work`.
 */
export function inSpan<T>(name: string, options: SpanOptions, work: () => T): T {
  if (!on) return work();
  const { kind, attributes, continues } = options;
  const parent = options.parent ?? (continues ? traceContextOf(continues) : context.active());
  return tracer.startActiveSpan(name, { kind, ...(attributes ? { attributes } : {}) }, parent, (span) => {
    const failed = (error: unknown) => {
      span.recordException(error as Error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error)?.message ?? String(error) });
    };
    let result: T;
    try {
      result = work();
    } catch (error) {
      failed(error);
      span.end();
      throw error;
    }
    if (result instanceof Promise) {
      return result.then(
        (value) => {
          span.end();
          return value;
        },
        (error: unknown) => {
          failed(error);
          span.end();
          throw error;
        },
      ) as T;
    }
    span.end();
    return result;
  });
}

export { SpanKind };
