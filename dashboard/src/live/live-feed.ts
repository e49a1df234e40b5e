import type { ApolloClient } from '@apollo/client';
import type { Subscription } from 'rxjs';
import type { ConnectionStatus } from '../apollo/connection.ts';
import { CustomerChanges, ProductChanges, PurchasesMade } from '../graphql/operations.ts';
import type { Activity, ActivityLog, Stream } from './activity.ts';
import { applyCustomerChange, applyProductChange, applyPurchase } from './apply.ts';
import type { Change, Changes } from './changes.ts';

export interface LiveFeedOptions {
  readonly client: ApolloClient;
  readonly status: ConnectionStatus;
  readonly activity: ActivityLog;
  /** Told of each change once the cache has it, so the lists on screen can ask for their page again. */
  readonly changes?: Changes;
  /**
   * Given each event's position once it is applied (see `ConsistencyToken.observe`), so the
   * reads that follow, such as a list asked for again because of it, include that event.
   */
  readonly seen?: (position: string) => void;
  /** Delay before reconnect try number `attempt` (1, 2, ...), in ms. Default: 0.5 s doubling to 8 s, with jitter. */
  readonly backoffMs?: (attempt: number) => number;
  /** Failed tries in a row after which the badge says offline (tries go on). Default 3. */
  readonly offlineAfterAttempts?: number;
  readonly isOnline?: () => boolean;
}

const defaultBackoffMs = (attempt: number): number => Math.min(8_000, 500 * 2 ** (attempt - 1)) * (0.75 + Math.random() * 0.5);

const name = (person: { firstName: string; lastName: string }): string => `${person.firstName} ${person.lastName}`;
const verb = { CREATED: 'created', UPDATED: 'updated', DELETED: 'deleted' } as const;

/**
 * The three subscriptions that keep the cache live. Each remembers the position of the last
 * event it applied; when the socket drops, all three are started again with `after` = that
 * position, so the server replays exactly what was missed (no gap, no duplicate) and then goes
 * on live. A stream that had seen no event yet has no position to resume from: after such a
 * reconnect the active queries are refetched once instead.
 */
export class LiveFeed {
  readonly #options: Required<Omit<LiveFeedOptions, 'changes' | 'seen'>> & Pick<LiveFeedOptions, 'changes' | 'seen'>;
  readonly #positions: Partial<Record<Stream, string>> = {};
  #running: Subscription[] = [];
  #attempt = 0;
  #retry: ReturnType<typeof setTimeout> | undefined;
  #started = false;
  #stopped = false;
  #unwatchStatus: (() => void) | undefined;

  constructor(options: LiveFeedOptions) {
    this.#options = {
      backoffMs: defaultBackoffMs,
      offlineAfterAttempts: 3,
      isOnline: () => (typeof navigator === 'undefined' ? true : navigator.onLine),
      ...options,
    };
  }

  /** The last position applied per stream: what a resumed subscription passes as `after`. */
  get positions(): Readonly<Partial<Record<Stream, string>>> {
    return { ...this.#positions };
  }

  start(): void {
    if (this.#started) return;
    this.#started = true;
    this.#stopped = false;
    this.#unwatchStatus = this.#options.status.subscribe(() => {
      if (this.#options.status.get() === 'live') this.#attempt = 0;
    });
    this.#subscribe(false);
  }

  /** Ends the subscriptions; `start()` may run again (React runs effects twice in development). */
  stop(): void {
    this.#stopped = true;
    this.#started = false;
    clearTimeout(this.#retry);
    this.#retry = undefined;
    this.#unwatchStatus?.();
    this.#unsubscribe();
  }

  /** Try now instead of waiting out the backoff (the browser came back online, the user asked). */
  reconnectNow(): void {
    if (this.#stopped || this.#retry === undefined) return;
    clearTimeout(this.#retry);
    this.#retry = undefined;
    this.#subscribe(true);
  }

  #subscribe(resumed: boolean): void {
    const { client } = this.#options;
    const after = (stream: Stream) => ({ after: this.#positions[stream] ?? null });
    const unpositioned = (['products', 'customers', 'purchases'] as const).some((stream) => !this.#positions[stream]);
    const observer = <T>(apply: (data: T) => void) => ({
      next: (result: { data?: T | undefined; error?: unknown }) => {
        if (result.error) this.#failed();
        else if (result.data) apply(result.data);
      },
      error: () => this.#failed(),
      complete: () => this.#failed(),
    });
    this.#running = [
      client.subscribe({ query: ProductChanges, variables: after('products'), fetchPolicy: 'no-cache' }).subscribe(
        observer(({ productChanged: change }) => {
          this.#applied(change.position, applyProductChange(client.cache, change.product));
          this.#record(
            'products',
            change.position,
            change.kind,
            `Product ${change.product.name} ${verb[change.kind]}`,
            `/products/${change.product.id}`,
            change.occurredAt,
          );
        }),
      ),
      client.subscribe({ query: CustomerChanges, variables: after('customers'), fetchPolicy: 'no-cache' }).subscribe(
        observer(({ customerChanged: change }) => {
          this.#applied(change.position, applyCustomerChange(client.cache, change.customer));
          this.#record(
            'customers',
            change.position,
            change.kind,
            `Customer ${name(change.customer)} ${verb[change.kind]}`,
            `/customers/${change.customer.id}`,
            change.occurredAt,
          );
        }),
      ),
      client.subscribe({ query: PurchasesMade, variables: after('purchases'), fetchPolicy: 'no-cache' }).subscribe(
        observer(({ purchaseMade: change }) => {
          const { purchase } = change;
          this.#applied(change.position, applyPurchase(client.cache, purchase));
          this.#record(
            'purchases',
            change.position,
            change.kind,
            `${name(purchase.customer)} bought ${purchase.product.name} for ${purchase.total}`,
            `/customers/${purchase.customer.id}`,
            change.occurredAt,
          );
        }),
      ),
    ];
    if (resumed && unpositioned) void client.refetchQueries({ include: 'active' });
  }

  #applied(position: string, change: Change): void {
    this.#options.seen?.(position);
    this.#options.changes?.emit(change);
  }

  #record(stream: Stream, position: string, kind: Activity['kind'], text: string, href: string, occurredAt: string): void {
    this.#positions[stream] = position;
    this.#options.activity.add({ key: `${stream}:${position}`, stream, kind, text, href, occurredAt });
  }

  #unsubscribe(): void {
    const running = this.#running;
    this.#running = [];
    for (const subscription of running) subscription.unsubscribe();
  }

  /** One of the subscriptions ended (the socket closed): stop the others, retry all with backoff. */
  #failed(): void {
    if (this.#stopped || this.#retry !== undefined) return;
    this.#unsubscribe();
    this.#attempt++;
    const { status, offlineAfterAttempts, isOnline, backoffMs } = this.#options;
    status.set(this.#attempt >= offlineAfterAttempts || !isOnline() ? 'offline' : 'reconnecting');
    this.#retry = setTimeout(() => {
      this.#retry = undefined;
      if (!this.#stopped) this.#subscribe(true);
    }, backoffMs(this.#attempt));
  }
}
