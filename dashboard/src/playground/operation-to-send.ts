import { Kind, parse, type DocumentNode } from 'graphql';
import type { Fetcher } from '@graphiql/toolkit';

/** What the playground sends with a document: the document parsed, and which of its operations to run. */
export interface OperationToSend {
  /** `query` parsed; none when it does not parse (the server then reports why). */
  document?: DocumentNode;
  operationName?: string;
}

/**
 * Which operation of `query` to run: the one named `operationName` if the document has it, else
 * the document's only operation, else none (the server then asks which one).
 *
 * GraphiQL reads the operation name and the parsed document from its editor a moment (debounced)
 * after the text changes, so a tab switched to and run at once still carries the previous tab's
 * name and document, while the text it sends is already the new tab's. Its fetcher picks HTTP or
 * the socket by that document, so both are taken from the text actually sent.
 */
export function operationToSend(query: string, operationName?: string | null): OperationToSend {
  let document: DocumentNode;
  try {
    document = parse(query);
  } catch {
    return { operationName: operationName ?? undefined };
  }
  const names = document.definitions
    .filter((definition) => definition.kind === Kind.OPERATION_DEFINITION)
    .map((operation) => operation.name?.value);
  if (operationName && names.includes(operationName)) return { document, operationName };
  return { document, operationName: names.length === 1 ? names[0] : undefined };
}

/** `fetcher`, sent the operation and document of the text it is given (see {@link operationToSend}). */
export function withOperationOfText(fetcher: Fetcher): Fetcher {
  return (params, options) => {
    const { document, operationName } = operationToSend(params.query, params.operationName);
    return fetcher({ ...params, operationName }, { ...options, documentAST: document });
  };
}
