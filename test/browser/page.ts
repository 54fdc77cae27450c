// The browser test's page script (bundled by esbuild in browser.test.ts): loads the wasm backend
// from the test server's /kernels/ (through setWasmPaths), runs the checks, and publishes the
// results on window. Under Node (the test runner loads every file under test/) it does nothing.
import { ready } from '../../src/backend/index.js';
import { setWasmPaths } from '../../src/backend/platform/platform.js';
import { randn } from '../../src/tensor/creation.js';
import { runChecks } from './checks.js';

interface PageGlobals { location?: { search: string }; __results?: unknown; __error?: string }
const g = globalThis as unknown as PageGlobals;

if (g.location !== undefined) {
  if (g.location.search.includes('early')) {
    // An op before ready(): a clear error, not a hang or a silent fallback.
    try { randn(2, 2).sum(); g.__error = 'no error'; } catch (e) { g.__error = (e as Error).message; }
  }
  const bad = g.location.search.includes('missing');
  setWasmPaths(bad ? '/missing/' : '/kernels/');
  if (g.__error === undefined) ready().then(() => {
    g.__results = { ...runChecks(), isolated: (globalThis as unknown as { crossOriginIsolated?: boolean }).crossOriginIsolated === true };
  }, (e: Error) => { g.__error = e.message; });
}
