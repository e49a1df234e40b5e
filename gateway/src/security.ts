import { secretsMatch } from '@shop/event-core';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import { GraphQLError, NoSchemaIntrospectionCustomRule, type ValidationRule } from 'graphql';
import type { ApolloServerPlugin } from '@apollo/server';
import type { GatewayContext } from './data-source.ts';

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
  /** Static cost (graphql-armor's model: list sizes from `first` multiply). Default 25000: 500 rows of the dashboard cost ~19000. */
  readonly maxCost?: number;
}

export interface SecurityOptions {
  /** Token → role. Undefined: the graph is open (development only). */
  readonly tokens?: ReadonlyMap<string, Role>;
  /** Sent to subgraphs in {@link SUBGRAPH_SECRET_HEADER}; they refuse requests without it. */
  readonly subgraphSecret?: string;
  /** Introspection (and so the playground). */
  readonly allowIntrospection: boolean;
  /** Production hides field suggestions, stack traces and internal messages. */
  readonly production: boolean;
  /** Origins allowed to open a socket; undefined: the gateway's own origin only. */
  readonly allowedOrigins?: readonly string[];
  readonly limits?: QueryLimits;
}

/** The role a bearer token grants: undefined when none was sent, `null` when it is not valid. */
export function roleOf(tokens: ReadonlyMap<string, Role>, authorization: string | undefined): Role | null | undefined {
  if (!authorization) return undefined;
  const match = /^Bearer\s+(\S+)$/i.exec(authorization.trim());
  if (!match) return null;
  for (const [token, role] of tokens) if (secretsMatch(match[1], token)) return role;
  return null;
}

export const unauthenticated = (message = 'send a valid token: Authorization: Bearer <token>') =>
  new GraphQLError(message, { extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } } });

const forbidden = (message: string) => new GraphQLError(message, { extensions: { code: 'FORBIDDEN', http: { status: 403 } } });

/**
 * What Apollo Server needs to refuse abusive operations cheaply: graphql-armor's depth, alias,
 * directive and cost limits as validation rules (shared with graphql-ws), token limits in the
 * parser, field suggestions off in production, and role checks once the operation is known.
 */
export function protection({ tokens, allowIntrospection, production, limits = {} }: SecurityOptions) {
  const { maxDepth = 12, maxAliases = 20, maxDirectives = 30, maxTokens = 3000, maxCost = 25_000 } = limits;
  const armor = new ApolloArmor({
    maxDepth: { n: maxDepth },
    maxAliases: { n: maxAliases },
    maxDirectives: { n: maxDirectives },
    costLimit: { maxCost },
    blockFieldSuggestion: { enabled: production },
    // Counted by graphql-js's parser instead (parseOptions below): a syntax-level refusal.
    maxTokens: { enabled: false },
  });
  const { plugins, validationRules } = armor.protect();

  const authorization: ApolloServerPlugin<GatewayContext> = {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, contextValue }) {
          if (!tokens || contextValue.internal) return;
          if (!contextValue.role) throw unauthenticated();
          if (operation?.operation === 'mutation' && contextValue.role !== 'editor') {
            throw forbidden('this token may read and subscribe, not change data: mutations need an editor token');
          }
        },
      };
    },
  };

  return {
    plugins: [...plugins, authorization],
    // For Apollo Server, which adds its own introspection rule when `introspection` is off.
    validationRules,
    // For graphql-ws, which validates subscriptions itself.
    socketValidationRules: [
      ...validationRules,
      ...(allowIntrospection ? [] : [NoSchemaIntrospectionCustomRule]),
    ] as ValidationRule[],
    parseOptions: { maxTokens },
  };
}

/** May a socket from this origin connect? Non-browser clients send no Origin and may. */
export function originAllowed(
  origin: string | undefined,
  host: string | undefined,
  allowed: readonly string[] | undefined,
): boolean {
  if (!origin) return true;
  if (allowed) return allowed.includes(origin);
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}
