import {
  GraphQLError,
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
  type GraphQLSchema,
  type ValidationRule,
} from 'graphql';
import type { Logger } from '@shop/event-core';
import { documentHash, readTrustedDocuments, usesOf, type TrustedDocumentsManifest } from '@shop/schema';
import type { Role } from './security.ts';

/*
 * Trusted documents (docs/decisions/0021-trusted-documents.md): the gateway knows every document
 * its clients ship, by the SHA-256 of its text. Rules of this module:
 * - a document is known by the hash of its text, whether the client sent the text, the hash, or
 *   both (then they must agree); the text of a known hash comes from the manifest only;
 * - nothing a client sends is ever stored: a hash the manifest lacks stays unknown (Automatic
 *   Persisted Queries' registration is a no-op), in every mode;
 * - the manifest's documents are parsed and validated once, at start, with the same rules a
 *   request's document gets; a request for one skips both.
 */

/** `off`: any document runs; `log`: any runs and an unknown one is logged; `enforce`: an unknown one is refused. */
export type TrustedDocumentsMode = 'off' | 'log' | 'enforce';

export interface TrustedDocumentsOptions {
  readonly mode: TrustedDocumentsMode;
  /** Roles that may run any document, e.g. `['editor']` for the shell (`TRUSTED_DOCUMENTS_ANY_ROLES`). Default none. */
  readonly anyDocumentRoles?: readonly Role[];
  /** Default the checked-in `schema/trusted-documents.json`. */
  readonly manifest?: TrustedDocumentsManifest;
}

/** A SHA-256 in hex, the length of every key Apollo Server builds around a document's hash. */
const HASH_LENGTH = 64;
/** Documents outside the manifest whose parsed form is kept; relearned when full. */
const MAX_OTHER_DOCUMENTS = 1_000;

export const untrustedDocument = (): GraphQLError =>
  new GraphQLError(
    'this gateway runs only the operations its clients ship (trusted documents): send one of theirs, or add yours to a client and regenerate schema/trusted-documents.json (npm run trusted-documents)',
    { extensions: { code: 'DOCUMENT_NOT_TRUSTED', http: { status: 403 } } },
  );

const persistedQueryNotFound = (): GraphQLError =>
  new GraphQLError('PersistedQueryNotFound: no trusted document has this hash; send the query text instead', {
    extensions: { code: 'PERSISTED_QUERY_NOT_FOUND', http: { status: 400 } },
  });

const badRequest = (message: string): GraphQLError =>
  new GraphQLError(message, { extensions: { code: 'BAD_REQUEST', http: { status: 400 } } });

/** The `persistedQuery.sha256Hash` of a request's extensions, if it has one. */
export function persistedHashOf(extensions: unknown): string | undefined {
  const persisted = (extensions as { persistedQuery?: { sha256Hash?: unknown } } | null | undefined)?.persistedQuery;
  return typeof persisted?.sha256Hash === 'string' ? persisted.sha256Hash : undefined;
}

/** A request's document as the gateway will run it: its text, its hash and, when trusted, its checked AST. */
export interface AdmittedDocument {
  readonly text: string;
  readonly hash: string;
  /** Parsed and validated at start: run it without doing either again. */
  readonly document?: DocumentNode;
}

export interface TrustedDocuments {
  /**
   * Why an HTTP request's document may not run (`undefined` when it may). Only a request that
   * sends a text is checked: Apollo Server answers a hash with the manifest's text or
   * `PERSISTED_QUERY_NOT_FOUND`, and a hash that does not match its text with a 400.
   */
  refusal(request: { query?: unknown; operationName?: unknown }, role: Role | undefined): GraphQLError | undefined;
  /** Apollo Server's persisted-query store: the manifest, read-only. */
  readonly persistedQueries: {
    readonly cache: {
      get(key: string): Promise<string | undefined>;
      set(key: string, value: string): Promise<void>;
      delete(key: string): Promise<boolean>;
    };
  };
  /** Apollo Server's store of parsed and validated documents, holding the manifest's from the start. */
  readonly documentStore: {
    get(key: string): Promise<DocumentNode | undefined>;
    set(key: string, value: DocumentNode): Promise<void>;
    delete(key: string): Promise<boolean>;
  };
  /** The document of a graphql-ws request, or why it is refused. */
  admit(
    request: { query: string; extensions?: unknown; operationName?: string | null | undefined },
    role: Role | undefined,
  ): AdmittedDocument | GraphQLError;
}

