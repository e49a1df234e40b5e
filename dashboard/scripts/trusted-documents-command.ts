/** `npm run trusted-documents`: regenerates schema/trusted-documents.json from the clients' operations. */
import { writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { manifestText, TRUSTED_DOCUMENTS_PATH } from '../../schema/src/trusted-documents/manifest.ts';
import { generateTrustedDocuments } from './trusted-documents.ts';

const manifest = await generateTrustedDocuments();
writeFileSync(TRUSTED_DOCUMENTS_PATH, manifestText(manifest));
console.log(`wrote ${relative(process.cwd(), TRUSTED_DOCUMENTS_PATH)} (${Object.keys(manifest.documents).length} documents)`);
