import { describe, expect, it } from 'vitest';
import { createdOnceChanges, wholeStateChanges } from '../src/change-readers.ts';
import type { Decoded } from '../src/codec.ts';
import type { EventEnvelope } from '../src/envelope.ts';
import type { LogRecord } from '../src/log/port.ts';
import {
  checkManifests,
  subscriptionFieldsOf,
  topicNames,
  topicOf,
  type ChangeReader,
  type SubgraphManifest,
} from '../src/subgraph-manifest.ts';

/** A library's subgraphs: books, and loans of them. */
const books: SubgraphManifest = {
  name: 'books',
  sdl: '/library/books/schema.graphql',
  start: { module: '@library/books', export: 'startBooks' },
  main: '/library/books/main.ts',
  port: 4101,
  settings: 'BOOKS',
  topic: 'library.books',
  follows: ['books'],
  changes: () => ({}) as ChangeReader,
  subscriptions: { bookChanged: { entity: 'book', typename: 'BookChange', query: 'book', includeDeleted: true } },
};
const loans: SubgraphManifest = {
  ...books,
  name: 'loans',
  port: 4102,
  settings: 'LOANS',
  topic: 'library.loans',
  follows: ['loans', 'books'],
  subscriptions: {
    loanMade: { entity: 'loan', typename: 'LoanChange', query: 'loan', includeDeleted: false, filters: ['bookId'] },
  },
};

describe('a list of subgraph manifests', () => {
  it('gives each subgraph its topic, prefixed, by its name', () => {
    expect(topicNames([books, loans], 'test.')).toEqual({ books: 'test.library.books', loans: 'test.library.loans' });
    expect(topicOf(topicNames([books]), 'books')).toBe('library.books');
    expect(() => topicOf(topicNames([books]), 'loans')).toThrow(
      'no topic name for subgraph loans: the topic names given have books',
    );
  });

  it('gathers the subscription fields of every subgraph', () => {
    expect(Object.keys(subscriptionFieldsOf([books, loans]))).toEqual(['bookChanged', 'loanMade']);
  });

  it('fits together when names, topics, settings and ports are each used once and every followed subgraph is listed', () => {
    expect(() => checkManifests([books, loans])).not.toThrow();
  });

  it('names every problem of a list that does not fit together', () => {
    const copy = { ...loans, name: 'copies', port: 4101, settings: 'copies', follows: ['loans', 'shelves'], changes: undefined };
    let message = '';
    try {
      checkManifests([books, loans, copy]);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message.split('\n')).toEqual([
      'The subgraph manifests do not fit together:',
      '  - copies has the topic of loans (library.loans)',
      '  - copies has the port of books (4101)',
      '  - copies: settings "copies" must be upper case letters, digits and _',
      '  - copies follows shelves, which is not in the list',
      '  - copies declares subscriptions (loanMade) but no changes',
      '  - copies declares the subscription loanMade of loans',
    ]);
  });
});

interface BookData {
  readonly id: string;
  readonly title: string;
  readonly deletedAt: string | null;
}
type BookEvent = EventEnvelope<'BookAdded' | 'BookRenamed' | 'BookRemoved', BookData>;
type LoanEvent = EventEnvelope<'LoanMade', { readonly id: string; readonly bookId: string }>;

let offset = 0;
const record = (topic: string): LogRecord => ({
  topic,
  partition: 0,
  offset: offset++,
  key: null,
  value: null,
  headers: {},
  timestampMs: Date.parse('2026-03-01T09:00:00.000Z'),
});
const envelope = <E extends EventEnvelope>(event: Omit<E, 'id' | 'occurredAt' | 'meta'> & Partial<E>): Decoded => ({
  format: 'envelope',
  event: { id: `e${offset}`, occurredAt: '2026-03-01T10:00:00.000Z', meta: {}, ...event } as EventEnvelope,
});
const envelopeOf = <E extends EventEnvelope>(decoded: Decoded): E => {
  if (decoded.format !== 'envelope') throw new Error('the library has no records of an older system');
  return decoded.event as E;
};
const book = (type: BookEvent['type'], version: number, meta: EventEnvelope['meta'] = {}): Decoded =>
  envelope<BookEvent>({
    type,
    entityId: 'b1',
    version,
    data: { id: 'b1', title: 'Emma', deletedAt: type === 'BookRemoved' ? '2026-03-01T10:00:00.000Z' : null },
    meta,
  });

