/**
 * `forEachBackend(label, body)`: a suite that runs on the test matrix's backend (see matrix.ts):
 * $CONVNET_TEST_BACKEND's entry when set (`npm test` sets it once per entry), else the library's
 * default. The suite's name says which ran.
 */
import { after, before, describe } from 'node:test';
import type { Backend } from '../../src/backend/backend.js';
import { getBackend, setBackend } from '../../src/backend/index.js';
import { matrixBackend } from './matrix.js';

/** `describe('<label> [<backend>]')` with the matrix backend active while `body`'s tests run. */
export function forEachBackend(label: string, body: (backend: string) => void): void {
  const m = matrixBackend();
  const b = m?.backend ?? getBackend();
  const name = m?.entry ?? b.name;
  describe(`${label} [${name}]`, () => {
    let prev: Backend | null = null;
    before(() => { prev = setBackend(b); });
    after(() => { setBackend(prev); });
    body(name);
  });
}
