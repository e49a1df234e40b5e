import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { decodeRecord, encodeEvent } from '../src/codec.ts';
import { actorFrom, correlationIdFrom, MAX_ACTOR_LENGTH } from '../src/request-meta.ts';

/** An event carrying what a request's headers became, through the readers' own decoder. */
const readable = (meta: { correlationId: string; actor?: string }) => {
  const record = encodeEvent({
    id: 'e1',
    type: 'ProductCreated',
    entityId: 'p1',
    version: 1,
    occurredAt: '2026-01-01T00:00:00.000Z',
    data: {},
    meta,
  });
  return decodeRecord({ key: record.key, value: Buffer.from(record.value) });
};

describe('what request headers may put into an event', () => {
  it('keeps a plain correlation id and replaces any other with a new one', () => {
    expect(correlationIdFrom('abc-123_ok.1:2')).toBe('abc-123_ok.1:2');
    for (const bad of [undefined, '', 'x'.repeat(101), 'with space', 'new\nline', 'tab\t', 'ünïcode', '\u202eevil']) {
      const id = correlationIdFrom(bad);
      expect(id).not.toBe(bad);
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
    }
  });

  it('cleans an actor: no control or format characters, spaces collapsed, at most 100 characters, never split', () => {
    expect(actorFrom('  alice  ')).toBe('alice');
    expect(actorFrom('bob\r\nX-Evil: 1')).toBe('bobX-Evil: 1');
    expect(actorFrom('a\u202eb\u0000c\u2028d')).toBe('abcd');
    expect(actorFrom('   ')).toBeUndefined();
    expect(actorFrom(undefined)).toBeUndefined();
    const emoji = actorFrom('😀'.repeat(150))!;
    expect([...emoji]).toHaveLength(MAX_ACTOR_LENGTH);
    expect(emoji).toBe('😀'.repeat(MAX_ACTOR_LENGTH));
  });

  it('never yields meta that the readers refuse, whatever the header holds', () => {
    fc.assert(
      fc.property(
        fc.option(fc.string({ unit: 'binary', maxLength: 5000 })),
        fc.option(fc.string({ unit: 'binary', maxLength: 5000 })),
        (correlation, actor) => {
          const cleanActor = actorFrom(actor ?? undefined);
          const decoded = readable({
            correlationId: correlationIdFrom(correlation ?? undefined),
            ...(cleanActor ? { actor: cleanActor } : {}),
          });
          expect(decoded.format).toBe('envelope');
        },
      ),
      { numRuns: 500 },
    );
  });
});
