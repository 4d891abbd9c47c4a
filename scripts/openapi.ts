// Writes the API's OpenAPI document and the typed client's types generated from it:
//   npm run openapi             clients/typescript/openapi.json and clients/typescript/src/schema.ts
//   npm run openapi -- --check  fails (exit 1) when either differs from what the routes produce
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { CLIENT_DOCUMENT, CLIENT_TYPES, clientFiles } from '../dev/openapi-document.js';
import { REPO_ROOT } from '../src/runtime/app-root.js';

const { document, types } = await clientFiles();
const files = [
  { file: CLIENT_DOCUMENT, text: document },
  { file: CLIENT_TYPES, text: types },
];
if (process.argv.includes('--check')) {
  const stale: string[] = [];
  for (const { file, text } of files) if ((await readFile(file, 'utf8').catch(() => '')) !== text) stale.push(path.relative(REPO_ROOT, file));
  if (stale.length > 0) {
    console.error(`out of date with the API's routes: ${stale.join(', ')}; run \`npm run openapi\` and commit the result`);
    process.exit(1);
  }
  console.log('openapi.json and the client types match the routes');
} else {
  for (const { file, text } of files) await writeFile(file, text);
  console.log(`wrote ${files.map(({ file, text }) => `${path.relative(REPO_ROOT, file)} (${text.length} bytes)`).join(', ')}`);
}
