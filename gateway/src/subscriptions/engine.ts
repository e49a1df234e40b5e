import { GraphQLError, type ExecutionResult } from 'graphql';
import { inSpan, SpanKind, type Logger } from '@shop/event-core';
import type { Change, ChangeFeed } from './change-feed.ts';
import { ENTITY_VARIABLE, type SubscriptionPlan } from './plan.ts';
import { createReplaySlots } from './replay-slots.ts';

/** Runs a hydration query through the federated graph, at least at `position` and as of it. */
export type Hydrator = (query: SubscriptionPlan, change: Change) => Promise<ExecutionResult>;

export interface EngineOptions {
  readonly feed: ChangeFeed;
  readonly hydrate: Hydrator;
  readonly logger: Logger;
  /**
   * Hydrations one subscriber runs ahead of what it has sent. Default 64. A subscriber can take at
   * most this many changes per hydration round trip (Little's law): 16 capped a busy gateway,
   * whose hydrations take ~0.2 s, below 100 changes a second.
   */
  readonly hydrationWindow?: number;
  /** Changes a live subscriber may have waiting before it is dropped as too slow. Default 10000. */
  readonly maxQueued?: number;
  /** Replays (subscriptions with `after`) reading the log at once, in all. Default 4; the others wait their turn. */
  readonly maxReplays?: number;
  /** Replays of one socket reading the log at once. Default 1. */
  readonly maxReplaysPerSocket?: number;
  /**
   * Hydrations a subscriber runs ahead while it catches up on a replay; the replay reads no more
   * than twice this many changes ahead of what the subscriber has taken. Default 8.
   */
  readonly replayWindow?: number;
  /**
   * How long a replay may wait for its subscriber to take a payload, in ms, before the
   * subscription fails and gives its slot to the next one. Default 30000.
   */
  readonly replayStallMs?: number;
}

/**
 * Turns the change feed into subscription streams: filter first (no work for changes a subscriber
 * does not want), replay from `after`, hand over to live with no gap and no duplicate, hydrate
 * through the graph, and deliver in log order. Subscribers of the same change with the same
 * selection share one hydration.
 */
