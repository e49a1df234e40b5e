export { describeEventLogContract, collector } from './contract.ts';
export { describeSnapshotStoreContract, type SnapshotStoreSubject } from './snapshot-contract.ts';

/**
 * Inputs for holding a hand-written check to the schema it mirrors: `valid`, each of `extras`, and
 * `valid` with one field changed to each of its `variants` (`undefined`: the field left out).
 */
export function singleFieldChanges(
  valid: Record<string, unknown>,
  variants: Readonly<Record<string, readonly unknown[]>>,
  extras: readonly unknown[] = [],
): unknown[] {
  const list: unknown[] = [valid, ...extras];
  for (const [field, values] of Object.entries(variants)) {
    for (const value of values) {
      list.push(
        value === undefined
          ? Object.fromEntries(Object.entries(valid).filter(([name]) => name !== field))
          : { ...valid, [field]: value },
      );
    }
  }
  return list;
}

/** Every node of a list, page after page by its `endCursor`; a list that never ends fails the test. */
export function everyPage<T>(
  page: (after: string | null) => {
    readonly nodes: readonly T[];
    readonly pageInfo: { readonly hasNextPage: boolean; readonly endCursor: string | null };
  },
): T[] {
  const seen: T[] = [];
  let after: string | null = null;
  for (let pages = 0; pages < 10_000; pages++) {
    const result = page(after);
    seen.push(...result.nodes);
    if (!result.pageInfo.hasNextPage) return seen;
    after = result.pageInfo.endCursor;
  }
  throw new Error('the list never ended');
}
