import { describe, expect, it } from 'vitest';
import { singleFieldChanges } from '../src/testing/index.ts';
import { envelopeSchema, wellFormedEnvelope } from '../src/envelope.ts';

const valid = {
  id: '5b0f6a43-4d0e-4d6f-9f1e-0c3f8f8b1a11',
  type: 'PurchaseMade',
  entityId: 'Yx3K0JrAT0mfb4T6cR2hGw',
  version: 1,
  occurredAt: '2026-03-01T12:00:00.000Z',
  data: { id: 'Yx3K0JrAT0mfb4T6cR2hGw', total: '1.50' },
  meta: { correlationId: 'c-1', idempotencyKey: 'k-1', actor: 'tester' },
};

const junk = [undefined, null, 0, -1, 1.5, '', 'x', true, [], {}, ['a']];
const variants: Record<string, readonly unknown[]> = {
  id: [...junk, 'a'.repeat(100), 'a'.repeat(101)],
  type: [...junk, 'P', 'Pu', 'purchaseMade', 'Purchase_Made', 'Purchase Made', `P${'a'.repeat(80)}`, `P${'a'.repeat(81)}`],
  entityId: [...junk, 'a'.repeat(100), 'a'.repeat(101)],
  version: [...junk, 1, 2, 2 ** 53 - 1, 2 ** 53, '1', Number.NaN, Number.POSITIVE_INFINITY],
  occurredAt: [
    ...junk,
    '2026-03-01T12:00:00Z',
    '2026-03-01T12:00:00.123456Z',
    '2026-03-01T12:00:00+05:30',
    '2026-03-01T12:00:00-23:59',
    '2026-03-01T12:00:00+24:00',
    '2026-03-01T12:00Z',
    '2026-03-01T12:00:00',
    '2026-03-01T12:00:00.000z',
    '2026-03-01 12:00:00Z',
    '2024-02-29T00:00:00Z',
    '2026-02-29T00:00:00Z',
    '2026-04-31T00:00:00Z',
    '2026-13-01T00:00:00Z',
    '2026-03-01T24:00:00Z',
    ' 2026-03-01T12:00:00Z',
  ],
  data: [...junk, { anything: [1, 2] }],
  meta: [
    ...junk,
    { actor: 1 },
    { actor: null },
    { actor: 'a'.repeat(200) },
    { actor: 'a'.repeat(201) },
    { correlationId: 'a'.repeat(201) },
    { causationId: 5 },
    { idempotencyKey: '' },
    { idempotencyKey: [] },
    { traceparent: '00-abc', nested: { x: 1 } },
  ],
  schemaVersion: [...junk, 1, 2, 1000, 1001, '1', 2 ** 53],
};

/** Every single-field change of a valid one (`undefined`: the field left out), and a few whole values. */
const candidates = (): unknown[] =>
  singleFieldChanges(valid, variants, [{ ...valid, extra: 'dropped' }, null, [], 'envelope', 42, [valid]]);

describe('wellFormedEnvelope', () => {
  it('gives the same verdict and the same envelope as the envelope schema', () => {
    let accepted = 0;
    for (const candidate of candidates()) {
      const fast = wellFormedEnvelope(candidate);
      const schema = envelopeSchema.safeParse(candidate);
      expect({ candidate, accepted: fast !== undefined }).toEqual({ candidate, accepted: schema.success });
      if (schema.success) {
        expect(fast).toStrictEqual(schema.data);
        accepted++;
      }
    }
    // The corpus exercises both sides.
    expect(accepted).toBeGreaterThan(20);
  });
});