describe('the change reader of a whole-state topic', () => {
  const reader = wholeStateChanges<BookData, BookEvent>({
    entity: 'book',
    type: 'Book',
    isCreate: (event) => event.type === 'BookAdded',
    toEvent: (decoded) => envelopeOf<BookEvent>(decoded),
    changeKind: (type) => (type === 'BookAdded' ? 'CREATED' : type === 'BookRemoved' ? 'DELETED' : 'UPDATED'),
  });

  it('tells of each event applied, and of no lost race or retry', () => {
    const books = reader();
    const added = books.apply(book('BookAdded', 1, { correlationId: 'r1', idempotencyKey: 'k1' }), record('t'));
    expect(added.change).toEqual({
      entity: 'book',
      type: 'Book',
      kind: 'CREATED',
      entityId: 'b1',
      occurredAt: '2026-03-01T10:00:00.000Z',
      correlationId: 'r1',
    });
    expect(books.apply(book('BookAdded', 1, { idempotencyKey: 'k1' }), record('t'))).toEqual({
      outcome: { ok: true, entityId: 'b1', duplicate: true },
    });
    expect(books.apply(book('BookRenamed', 3), record('t')).change).toBeUndefined();
    expect(books.apply(book('BookRenamed', 2), record('t')).change?.kind).toBe('UPDATED');
  });

  it('keeps what it knows in its snapshot, and describes a replayed record without it', () => {
    const first = reader();
    first.apply(book('BookAdded', 1), record('t'));
    const restored = reader();
    restored.restore(structuredClone(first.toSnapshot()));
    expect(restored.apply(book('BookRemoved', 2), record('t')).change?.kind).toBe('DELETED');
    expect(reader().describe({ format: 'legacy', legacy: { eventType: 'remove', payload: { id: 'b9' } } }, record('t'))).toEqual({
      entity: 'book',
      type: 'Book',
      entityId: 'b9',
      kind: 'DELETED',
    });
  });
});

describe('the change reader of a topic of entities made once', () => {
  const loan = (id: string, key?: string): Decoded =>
    envelope<LoanEvent>({
      type: 'LoanMade',
      entityId: id,
      version: 1,
      data: { id, bookId: 'b1' },
      meta: key ? { idempotencyKey: key } : {},
    });
  const reader = createdOnceChanges<LoanEvent>({
    entity: 'loan',
    type: 'Loan',
    toEvent: (decoded) => envelopeOf<LoanEvent>(decoded),
    refs: (event) => ({ bookId: { type: 'Book', id: event.data.bookId } }),
  });

  it('tells of an entity once, with the entities it is an event of, whatever its retries', () => {
    const loans = reader();
    expect(loans.apply(loan('l1', 'k1'), record('t')).change).toMatchObject({
      kind: 'CREATED',
      entityId: 'l1',
      refs: { bookId: { type: 'Book', id: 'b1' } },
    });
    expect(loans.apply(loan('l1'), record('t')).change).toBeUndefined();
    expect(loans.apply(loan('l2', 'k1'), record('t'))).toEqual({ outcome: { ok: true, entityId: 'l2' } });
    const restored = reader();
    restored.restore(structuredClone(loans.toSnapshot()));
    expect(restored.apply(loan('l1'), record('t')).change).toBeUndefined();
    expect(restored.apply(loan('l3'), record('t')).change?.entityId).toBe('l3');
  });
});
