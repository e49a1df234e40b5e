import { describe, expect, it } from 'vitest';
import { decodeRecord, DecodeError, encodeEvent, MAX_EVENT_BYTES } from '../src/codec.ts';
import type { EventEnvelope } from '../src/envelope.ts';

const event: EventEnvelope = {
  id: '5b0f6a43-4d0e-4d6f-9f1e-0c3f8f8b1a11',
  type: 'ProductCreated',
  entityId: 'Yx3K0JrAT0mfb4T6cR2hGw',
  version: 1,
  occurredAt: '2026-03-01T12:00:00.000Z',
  data: { id: 'Yx3K0JrAT0mfb4T6cR2hGw', name: 'Butter', price: '1.50' },
  meta: { correlationId: 'c-1', idempotencyKey: 'k-1', actor: 'tester' },
};

const record = (value: unknown, key: string | null = event.entityId) => ({
  key,
  value: Buffer.from(typeof value === 'string' ? value : JSON.stringify(value), 'utf8'),
});

/** Decodes and returns the DecodeError; fails when decoding succeeds. */
function decodeError(input: { key: string | null; value: Buffer | null }): DecodeError {
  try {
    decodeRecord(input);
  } catch (error) {
    expect(error).toBeInstanceOf(DecodeError);
    return error as DecodeError;
  }
  throw new Error('expected a DecodeError, but the record decoded');
}

describe('encodeEvent', () => {
  it('keys the record by entity id', () => {
    expect(encodeEvent(event).key).toBe(event.entityId);
  });

  it('sets content-type and event-type headers', () => {
    expect(encodeEvent(event).headers).toEqual({ 'content-type': 'application/json', 'event-type': 'ProductCreated' });
  });

  it('writes the envelope as UTF-8 JSON', () => {
    const withUnicode = { ...event, data: { name: 'Crème brûlée ☕' } };
    const { value } = encodeEvent(withUnicode);
    expect(JSON.parse(Buffer.from(value).toString('utf8'))).toEqual(withUnicode);
  });
});

describe('decodeRecord', () => {
  it('round-trips an encoded envelope', () => {
    const { key, value } = encodeEvent(event);
    expect(decodeRecord({ key, value: Buffer.from(value) })).toEqual({ format: 'envelope', event });
  });

  it('defaults missing meta to an empty object', () => {
    const { meta: _meta, ...withoutMeta } = event;
    const decoded = decodeRecord(record(withoutMeta));
    expect(decoded).toEqual({ format: 'envelope', event: { ...withoutMeta, meta: {} } });
  });

  it('accepts a keyless record without comparing the key', () => {
    expect(decodeRecord(record(event, null))).toEqual({ format: 'envelope', event });
  });

  it('recognises a legacy set record', () => {
    const legacy = { eventType: 'set', payload: { id: 'abc', name: 'Butter', price: 1.5 } };
    expect(decodeRecord(record(legacy, 'abc'))).toEqual({ format: 'legacy', legacy });
  });

  it('recognises a legacy remove record', () => {
    const legacy = { eventType: 'remove', payload: { id: 'abc' } };
    expect(decodeRecord(record(legacy, 'abc'))).toEqual({ format: 'legacy', legacy });
  });

  it('rejects a legacy record with an unknown eventType', () => {
    expect(decodeError(record({ eventType: 'upsert', payload: { id: 'abc' } }, 'abc')).message).toMatch(/invalid legacy record/);
  });

  it('rejects a legacy record without a payload object', () => {
    expect(decodeError(record({ eventType: 'set', payload: 'Butter' }, 'abc')).message).toMatch(
      /invalid legacy record.*payload/s,
    );
  });

  it('rejects a value that is not JSON', () => {
    expect(decodeError(record('{"id": ')).message).toMatch(/not JSON/);
  });

  it('rejects a value that is not valid UTF-8 JSON', () => {
    expect(decodeError({ key: 'k', value: Buffer.from([0xff, 0xfe, 0x00]) }).message).toMatch(/not JSON/);
  });

  it('rejects a tombstone', () => {
    expect(decodeError({ key: event.entityId, value: null }).message).toMatch(/tombstone/);
  });

  it('rejects a value larger than MAX_EVENT_BYTES before parsing it', () => {
    const big = Buffer.alloc(MAX_EVENT_BYTES + 1, 0x20);
    expect(decodeError({ key: 'k', value: big }).message).toMatch(
      new RegExp(`${MAX_EVENT_BYTES + 1} bytes exceeds ${MAX_EVENT_BYTES}`),
    );
  });

  it('counts the size in bytes, not characters', () => {
    const filler = '€'.repeat(Math.ceil(MAX_EVENT_BYTES / 3)); // 3 bytes each in UTF-8
    const value = Buffer.from(JSON.stringify({ ...event, data: { filler } }), 'utf8');
    expect(value.toString('utf8').length).toBeLessThan(MAX_EVENT_BYTES);
    expect(decodeError({ key: event.entityId, value }).message).toMatch(/exceeds/);
  });

  it('accepts a value of exactly MAX_EVENT_BYTES', () => {
    const skeleton = JSON.stringify({ ...event, data: { pad: '' } });
    const padded = { ...event, data: { pad: 'x'.repeat(MAX_EVENT_BYTES - Buffer.byteLength(skeleton)) } };
    const value = Buffer.from(JSON.stringify(padded), 'utf8');
    expect(value.length).toBe(MAX_EVENT_BYTES);
    expect(decodeRecord({ key: event.entityId, value }).format).toBe('envelope');
  });

  it.each(['id', 'type', 'entityId', 'version', 'occurredAt', 'data'] as const)(
    'rejects an envelope without %s, naming the field',
    (field) => {
      const { [field]: _dropped, ...rest } = event;
      const message = decodeError(record(rest)).message;
      expect(message).toMatch(/invalid envelope/);
      expect(message).toContain(field);
    },
  );

  it.each([0, -1, 1.5, '1', null])('rejects the version %j', (version) => {
    const message = decodeError(record({ ...event, version })).message;
    expect(message).toMatch(/invalid envelope/);
    expect(message).toContain('version');
  });

  it.each(['productCreated', 'Product-Created', 'Product Created', 'P', '', 'ProductCreated\n'])(
    'rejects the type name %j',
    (type) => {
      const message = decodeError(record({ ...event, type })).message;
      expect(message).toMatch(/type/);
    },
  );

  it('rejects an occurredAt that is not an ISO date-time', () => {
    expect(decodeError(record({ ...event, occurredAt: 'yesterday' })).message).toContain('occurredAt');
  });

  it('rejects an empty event id or entity id', () => {
    expect(decodeError(record({ ...event, id: '' })).message).toContain('id');
    expect(decodeError(record({ ...event, entityId: '' }, '')).message).toContain('entityId');
  });

  it.each([null, 42, '"a string"', [event]])('rejects the JSON value %j that is not an envelope', (value) => {
    expect(decodeError(record(typeof value === 'string' ? value : JSON.stringify(value))).message).toMatch(/invalid envelope/);
  });

  it('rejects a record whose key is not the entity id, naming both', () => {
    const message = decodeError(record(event, 'someone-else')).message;
    expect(message).toContain('"someone-else"');
    expect(message).toContain(`"${event.entityId}"`);
  });
});
