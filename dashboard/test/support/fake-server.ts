import { ApolloLink } from '@apollo/client';
import { getMainDefinition } from '@apollo/client/utilities';
import { GraphQLError, type FormattedExecutionResult } from 'graphql';
import { Observable, type Observer } from 'rxjs';

type Variables = Record<string, unknown>;
type Result = FormattedExecutionResult<Record<string, unknown>>;
export type Handler = (variables: Variables, headers: Record<string, string>) => Result | Promise<Result>;

export interface SentOperation {
  readonly name: string;
  readonly kind: 'query' | 'mutation' | 'subscription';
  readonly variables: Variables;
  readonly headers: Record<string, string>;
}

/**
 * The mocked link of the component tests: answers queries and mutations with handlers, keeps
 * subscriptions open so a test can push events or drop the "socket", and records every operation
 * sent, so a test can tell that a live update caused no refetch.
 */
export class FakeServer {
  readonly sent: SentOperation[] = [];
  readonly #handlers = new Map<string, Handler>();
  readonly #subscribers = new Map<string, Set<Observer<Result>>>();
  /** Called when a subscription starts, as the socket's `connected` event would be. */
  onSubscribe: () => void = () => {};

  readonly link = new ApolloLink((operation) => {
    const definition = getMainDefinition(operation.query);
    const kind = definition.kind === 'OperationDefinition' ? definition.operation : 'query';
    const name = operation.operationName ?? '';
    const headers = (operation.getContext()['headers'] as Record<string, string> | undefined) ?? {};
    this.sent.push({ name, kind, variables: operation.variables, headers });
    if (kind === 'subscription') {
      return new Observable<Result>((observer) => {
        const set = this.#subscribers.get(name) ?? new Set();
        this.#subscribers.set(name, set);
        set.add(observer);
        this.onSubscribe();
        return () => set.delete(observer);
      });
    }
    const handler = this.#handlers.get(name);
    return new Observable<Result>((observer) => {
      if (!handler) {
        observer.error(new Error(`no handler for ${name}`));
        return;
      }
      Promise.resolve(handler(operation.variables, headers)).then(
        (result) => {
          observer.next(result);
          observer.complete();
        },
        (error: unknown) => observer.error(error),
      );
    });
  });

  handler(name: string): Handler | undefined {
    return this.#handlers.get(name);
  }

  on(name: string, handler: Handler): this {
    this.#handlers.set(name, handler);
    return this;
  }

  /** Sends one event to every open subscription of that name. */
  push(name: string, data: Record<string, unknown>): void {
    for (const observer of [...(this.#subscribers.get(name) ?? [])]) observer.next({ data });
  }

  /** Closes the "socket": every open subscription fails, as graphql-ws reports a close. */
  drop(): void {
    for (const set of this.#subscribers.values()) {
      for (const observer of [...set]) observer.error(new Error('Socket closed with event 1006'));
      set.clear();
    }
  }

  open(name: string): number {
    return this.#subscribers.get(name)?.size ?? 0;
  }

  count(name: string): number {
    return this.sent.filter((op) => op.name === name).length;
  }
}

/** A GraphQL error as the gateway sends it. */
export function graphQLError(message: string, extensions: Record<string, unknown>): Result {
  return { errors: [new GraphQLError(message, { extensions }).toJSON()], data: null };
}
