/**
 * What changed, as much as a list needs to know to tell whether its page may be different now:
 * which stream, and for a purchase, whose. Told by the live feed for every event it applies and
 * by this tab's own mutations, after the cache has the new state.
 */
export type Change =
  | { readonly stream: 'products'; readonly id: string }
  | { readonly stream: 'customers'; readonly id: string }
  | { readonly stream: 'purchases'; readonly productId: string; readonly customerId: string };

/** The changes as they happen, to whoever listens (the lists on screen). Nothing is kept. */
export class Changes {
  readonly #listeners = new Set<(change: Change) => void>();

  emit(change: Change): void {
    for (const listener of [...this.#listeners]) listener(change);
  }

  subscribe = (listener: (change: Change) => void): (() => void) => {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  };
}
