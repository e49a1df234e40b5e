/**
 * What subscribers send most is the same operation again: a dashboard's thousand viewers all
 * subscribe with one document. Parsing, validating and planning it once, and sharing the result,
 * keeps a subscription's cost (CPU at subscribe time, heap while it is open) to what is its own.
 */
import type { DocumentNode, GraphQLError, GraphQLSchema } from 'graphql';
import type { SubscriptionFields } from '@shop/event-core';
import { planSubscription, type SubscriptionPlan } from './plan.ts';

/** A map that keeps the `limit` entries used last. */
export class RecentlyUsed<K, V> {
  private readonly entries = new Map<K, V>();
  constructor(private readonly limit: number) {}

  get(key: K): V | undefined {
    const value = this.entries.get(key);
    if (value === undefined) return undefined;
    // Moved to the end: the first entry is always the one used least recently.
    this.entries.delete(key);
    this.entries.set(key, value);
    return value;
  }

  set(key: K, value: V): V {
    this.entries.delete(key);
    this.entries.set(key, value);
    if (this.entries.size > this.limit) this.entries.delete(this.entries.keys().next().value!);
    return value;
  }

  get size(): number {
    return this.entries.size;
  }
}

/**
 * A document as parsed and validated once: without `document`, `errors` say why it does not parse;
 * with it, why it is not valid (none: it is).
 */
export interface CheckedDocument {
  readonly document?: DocumentNode;
  readonly errors: readonly GraphQLError[];
}

/** Documents longer than this are checked each time rather than kept (they are rare, and big). */
const MAX_KEPT_TEXT = 16 * 1024;

/**
 * Parses and validates each distinct document text once (`check` does both, and must depend on
 * the text alone), and plans each distinct subscription (document, operation name, variables)
 * once, by the subscription `fields` served: subscribers with equal operations get the same plan object.
 */
export function createOperationCache(
  schema: GraphQLSchema,
  fields: SubscriptionFields,
  check: (text: string) => CheckedDocument,
  limit = 1_000,
) {
  const documents = new RecentlyUsed<string, CheckedDocument>(limit);
  const plans = new RecentlyUsed<string, SubscriptionPlan>(limit);
  const documentIds = new WeakMap<DocumentNode, number>();
  let nextDocumentId = 0;

  return {
    document(text: string): CheckedDocument {
      if (text.length > MAX_KEPT_TEXT) return check(text);
      return documents.get(text) ?? documents.set(text, check(text));
    },
    /** The plan of a subscription; throws as `planSubscription` does (nothing is kept then). */
    plan(document: DocumentNode, operationName: string | null | undefined, variables: Record<string, unknown>): SubscriptionPlan {
      let id = documentIds.get(document);
      if (id === undefined) documentIds.set(document, (id = nextDocumentId++));
      const key = `${id}|${operationName ?? ''}|${JSON.stringify(variables)}`;
      return plans.get(key) ?? plans.set(key, planSubscription(schema, document, operationName, variables, fields));
    },
  };
}
