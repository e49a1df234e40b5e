import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Trusted documents: every operation the graph's own clients send, by the SHA-256 of its text
 * exactly as the client sends it (the `sha256Hash` of a persisted query). The gateway runs only
 * these where `TRUSTED_DOCUMENTS=enforce`; the schema check refuses changes that would break them.
 */

/** Where the manifest is checked in (`npm run trusted-documents` writes it). */
export const TRUSTED_DOCUMENTS_PATH = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'trusted-documents.json');

/** The graph's clients, by the name the manifest and the schema check give them. */
export type TrustedClient = 'dashboard' | 'client' | 'playground';

/** One operation a client sends: its name and the document's text, byte for byte as sent. */
export interface ClientOperation {
  readonly name: string;
  readonly body: string;
}

export interface TrustedDocumentsManifest {
  readonly version: 1;
  /** Client → operation name → hash. */
  readonly clients: Readonly<Record<TrustedClient, Readonly<Record<string, string>>>>;
  /** Hash → document text. */
  readonly documents: Readonly<Record<string, string>>;
}

/** SHA-256 of a document's text, in lowercase hex: what a client sends as `persistedQuery.sha256Hash`. */
export function documentHash(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** The manifest of these clients' operations: names and hashes sorted, so the file diffs well. */
export function buildManifest(operations: Readonly<Record<TrustedClient, readonly ClientOperation[]>>): TrustedDocumentsManifest {
  const documents = new Map<string, string>();
  const clients = {} as Record<TrustedClient, Record<string, string>>;
  for (const client of (Object.keys(operations) as TrustedClient[]).sort()) {
    const names: Record<string, string> = {};
    for (const { name, body } of [...operations[client]].sort((a, b) => a.name.localeCompare(b.name))) {
      if (names[name]) throw new Error(`${client} has two operations named ${name}: give each its own name`);
      const hash = documentHash(body);
      names[name] = hash;
      documents.set(hash, body);
    }
    clients[client] = names;
  }
  return {
    version: 1,
    clients,
    documents: Object.fromEntries([...documents].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
  };
}

/** The manifest as the checked-in file holds it. */
export function manifestText(manifest: TrustedDocumentsManifest): string {
  return `${JSON.stringify(manifest, null, 2)}\n`;
}

/** Reads a manifest, checking that each document's hash is its text's (a hand edit would break clients silently). */
export function readTrustedDocuments(path: string = TRUSTED_DOCUMENTS_PATH): TrustedDocumentsManifest {
  const manifest = JSON.parse(readFileSync(path, 'utf8')) as TrustedDocumentsManifest;
  if (manifest.version !== 1 || typeof manifest.documents !== 'object' || typeof manifest.clients !== 'object') {
    throw new Error(`${path} is not a trusted-documents manifest (version 1): regenerate it with npm run trusted-documents`);
  }
  for (const [hash, body] of Object.entries(manifest.documents)) {
    if (documentHash(body) !== hash) {
      throw new Error(`${path}: document ${hash} does not hash to its key: regenerate it with npm run trusted-documents`);
    }
  }
  return manifest;
}

/** Who sends a document: `client` operation `name` for each use of its hash. */
export function usesOf(manifest: TrustedDocumentsManifest, hash: string): { client: TrustedClient; name: string }[] {
  return (Object.entries(manifest.clients) as [TrustedClient, Record<string, string>][]).flatMap(([client, names]) =>
    Object.entries(names)
      .filter(([, h]) => h === hash)
      .map(([name]) => ({ client, name })),
  );
}
