import { randomUUID } from 'node:crypto';

/**
 * What a request's headers may put into the events it causes (`meta.correlationId`, `meta.actor`).
 * Every header that reaches an event goes through here at the edge (the gateway, and a subgraph
 * for whoever calls it directly), so no header can make an event the readers refuse
 * (envelope.ts: meta values of at most 200 characters) or that garbles a log line.
 */

/** Longest correlation id kept; a longer or otherwise unusual one is replaced. */
export const MAX_CORRELATION_ID_LENGTH = 100;
/** Longest actor kept, in characters; a longer one is cut. */
export const MAX_ACTOR_LENGTH = 100;

/** Visible ASCII only: ids of other systems (UUIDs, W3C trace ids, ULIDs) all are. */
const CORRELATION_ID = new RegExp(`^[\\x21-\\x7e]{1,${MAX_CORRELATION_ID_LENGTH}}$`);
/** Control and format characters (newlines, escapes, bidi overrides), and lone surrogates. */
const UNPRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}\u2028\u2029]/gu;

/** The client's correlation id if it is a plain one, else a new one: a request always has one. */
export function correlationIdFrom(header: string | undefined): string {
  return header !== undefined && CORRELATION_ID.test(header) ? header : randomUUID();
}

/**
 * Who a client says it is, as an event may record it: unprintable characters removed, spaces
 * collapsed, cut to {@link MAX_ACTOR_LENGTH} characters (never inside one); undefined when
 * nothing is left.
 */
export function actorFrom(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const cleaned = header.replace(UNPRINTABLE, '').replace(/\s+/g, ' ').trim();
  const cut = [...cleaned].slice(0, MAX_ACTOR_LENGTH).join('').trim();
  return cut === '' ? undefined : cut;
}
