import { requestHeader, secretsMatch } from '@shop/event-core';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import {
  GraphQLError,
  NoSchemaIntrospectionCustomRule,
  type DocumentNode,
  type GraphQLFormattedError,
  type GraphQLSchema,
  type ValidationRule,
} from 'graphql';
import type { ApolloServerPlugin } from '@apollo/server';
import type { GatewayContext, RequestHeaders } from './data-source.ts';
import { checkInputValues, operationCost, tooCostly } from './operation-checks.ts';
import type { TrustedDocumentsOptions } from './trusted-documents.ts';

/** `viewer` reads and subscribes; `editor` also mutates. */
export type Role = 'viewer' | 'editor';

/** Limits on what one operation may ask for; the same for HTTP and graphql-ws. */
export interface QueryLimits {
  /** Default 12: the deepest dashboard query is 6. */
  readonly maxDepth?: number;
  /** Default 20. */
  readonly maxAliases?: number;
  /** Default 30. */
  readonly maxDirectives?: number;
  /** Default 3000; enforced by the parser, so an oversized document is a 400, not a 500. */
  readonly maxTokens?: number;
  /**
   * Static cost (graphql-armor's model: list sizes from `first` multiply, whether it is written in
   * the document, sent as a variable or left to a default). Default 25000: 500 rows of the
   * dashboard cost ~19000.
   */
  readonly maxCost?: number;
}

/** Who holds a token: its role, and the name the events it causes record as their actor. */
export interface TokenHolder {
  readonly role: Role;
  readonly name: string;
}

export interface SecurityOptions {
  /**
   * Token → role, or role and holder's name (the actor of the events it causes; default the role).
   * Undefined: the graph is open (development only).
   */
  readonly tokens?: ReadonlyMap<string, Role | TokenHolder>;
  /** Sent to subgraphs in {@link SUBGRAPH_SECRET_HEADER}; they refuse requests without it. */
  readonly subgraphSecret?: string;
  /** Introspection (and so the playground). */
  readonly allowIntrospection: boolean;
  /** Production hides field suggestions, stack traces and internal messages. */
  readonly production: boolean;
  /** Stack traces in error answers outside production (`ERROR_STACK_TRACES`). Default false. */
  readonly stackTraces?: boolean;
  /** Origins allowed to open a socket besides the gateway's own (`ALLOWED_ORIGINS`). */
  readonly allowedOrigins?: readonly string[];
  readonly limits?: QueryLimits;
  /**
   * Which documents may run (docs/security.md, "Trusted documents"). Default `{ mode: 'off' }`;
   * the configuration's default is `enforce` in production (`trustedDocumentsFrom`).
   */
  readonly trustedDocuments?: TrustedDocumentsOptions;
}

/** Who a bearer token belongs to: undefined when none was sent, `null` when it is not valid. */
export function holderOf(
  tokens: ReadonlyMap<string, Role | TokenHolder>,
  authorization: string | undefined,
): TokenHolder | null | undefined {
  if (!authorization) return undefined;
  const match = /^Bearer\s+(\S+)$/i.exec(authorization.trim());
  if (!match) return null;
  for (const [token, holder] of tokens) {
    if (secretsMatch(match[1], token)) return typeof holder === 'string' ? { role: holder, name: holder } : holder;
  }
  return null;
}

/** The role a bearer token grants: undefined when none was sent, `null` when it is not valid. */
export function roleOf(
  tokens: ReadonlyMap<string, Role | TokenHolder>,
  authorization: string | undefined,
): Role | null | undefined {
  const holder = holderOf(tokens, authorization);
  return holder ? holder.role : holder;
}

/** The role a request's bearer token gives: undefined without tokens or without a token, `null` when it is not valid. */
export function requestRole(tokens: SecurityOptions['tokens'], req: RequestHeaders): Role | null | undefined {
  return tokens ? roleOf(tokens, requestHeader(req, 'authorization')) : undefined;
}

/** What a request without a valid token is told to do. */
export const SEND_A_TOKEN = 'send a valid token: Authorization: Bearer <token>';

export const unauthenticated = (message = SEND_A_TOKEN) =>
  new GraphQLError(message, { extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } } });

const forbidden = (message: string) => new GraphQLError(message, { extensions: { code: 'FORBIDDEN', http: { status: 403 } } });

/**
 * What Apollo Server needs to refuse abusive operations cheaply: graphql-armor's depth, alias and
 * directive limits as validation rules (shared with graphql-ws), token limits in the parser, field
 * suggestions off in production, and, once the operation and its variables are known, role
 * checks, scalar values and the cost limit.
 */
