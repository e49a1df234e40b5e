import { ApolloClient, ApolloLink } from '@apollo/client';
import { print } from '@apollo/client/utilities';
import { getOperationAST, parse, type DocumentNode } from 'graphql';
import { Observable } from 'rxjs';
import { buildManifest, type TrustedDocumentsManifest } from '../../schema/src/trusted-documents/manifest.ts';
import { clientOperations } from '../../client/codegen/trusted-documents.ts';
import { createCache } from '../src/apollo/cache.ts';
import * as generated from '../src/gql/graphql.ts';
import { examples } from '../src/playground/examples.ts';

/** One operation as a client sends it: its name and its text, byte for byte. */
export interface SentOperation {
  readonly name: string;
  readonly body: string;
}

/** Every typed document the dashboard's code generation made, by its export name. */
const dashboardDocuments = (): DocumentNode[] =>
  Object.entries(generated)
    .filter(([name, value]) => name.endsWith('Document') && typeof value === 'object' && value !== null && 'kind' in value)
    .map(([, value]) => value as DocumentNode);

/**
 * The dashboard's operations with the text Apollo Client puts on the wire. Taken from a real
 * Apollo Client with the dashboard's cache, whose last link records what it would send instead
 * of sending it: the cache adds `__typename` and strips client-only directives, so the generated
 * documents' own text is not what the gateway receives.
 */
export async function dashboardOperations(): Promise<SentOperation[]> {
  const sent = new Map<string, string>();
  const client = new ApolloClient({
    cache: createCache(),
    link: new ApolloLink((operation) => {
      sent.set(operation.operationName ?? '', print(operation.query));
      return new Observable((observer) => observer.error(new Error('recorded, not sent')));
    }),
  });
  for (const document of dashboardDocuments()) {
    const kind = getOperationAST(document)?.operation;
    if (kind === 'subscription') {
      await new Promise<void>((resolve) => {
        client.subscribe({ query: document }).subscribe({ error: () => resolve(), complete: () => resolve() });
      });
    } else if (kind === 'mutation') {
      await client.mutate({ mutation: document }).catch(() => undefined);
    } else {
      await client.query({ query: document, fetchPolicy: 'network-only' }).catch(() => undefined);
    }
  }
  client.stop();
  return [...sent].map(([name, body]) => ({ name, body }));
}

/** The playground's example tabs: GraphiQL sends the editor's text as it stands, comments and all. */
export function playgroundOperations(): SentOperation[] {
  return examples.flatMap(({ query }) => {
    if (!query) return [];
    const name = getOperationAST(parse(query))?.name?.value;
    if (!name) throw new Error('every playground example needs a named operation (trusted documents are listed by name)');
    return [{ name, body: query }];
  });
}

/**
 * The trusted documents of the graph's clients as their sources stand: the dashboard's and the
 * typed client's generated documents (as each client prints them) and the playground's examples.
 * Compared with the checked-in schema/trusted-documents.json by the staleness test, written by
 * `npm run trusted-documents`. (Here, in the dashboard's TypeScript program, because the
 * playground's examples are typed with GraphiQL's browser types.)
 */
export async function generateTrustedDocuments(): Promise<TrustedDocumentsManifest> {
  return buildManifest({
    client: clientOperations(),
    dashboard: await dashboardOperations(),
    playground: playgroundOperations(),
  });
}
