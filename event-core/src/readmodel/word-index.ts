import { badInput } from '../errors.ts';
import { SortedIndex } from './sorted-index.ts';

/** The longest `search` accepted, in characters. */
export const MAX_SEARCH_LENGTH = 100;

/** Lower case, accents removed: "José" is found by "jose", and sorts next to "Jose". */
export const fold = (text: string): string => text.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();

/** The words of a text, folded ({@link fold}): runs of letters and digits. */
export function wordsOf(text: string): string[] {
  return [...new Set(fold(text).split(/[^\p{L}\p{N}]+/u))].filter((word) => word.length > 0);
}

/**
 * The terms of a `search` argument; undefined when it is empty (no filter). BAD_USER_INPUT for one
 * longer than {@link MAX_SEARCH_LENGTH} or with control characters.
 */
export function searchTerms(search: string | null | undefined): string[] | undefined {
  if (search === null || search === undefined) return undefined;
  if (search.length > MAX_SEARCH_LENGTH) throw badInput(`search must be at most ${MAX_SEARCH_LENGTH} characters`, 'search');
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f-\u009f]/.test(search)) throw badInput('search must not contain control characters', 'search');
  const terms = wordsOf(search);
  return terms.length === 0 ? undefined : terms;
}

/** Does a text match every term (each starts one of its words)? For lists filtered in memory. */
export function textMatches(text: string, terms: readonly string[]): boolean {
  const words = wordsOf(text);
  return terms.every((term) => words.some((word) => word.startsWith(term)));
}

/**
 * The words of every entity's name, sorted, for `search`: a term finds the entities with a word
 * that starts with it by binary search, in O(log n + matches), never a scan of the entities.
 * Entities are numbers (of the list that keeps them); each word of an entity is one posting.
 */
export class WordIndex {
  private readonly words: string[] = [];
  private readonly owners: number[] = [];
  private readonly free: number[] = [];
  private readonly byEntity = new Map<number, number[]>();
  private readonly postings = new SortedIndex((a, b) => {
    const x = this.words[a]!;
    const y = this.words[b]!;
    return x < y ? -1 : x > y ? 1 : this.owners[a]! - this.owners[b]!;
  });

  /** Sets the text an entity is found by; undefined removes it. */
  set(entity: number, text: string | undefined): void {
    for (const posting of this.byEntity.get(entity) ?? []) {
      this.postings.remove(posting);
      this.free.push(posting);
    }
    this.byEntity.delete(entity);
    if (text === undefined) return;
    const postings = wordsOf(text).map((word) => {
      const posting = this.free.pop() ?? this.words.length;
      this.words[posting] = word;
      this.owners[posting] = entity;
      this.postings.insert(posting);
      return posting;
    });
    this.byEntity.set(entity, postings);
  }

  /** The entities that match every term. */
  matches(terms: readonly string[]): Set<number> {
    let found: Set<number> | undefined;
    for (const term of terms) {
      const forTerm = new Set<number>();
      const start = this.postings.rankWhere((posting) => this.words[posting]! >= term);
      for (const posting of this.postings.walk(start)) {
        if (!this.words[posting]!.startsWith(term)) break;
        const owner = this.owners[posting]!;
        if (!found || found.has(owner)) forTerm.add(owner);
      }
      found = forTerm;
      if (found.size === 0) break;
    }
    return found ?? new Set();
  }
}
