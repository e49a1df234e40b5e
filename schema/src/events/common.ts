import { z } from 'zod';
import {
  DecodeError,
  ENTITY_ID_PATTERN,
  formatMoney,
  MAX_CENTS,
  type EventEnvelope,
  type LegacyRecord,
  type LogRecord,
} from '@shop/event-core';

const MONEY_TEXT = /^(0|[1-9]\d*)\.\d{2}$/;
// The same bound as mutations, so every reader of a topic refuses the same events.
const withinMaxCents = (value: string): boolean => Number(value.replace('.', '')) <= MAX_CENTS;

/** Money inside events: a decimal string with two fraction digits ("1.50"). */
export const moneyString = z
  .string()
  .regex(MONEY_TEXT, 'must be a decimal string with two fraction digits')
  .refine(withinMaxCents, `must be at most ${formatMoney(MAX_CENTS)}`);
export const entityId = z.string().regex(ENTITY_ID_PATTERN, 'must be 1-64 URL-safe characters');
export const isoDate = z.iso.datetime({ offset: true });

/**
 * The same rules as {@link moneyString}, {@link entityId} and {@link isoDate} as plain predicates,
 * for hand-written checks on the replay's hot path (see `wellFormedPurchaseData`).
 */
export const isMoneyText = (value: unknown): value is string =>
  typeof value === 'string' && MONEY_TEXT.test(value) && withinMaxCents(value);
export const isEntityIdText = (value: unknown): value is string => typeof value === 'string' && ENTITY_ID_PATTERN.test(value);
const ISO_DATE = isoDate._zod.pattern;
export const isIsoDateText = (value: unknown): value is string => typeof value === 'string' && ISO_DATE.test(value);

/** Validates an envelope's `data` against the schema of its type; {@link DecodeError} if it does not fit. */
export function parseData<T>(schema: z.ZodType<T>, event: EventEnvelope): T {
  const parsed = schema.safeParse(event.data);
  if (!parsed.success) throw new DecodeError(`invalid ${event.type} data: ${z.prettifyError(parsed.error)}`);
  const data = parsed.data as T & { id?: string };
  if (data.id !== undefined && data.id !== event.entityId) {
    throw new DecodeError(`${event.type} data.id "${data.id}" does not match entityId "${event.entityId}"`);
  }
  return parsed.data;
}

/** Converts a legacy decimal number (1.5) to a money string ("1.50") exactly, or throws. */
export function legacyMoney(value: unknown): string {
  const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value : '';
  const match = /^(0|[1-9]\d*)(?:\.(\d{1,2}))?$/.exec(text);
  if (!match)
    throw new DecodeError(`legacy amount ${JSON.stringify(value)} is not a non-negative amount with at most 2 decimals`);
  return `${match[1]}.${(match[2] ?? '').padEnd(2, '0')}`;
}

/** A legacy record has no event id; its place in the log is unique and stable, so it becomes one. */
export function legacyEventId(record: Pick<LogRecord, 'topic' | 'partition' | 'offset'>): string {
  return `legacy:${record.topic}:${record.partition}:${record.offset}`;
}

export function legacyTime(record: Pick<LogRecord, 'timestampMs'>): string {
  return new Date(record.timestampMs).toISOString();
}

/**
 * A legacy date as ISO-8601 UTC. .NET wrote dates without an offset; they are read as UTC, never
 * as the reader's local time, so every replica in every time zone agrees. Undefined if unreadable.
 */
export function legacyDate(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const hasZone = /(Z|[+-]\d{2}:?\d{2})$/i.test(value.trim());
  const ms = Date.parse(hasZone || !value.includes('T') ? value : `${value.trim()}Z`);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

/** The payload's `id`, checked against the record key. */
export function legacyEntityId(legacy: LegacyRecord, record: Pick<LogRecord, 'key'>): string {
  const id = legacy.payload.id;
  if (typeof id !== 'string' || !ENTITY_ID_PATTERN.test(id)) throw new DecodeError('legacy payload has no valid id');
  if (record.key !== null && record.key !== id)
    throw new DecodeError(`legacy record key "${record.key}" does not match payload id "${id}"`);
  return id;
}

/** What kind of change each event type is, for subscriptions and history. */
const CHANGE_KINDS: Readonly<Record<string, 'CREATED' | 'UPDATED' | 'DELETED'>> = {
  ProductCreated: 'CREATED',
  ProductUpdated: 'UPDATED',
  ProductDeleted: 'DELETED',
  CustomerCreated: 'CREATED',
  CustomerUpdated: 'UPDATED',
  CustomerDeleted: 'DELETED',
  PurchaseMade: 'CREATED',
};

export function changeKindOf(type: string): 'CREATED' | 'UPDATED' | 'DELETED' {
  const kind = CHANGE_KINDS[type];
  if (!kind) throw new Error(`no change kind for event type ${type}`);
  return kind;
}