/**
 * The gateway's trusted documents: the manifest's documents parsed and validated against the API
 * schema with `validationRules` (the ones Apollo Server and graphql-ws apply), and the checks of
 * `mode` for HTTP (a plugin and Apollo Server's stores) and graphql-ws (`admit`).
 */
export function createTrustedDocuments(
  { mode, anyDocumentRoles = [], manifest = readTrustedDocuments() }: TrustedDocumentsOptions,
  {
    schema,
    validationRules,
    maxTokens,
    logger,
  }: {
    schema: GraphQLSchema;
    validationRules: readonly ValidationRule[];
    maxTokens: number;
    logger: Logger;
  },
): TrustedDocuments {
  const texts = new Map(Object.entries(manifest.documents));
  const checked = new Map<string, DocumentNode>();
  const rules = [...specifiedRules, ...validationRules];
  for (const [hash, text] of texts) {
    try {
      const document = parse(text, { maxTokens });
      const errors = validate(schema, document, rules);
      if (errors.length === 0) {
        checked.set(hash, document);
        continue;
      }
      logger.warn(
        { hash, uses: usesOf(manifest, hash), errors: errors.map((e) => e.message) },
        'a trusted document does not validate against this supergraph (run npm run schema:check): it is checked per request',
      );
    } catch (error) {
      logger.warn({ hash, error: (error as Error).message }, 'a trusted document does not parse: it is checked per request');
    }
  }
  /** Parsed and validated documents of other texts (development, roles allowed any document), as Apollo Server keeps them. */
  const others = new Map<string, DocumentNode>();

  /** Whether a document may run for this role; `undefined` when it may, the error when not. */
  const check = (hash: string, role: Role | undefined, operationName: unknown, transport: string): GraphQLError | undefined => {
    if (mode === 'off' || texts.has(hash) || (role && anyDocumentRoles.includes(role))) return undefined;
    if (mode === 'log') {
      logger.warn(
        { hash, operationName: typeof operationName === 'string' ? operationName.slice(0, 100) : undefined, role, transport },
        'a document outside the trusted documents ran (TRUSTED_DOCUMENTS=log; enforce would refuse it)',
      );
      return undefined;
    }
    return untrustedDocument();
  };

  return {
    refusal({ query, operationName }, role) {
      // Off: not even hashed.
      if (mode === 'off' || typeof query !== 'string') return undefined;
      return check(documentHash(query), role, operationName, 'http');
    },
    persistedQueries: {
      cache: {
        // Apollo Server prefixes its keys ('apq:'); the hash is the key's end.
        get: async (key) => texts.get(key.slice(-HASH_LENGTH)),
        // A client's registration (text and hash sent together) is checked like any text and never kept.
        set: async () => undefined,
        delete: async () => false,
      },
    },
    documentStore: {
      // Keys are the schema's hash and the document's; the gateway's schema is fixed at start,
      // so the manifest's documents, validated against it, hold for every key that ends in their hash.
      get: async (key) => checked.get(key.slice(-HASH_LENGTH)) ?? others.get(key),
      set: async (key, document) => {
        if (others.size >= MAX_OTHER_DOCUMENTS) others.clear();
        others.set(key, document);
      },
      delete: async (key) => others.delete(key),
    },
    admit({ query, extensions, operationName }, role) {
      const requested = persistedHashOf(extensions);
      let text = query;
      let hash: string;
      if (text) {
        hash = documentHash(text);
        if (requested !== undefined && requested !== hash) return badRequest('provided sha does not match query');
      } else {
        if (requested === undefined)
          return badRequest('send a query, or the hash of a trusted document in extensions.persistedQuery');
        const known = texts.get(requested);
        if (known === undefined) return persistedQueryNotFound();
        text = known;
        hash = requested;
      }
      const refusal = check(hash, role, operationName, 'graphql-ws');
      if (refusal) return refusal;
      const document = checked.get(hash);
      return document ? { text, hash, document } : { text, hash };
    },
  };
}