export function createSubscriptionEngine({
  feed,
  hydrate,
  logger,
  hydrationWindow = 64,
  maxQueued = 10_000,
  maxReplays = 4,
  maxReplaysPerSocket = 1,
  replayWindow = 8,
  replayStallMs = 30_000,
}: EngineOptions) {
  // Work shared by the subscribers of one change, kept as long as the change object is (the feed
  // hands the same object to every listener): one hydration per hydration key, and one finished
  // payload per payload key, which graphql-ws then only has to serialize for each socket.
  const hydrations = new WeakMap<Change, Map<string, Promise<ExecutionResult>>>();
  const payloads = new WeakMap<Change, Map<string, Promise<ExecutionResult>>>();
  const counters = { active: 0, hydrations: 0, delivered: 0 };
  const slots = createReplaySlots({ total: maxReplays, perOwner: maxReplaysPerSocket });
  /** The owner of subscriptions that name none (each its own). */
  const ownerless = () => ({});

  const shared = (
    memo: WeakMap<Change, Map<string, Promise<ExecutionResult>>>,
    change: Change,
    key: string,
    make: () => Promise<ExecutionResult>,
  ): Promise<ExecutionResult> => {
    let byKey = memo.get(change);
    if (!byKey) memo.set(change, (byKey = new Map()));
    let result = byKey.get(key);
    if (!result) byKey.set(key, (result = make()));
    return result;
  };

  const hydrateShared = (plan: SubscriptionPlan, change: Change): Promise<ExecutionResult> => {
    if (!plan.query) return Promise.resolve({ data: null });
    return shared(hydrations, change, plan.hydrationKey, () => {
      counters.hydrations++;
      // With tracing on, the hydration (and the subgraph calls it makes) continue the trace of the
      // request that wrote the event.
      return inSpan(
        `hydrate ${plan.entity} change`,
        { kind: SpanKind.CONSUMER, ...(change.trace ? { continues: change.trace } : {}) },
        () => hydrate(plan, change),
      );
    });
  };

  const payloadOf = (plan: SubscriptionPlan, change: Change): Promise<ExecutionResult> =>
    shared(payloads, change, plan.payloadKey, async () => {
      const hydrated = await hydrateShared(plan, change);
      // Apollo hands back formatted plain objects; graphql-ws needs real GraphQLErrors (toJSON).
      const errors = hydrated.errors?.map((e) => new GraphQLError(e.message, { extensions: e.extensions ?? {} }));
      return {
        data: plan.payload(change, hydrated.data as Record<string, unknown> | null | undefined),
        ...(errors?.length ? { errors } : {}),
      };
    });

  /**
   * One subscription as an async iterator. `return()` stops it at once, even while it waits for
   * the next change or a hydration (an async generator alone would wait for them before finishing),
   * and stops its replay's reading of the log. `owner` is what its replay limits count per: the socket.
   */
  function stream(plan: SubscriptionPlan, owner: object = ownerless()): AsyncIterableIterator<ExecutionResult> {
    const controller = new AbortController();
    const generator = run(plan, controller.signal, owner);
    return {
      next: () => generator.next(),
      return: (value?: unknown) => {
        controller.abort();
        return generator.return(value as ExecutionResult);
      },
      throw: (error?: unknown) => {
        controller.abort();
        return generator.throw(error);
      },
      [Symbol.asyncIterator]() {
        return this;
      },
    };
  }

  async function* run(plan: SubscriptionPlan, signal: AbortSignal, owner: object): AsyncGenerator<ExecutionResult> {
    const queue: Change[] = [];
    let wake: (() => void) | undefined;
    /** The replay, waiting for the subscriber to take what it has read. */
    let room: (() => void) | undefined;
    let failure: Error | undefined;
    let replaying = Boolean(plan.after);
    /** Until the replay is read and delivered: hydrations run `replayWindow` ahead, not `hydrationWindow`. */
    let catchingUp = replaying;
    const buffered: Change[] = [];
    const notify = () => {
      wake?.();
      wake = undefined;
    };
    /** Stops the replay's reading: when the subscriber goes, or the subscription fails. */
    const stopReading = new AbortController();
    const fail = (error: Error) => {
      failure ??= error;
      stopReading.abort();
      notify();
    };
    const tooSlow = () =>
      unavailable(`this subscriber fell more than ${maxQueued} changes behind; subscribe again with after: its last position`);
    const enqueue = (change: Change) => {
      if (queue.length >= maxQueued) fail(tooSlow());
      else queue.push(change);
      notify();
    };
    const listen = () =>
      feed.listen((change) => {
        if (!plan.matches(change)) return;
        if (!replaying) enqueue(change);
        else if (buffered.length >= maxQueued) fail(tooSlow());
        else buffered.push(change);
      });
    let unlisten: (() => void) | undefined;
    const aborted = new Promise<undefined>((resolve) => {
      const onAbort = () => {
        stopReading.abort();
        notify();
        room?.();
        resolve(undefined);
      };
      if (signal.aborted) onAbort();
      else signal.addEventListener('abort', onAbort, { once: true });
    });

    /** Waits until the subscriber has taken enough of the replay, or fails it after `replayStallMs`. */
    const roomForMore = (): Promise<void> | undefined => {
      if (queue.length < replayWindow * 2 || signal.aborted) return undefined;
      return new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          fail(
            unavailable(
              `this subscriber took no payload of its replay for ${replayStallMs} ms; subscribe again with after: its last position`,
            ),
          );
          resolve();
        }, replayStallMs);
        room = () => {
          clearTimeout(timer);
          room = undefined;
          resolve();
        };
      });
    };

    const replay = plan.after
      ? (async () => {
          const release = await slots.acquire(owner, signal);
          if (!release) return;
          try {
            // Listen before taking the replay's end position, in the same tick: whatever is
            // dispatched from now on is at or after it, so replay + live covers every change once.
            unlisten = listen();
            const until = feed.position();
            for (const topic of Object.keys(until)) {
              if (signal.aborted || failure) return;
              await feed.replay(
                topic,
                plan.after!,
                until,
                (change) => {
                  if (failure || !plan.matches(change)) return;
                  queue.push(change);
                  notify();
                  // Backpressure: the replay reads no further than the subscriber takes.
                  return roomForMore();
                },
                stopReading.signal,
              );
            }
          } finally {
            release();
          }
          replaying = false;
          for (const change of buffered.splice(0)) enqueue(change);
          notify();
        })().catch((error: unknown) => fail(error as Error))
      : undefined;
    if (!replay) unlisten = listen();

    const inflight: Promise<ExecutionResult>[] = [];
    counters.active++;
    try {
      while (!signal.aborted) {
        const window = catchingUp ? replayWindow : hydrationWindow;
        while (inflight.length < window && queue.length > 0) {
          const payload = payloadOf(plan, queue.shift()!);
          // Settled or not, a payload left behind when the subscriber goes must not become an unhandled rejection.
          payload.catch(() => undefined);
          inflight.push(payload);
        }
        if (queue.length < replayWindow * 2) room?.();
        if (inflight.length > 0) {
          const payload = await Promise.race([inflight.shift()!, aborted]);
          if (payload === undefined) break;
          counters.delivered++;
          yield payload;
          continue;
        }
        if (failure) throw failure;
        if (!replaying) catchingUp = false;
        await new Promise<void>((resolve) => (wake = resolve));
      }
    } finally {
      counters.active--;
      unlisten?.();
      room?.();
      await replay;
      logger.debug({ entity: plan.entity }, 'subscription ended');
    }
  }

  return {
    stream,
    /** Open subscriptions, hydration queries run, and payloads delivered since start. */
    stats: () => ({ ...counters }),
    /** Replays reading the log now, and replays waiting for their turn. */
    replayStats: () => slots.stats(),
  };
}

/** Why a subscription ended early; the client may subscribe again from its last position. */
const unavailable = (message: string): GraphQLError => new GraphQLError(message, { extensions: { code: 'UNAVAILABLE' } });

export type SubscriptionEngine = ReturnType<typeof createSubscriptionEngine>;
export { ENTITY_VARIABLE };