export function protection({ tokens, allowIntrospection, production, limits = {} }: SecurityOptions) {
  const { maxDepth = 12, maxAliases = 20, maxDirectives = 30, maxTokens = 3000, maxCost = 25_000 } = limits;
  const armor = new ApolloArmor({
    maxDepth: { n: maxDepth },
    maxAliases: { n: maxAliases },
    maxDirectives: { n: maxDirectives },
    // Counted with the variables instead (operationCost): armor counts literal `first` only.
    costLimit: { enabled: false },
    blockFieldSuggestion: { enabled: production },
    // Counted by graphql-js's parser instead (parseOptions below): a syntax-level refusal.
    maxTokens: { enabled: false },
  });
  const { plugins, validationRules } = armor.protect();

  /**
   * Checks that need the operation and its variables, in this order: who may run it, that it
   * names an operation the document has, that its scalar values are valid, and its cost.
   */
  const checks: ApolloServerPlugin<GatewayContext> = {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, document, request, schema, contextValue }) {
          // The gateway's own hydrations were checked when their subscription was made.
          if (contextValue.internal) return;
          if (tokens) {
            if (!contextValue.role) throw unauthenticated();
            if (operation?.operation === 'mutation' && contextValue.role !== 'editor') {
              throw forbidden('this token may read and subscribe, not change data: mutations need an editor token');
            }
          }
          if (!operation) throw unresolvedOperation(document, request.operationName);
          if (operation.operation === 'subscription') {
            throw new GraphQLError('subscriptions are served over graphql-ws (a WebSocket on this same path), not over HTTP', {
              extensions: { code: 'BAD_REQUEST', http: { status: 400 } },
            });
          }
          checkOperation(schema, document, request.operationName, request.variables ?? {}, maxCost);
        },
      };
    },
  };

  return {
    plugins: [...plugins, checks],
    // For Apollo Server, which adds its own introspection rule when `introspection` is off.
    validationRules,
    // For graphql-ws, which validates subscriptions itself.
    socketValidationRules: [
      ...validationRules,
      ...(allowIntrospection ? [] : [NoSchemaIntrospectionCustomRule]),
    ] as ValidationRule[],
    parseOptions: { maxTokens },
    /** The checks of an operation with its variables, for graphql-ws subscriptions (which skip Apollo Server). */
    checkOperation: (
      schema: GraphQLSchema,
      document: DocumentNode,
      operationName: string | null | undefined,
      variables: Readonly<Record<string, unknown>>,
    ) => checkOperation(schema, document, operationName, variables, maxCost),
  };
}

/** Throws `BAD_USER_INPUT` for a bad scalar value, and refuses an operation over `maxCost`. */
function checkOperation(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Readonly<Record<string, unknown>>,
  maxCost: number,
): void {
  checkInputValues(schema, document, operationName, variables);
  const cost = operationCost(schema, document, operationName, variables);
  if (cost > maxCost) throw tooCostly(cost, maxCost);
}

/** A client's `operationName` that names nothing in its document, or none where one is needed: a 400, not a 500. */
export function unresolvedOperation(document: DocumentNode, operationName: string | null | undefined): GraphQLError {
  const message = operationName
    ? `Unknown operation named "${operationName.slice(0, 100)}": send the name of an operation in the document`
    : document.definitions.filter((d) => d.kind === 'OperationDefinition').length > 1
      ? 'Must provide operationName: the document holds several operations'
      : 'The document holds no operation to run';
  return new GraphQLError(message, { extensions: { code: 'OPERATION_RESOLUTION_FAILURE', http: { status: 400 } } });
}

/** A "Did you mean …?" of graphql-js, which names fields and types a client has not asked for. */
const SUGGESTION = /\s*Did you mean[^?]*\?/g;

/** The error without field or type suggestions (production: the schema is not shown to strangers). */
export function withoutSuggestions(error: GraphQLFormattedError): GraphQLFormattedError {
  const message = error.message.replace(SUGGESTION, '');
  return message === error.message ? error : { ...error, message };
}

/** May a socket from this origin connect? Non-browser clients send no Origin and may. */
export function originAllowed(origin: string | undefined, allowed: ReadonlySet<string>): boolean {
  if (origin === undefined) return true;
  try {
    return allowed.has(new URL(origin).origin);
  } catch {
    return false;
  }
}

/**
 * The origins a page served by the gateway itself has, from the address it listens on (not from a
 * request's Host header, which a DNS-rebinding page controls): `http://<host>:<port>`, and the
 * loopback names when it listens on loopback or on every interface.
 */
export function ownOrigins(host: string, port: number): string[] {
  const loopback = ['localhost', '127.0.0.1', '[::1]'];
  const everywhere = host === '0.0.0.0' || host === '::';
  const hosts = everywhere || loopback.includes(host) || host === '::1' ? loopback : [host.includes(':') ? `[${host}]` : host];
  return hosts.map((name) => new URL(`http://${name}:${port}`).origin);
}
