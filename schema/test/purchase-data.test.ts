import { describe, expect, it } from 'vitest';
import { singleFieldChanges } from '@shop/event-core/testing';
import { MAX_CENTS, formatMoney } from '@shop/event-core';
import { purchaseDataSchema, wellFormedPurchaseData } from '../src/events/purchases.ts';

const ID = 'Pq7mZ0JrAT0mfb4T6cR2hG';
const valid = {
  id: ID,
  productId: 'Yx3K0JrAT0mfb4T6cR2hGw',
  customerId: 'c9a1_B-2xkQ0m4T6cR2hGw',
  total: '1.99',
  transactionDate: '2026-01-01T10:00:00.000Z',
};

const junk = [undefined, null, 0, 1.5, '', true, [], {}];
const ids = [...junk, 'a', 'a'.repeat(64), 'a'.repeat(65), 'a b', 'a.b', 'ä', 'A-z_09'];
const variants: Record<string, readonly unknown[]> = {
  id: ids,
  productId: ids,
  customerId: ids,
  total: [
    ...junk,
    1.99,
    '0.00',
    '0.5',
    '1.999',
    '01.00',
    '-1.00',
    '1,00',
    ' 1.00',
    '1.00 ',
    formatMoney(MAX_CENTS),
    formatMoney(MAX_CENTS + 1),
    '99999999999999999999.99',
  ],
  transactionDate: [
    ...junk,
    '2026-01-01T10:00:00Z',
    '2026-01-01T10:00:00+01:00',
    '2026-01-01T10:00Z',
    '2026-01-01',
    '2026-02-30T10:00:00Z',
    '2024-02-29T10:00:00.5Z',
  ],
};

/** Every single-field change of a valid one (`undefined`: the field left out), and a few whole values. */
const candidates = (): unknown[] =>
  singleFieldChanges(valid, variants, [{ ...valid, extra: 'dropped' }, null, [], 'data', [valid]]);

describe('wellFormedPurchaseData', () => {
  it('gives the same verdict and the same data as the purchase data schema', () => {
    let accepted = 0;
    for (const candidate of candidates()) {
      const schema = purchaseDataSchema.safeParse(candidate);
      // The entity id is checked too; candidates with another id are refused by the parser after the schema.
      const belongs = schema.success && schema.data.id === ID;
      const fast = wellFormedPurchaseData(candidate, ID);
      expect({ candidate, accepted: fast !== undefined }).toEqual({ candidate, accepted: belongs });
      if (belongs) {
        expect(fast).toStrictEqual(schema.data);
        accepted++;
      }
    }
    expect(accepted).toBeGreaterThan(10);
  });

  it('refuses data of another entity', () => {
    expect(wellFormedPurchaseData(valid, 'someone-else')).toBeUndefined();
  });
});
