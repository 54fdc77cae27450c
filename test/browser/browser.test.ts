/**
 * The wasm backend in a real browser: a page bundled by esbuild from the library's universal
 * modules runs in Debian's headless Chromium (driven by playwright-core, which downloads nothing),
 * served by a local http server — cross-origin isolated (COOP/COEP headers: Web Workers on a
 * shared memory, 2 threads) and not (1 thread). Its matmul and conv2d forward + backward must give
 * Node's numbers. Without /usr/bin/chromium the suite says so in one line and is skipped, unless
 * CONVNET_REQUIRE_BROWSER=1 (CI), where that is a failure.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { setBackend } from '../../src/backend/index.js';
import { WasmBackend } from '../../src/backend/wasm/index.js';
import { runChecks, type CheckResults } from './checks.js';

const CHROMIUM = process.env['CONVNET_CHROMIUM'] ?? '/usr/bin/chromium';
const root = fileURLToPath(new URL('../../../', import.meta.url));
const haveBrowser = existsSync(CHROMIUM);
if (!haveBrowser) {
  const msg = `browser tests: ${CHROMIUM} not found (install it: apt-get install -y chromium)`;
  if (process.env['CONVNET_REQUIRE_BROWSER'] === '1') throw new Error(`${msg}, and CONVNET_REQUIRE_BROWSER=1`);
  console.log(`# SKIPPED ${msg}`);
}

type PageResults = CheckResults & { isolated: boolean };

describe('wasm backend in headless Chromium', { skip: !haveBrowser }, () => {
  let dir = '';
  let server: http.Server;
  let base = '';
  let browser: { close(): Promise<void>; newPage(): Promise<Page> };
  interface Page {
    goto(url: string): Promise<unknown>;
    on(ev: 'console', f: (m: { text(): string }) => void): void;
    waitForFunction(f: string, arg?: unknown, opts?: { timeout: number }): Promise<unknown>;
    evaluate<T>(f: string): Promise<T>;
    close(): Promise<void>;
  }

  before(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'convnet-browser-'));
    const esbuild = await import('esbuild');
    await esbuild.build({
      // Minified, names kept: the worker's script is the pool's own source text, which must survive both.
      entryPoints: [path.join(root, 'dist/test/browser/page.js')], bundle: true, format: 'esm', platform: 'browser',
      minify: true, keepNames: true,
      outfile: path.join(dir, 'page.js'), logLevel: 'error',
    });
    writeFileSync(path.join(dir, 'index.html'), '<!doctype html><meta charset="utf-8"><title>convnet-ts</title><script type="module" src="page.js"></script>');
    const gen = path.join(root, 'src/backend/wasm/gen');
    // /iso/... is served cross-origin isolated, /plain/... is not; /kernels/ holds the .wasm files.
    server = http.createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      const iso = url.pathname.startsWith('/iso/');
      let file: string | null = null;
      const name = url.pathname.endsWith('/') ? 'index.html' : path.basename(url.pathname);
      if (url.pathname.startsWith('/kernels/') && /^kernels-[a-z-]+\.wasm$/.test(name)) file = path.join(gen, name);
      else if (/^\/(iso|plain)\/(index\.html|page\.js)?$/.test(url.pathname)) file = path.join(dir, name);
      if (file === null || !existsSync(file)) { res.writeHead(404); res.end('not found'); return; }
      const type = name.endsWith('.wasm') ? 'application/wasm' : name.endsWith('.js') ? 'text/javascript' : 'text/html';
      const headers: Record<string, string> = { 'content-type': type };
      if (iso || url.pathname.startsWith('/kernels/')) {
        headers['cross-origin-opener-policy'] = 'same-origin';
        headers['cross-origin-embedder-policy'] = 'require-corp';
      }
      res.writeHead(200, headers);
      res.end(readFileSync(file));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({
      executablePath: CHROMIUM, headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    }) as unknown as typeof browser;
  });

  after(async () => {
    await browser?.close();
    server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function load(pathAndQuery: string): Promise<{ results: PageResults | null; error: string | null; console: string[] }> {
    const page = await browser.newPage();
    const lines: string[] = [];
    page.on('console', (m) => lines.push(m.text()));
    try {
      await page.goto(base + pathAndQuery);
      await page.waitForFunction('window.__results !== undefined || window.__error !== undefined', undefined, { timeout: 60000 });
      const results = await page.evaluate<PageResults | null>('window.__results ?? null');
      const error = await page.evaluate<string | null>('window.__error ?? null');
      return { results, error, console: lines };
    } finally {
      await page.close();
    }
  }

  let node: CheckResults;
  before(() => {
    const b = new WasmBackend({ threads: 2 });
    const prev = setBackend(b);
    try { node = runChecks(); } finally { setBackend(prev); b.dispose(); }
  });

  function assertSameNumbers(page: PageResults): void {
    // Same kernel build => same bits (the cuts do not depend on threads); another build (plain
    // SIMD vs relaxed FMA) only rounds differently.
    const flavor = (s: string): string => s.split('-')[1]!;
    const exact = flavor(page.backend) === flavor(node.backend);
    for (const [k, want] of Object.entries(node.values)) {
      const got = page.values[k]!;
      assert.equal(got.length, want.length, `${k}: length`);
      for (let i = 0; i < want.length; i++) {
        if (exact) assert.equal(got[i], want[i], `${k}[${i}]: browser ${got[i]} vs Node ${want[i]} (${page.backend} vs ${node.backend})`);
        else assert.ok(Math.abs(got[i]! - want[i]!) <= 1e-4 * (1 + Math.abs(want[i]!)), `${k}[${i}]: ${got[i]} vs ${want[i]}`);
      }
    }
  }

  it('cross-origin isolated: 2 worker threads on a shared memory, Node\'s numbers', async () => {
    const r = await load('/iso/');
    assert.equal(r.error, null, `page error: ${r.error}`);
    assert.ok(r.results!.isolated, 'the page is cross-origin isolated');
    assert.match(r.results!.backend, /^wasm-(relaxed|simd)-2t$/, `backend ${r.results!.backend}`);
    assertSameNumbers(r.results!);
  });

  it('not isolated: one thread with SIMD, a note that says why, the same numbers', async () => {
    const r = await load('/plain/');
    assert.equal(r.error, null, `page error: ${r.error}`);
    assert.ok(!r.results!.isolated);
    assert.match(r.results!.backend, /^wasm-(relaxed|simd)-1t$/, `backend ${r.results!.backend}`);
    assert.ok(r.console.some((l) => /one thread.*not cross-origin isolated/.test(l)), `console: ${r.console.join(' | ')}`);
    assertSameNumbers(r.results!);
  });

  it('an op before ready(): an error that says to await ready()', async () => {
    const r = await load('/iso/?early');
    assert.match(r.error ?? '', /still loading in this browser: `await ready\(\)`/);
  });

  it('a kernel module that cannot be fetched: ready() rejects naming the URL and setWasmPaths', async () => {
    const r = await load('/iso/?missing');
    assert.equal(r.results, null);
    assert.match(r.error ?? '', /\/missing\/kernels-(relaxed|simd)\.wasm failed \(HTTP 404\).*setWasmPaths/);
  });
});
