// Copies the committed kernel modules (src/backend/wasm/gen/*.wasm) next to the compiled backend
// (dist/src/backend/wasm/gen/), where `new URL('../wasm/gen/…', import.meta.url)` in the compiled
// browser platform points, so bundlers that follow it (Vite, webpack) find them in dist/.
import { copyFileSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const from = path.join(root, 'src/backend/wasm/gen');
const to = path.join(root, 'dist/src/backend/wasm/gen');
mkdirSync(to, { recursive: true });
for (const f of readdirSync(from)) if (f.endsWith('.wasm')) copyFileSync(path.join(from, f), path.join(to, f));
