/**
 * The access token the gateway asks for when it runs with `AUTH_TOKENS` (always in production).
 * Kept in sessionStorage: it lasts while the tab is open, is shared with the playground on the
 * same origin, and is gone when the browser closes.
 */
export const TOKEN_KEY = 'shop.accessToken';

type TokenStorage = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

export interface AuthState {
  readonly token: string | null;
  /** The gateway refused a request for want of a valid token. */
  readonly required: boolean;
}

export class Auth {
  #state: AuthState;
  readonly #listeners = new Set<() => void>();

  constructor(
    private readonly storage: TokenStorage | undefined = typeof sessionStorage === 'undefined' ? undefined : sessionStorage,
  ) {
    this.#state = { token: storage?.getItem(TOKEN_KEY) ?? null, required: false };
  }

  get = (): AuthState => this.#state;

  /** `Authorization` for HTTP and for the graphql-ws `connection_init` payload. */
  headers(): Record<string, string> {
    return this.#state.token ? { authorization: `Bearer ${this.#state.token}` } : {};
  }

  signIn(token: string): void {
    this.storage?.setItem(TOKEN_KEY, token);
    this.#set({ token, required: false });
  }

  signOut(): void {
    this.storage?.removeItem(TOKEN_KEY);
    this.#set({ token: null, required: false });
  }

  refused(): void {
    if (!this.#state.required) this.#set({ ...this.#state, required: true });
  }

  subscribe = (listener: () => void): (() => void) => {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  };

  #set(state: AuthState): void {
    this.#state = state;
    for (const listener of this.#listeners) listener();
  }
}
