/**
 * The state of the live connection, as the header shows it:
 * - `connecting`: first connection not yet up;
 * - `live`: the socket is open and the subscriptions run;
 * - `reconnecting`: the socket dropped and a new one is being tried (with backoff);
 * - `offline`: the browser says it has no network, or several tries in a row failed — tries go on.
 */
export type ConnectionState = 'connecting' | 'live' | 'reconnecting' | 'offline';

/** A tiny observable value for `useSyncExternalStore`: React re-renders only the badge. */
export class ConnectionStatus {
  #state: ConnectionState;
  readonly #listeners = new Set<() => void>();

  constructor(initial: ConnectionState = 'connecting') {
    this.#state = initial;
  }

  get = (): ConnectionState => this.#state;

  set(state: ConnectionState): void {
    if (state === this.#state) return;
    this.#state = state;
    for (const listener of this.#listeners) listener();
  }

  subscribe = (listener: () => void): (() => void) => {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  };
}
