/**
 * The page side of the data layer in Debian's headless Chromium (playwright-core drives
 * /usr/bin/chromium; skipped where it is not installed): createImageBitmap decoding against PIL,
 * and the Web Worker pool making the same batches, bit for bit, as Node's pool on the same PNGs.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import path from 'node:path';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { buildBatch, loadAll, type BatchTask } from '../../src/data/loader/batch.js';
import { FileSource } from '../../src/data/node/file-source.js';
import { Compose, RandomCrop, RandomHorizontalFlip, Resize, ToTensor, ColorJitter, transformFromSpec } from '../../src/data/transforms/transforms.js';
import { loadFixture } from '../helpers/fixtures.js';
import { pattern, tempDir, writeImage } from '../helpers/images.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const CHROMIUM = '/usr/bin/chromium';
const skip = fs.existsSync(CHROMIUM) ? false : `${CHROMIUM} not installed (apt-get install chromium)`;
const tmp = tempDir('convnet-browser-');
let server: Server, base = '', browser: Browser, page: Page;

const TYPES: Record<string, string> = { '.js': 'text/javascript', '.json': 'application/json', '.png': 'image/png', '.jpg': 'image/jpeg', '.webp': 'image/webp', '.html': 'text/html' };

before(async () => {
  if (skip) return;
  server = createServer((req, res) => {
    const url = decodeURIComponent((req.url ?? '/').split('?')[0]!);
    const file = url.startsWith('/tmp/') ? path.join(tmp, url.slice(5)) : path.join(root, url);
    const headers = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };
    if (url === '/') { res.writeHead(200, { ...headers, 'Content-Type': 'text/html' }).end('<!doctype html><title>data</title>'); return; }
    if (!file.startsWith(root) && !file.startsWith(tmp)) { res.writeHead(403).end(); return; }
    fs.readFile(file, (err, body) => {
      if (err) res.writeHead(404, headers).end();
      else res.writeHead(200, { ...headers, 'Content-Type': TYPES[path.extname(file)] ?? 'application/octet-stream' }).end(body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    // launch() gives each run a fresh temporary profile (what --user-data-dir would).
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  page = await browser.newPage();
  await page.goto(`${base}/`);
});

after(async () => {
  await browser?.close();
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  fs.rmSync(tmp, { recursive: true, force: true });
});

test('createImageBitmap + OffscreenCanvas decode PNG and WebP exactly as PIL does (JPEG within 2)', { skip }, async () => {
  const fx = loadFixture<{ decode: Record<string, { h: number; w: number; data: number[] }> }>('transforms/transforms.json');
  const diffs = await page.evaluate(async (expected) => {
    const mod = '/dist/src/data/browser/decode.js';
    const { decodeImageBlob } = (await import(mod)) as typeof import('../../src/data/browser/decode.js');
    const out: Record<string, number> = {};
    for (const [name, want] of Object.entries(expected)) {
      const bytes = new Uint8Array(await (await fetch(`/fixtures/transforms/${name}`)).arrayBuffer());
      const img = await decodeImageBlob(bytes, name, 3);
      let worst = img.width === want.w && img.height === want.h ? 0 : 999;
      for (let i = 0; i < want.data.length; i++) worst = Math.max(worst, Math.abs(img.data[i]! - want.data[i]!));
      out[name] = worst;
    }
    return out;
  }, fx.decode);
  for (const [name, d] of Object.entries(diffs)) assert.ok(d <= (name.endsWith('.jpg') ? 2 : 0), `${name}: max |diff| ${d}`);
  const bad = await page.evaluate(async () => {
    const mod = '/dist/src/data/browser/decode.js';
    const { decodeImageBlob } = (await import(mod)) as typeof import('../../src/data/browser/decode.js');
    try { await decodeImageBlob(new Uint8Array([1, 2, 3]), 'junk.png', 3); return 'decoded?'; } catch (e) { return (e as Error).message; }
  });
  assert.match(bad, /^junk\.png: cannot decode the image \(corrupt, truncated or not an image: /);
});

test('the Web Worker pool (2 workers) and ImageList on the page thread make the same batches as Node, bit for bit, with random augmentation', { skip }, async () => {
  const files: string[] = [];
  for (let i = 0; i < 10; i++) {
    const f = path.join(tmp, 'imgs', `c${i % 2}`, `${i}.png`);
    await writeImage(f, pattern(13 + i, 11, 3, i), 13 + i, 11, 3);
    files.push(f);
  }
  const labels = Int32Array.from(files, (_, i) => i % 2);
  const tf = new Compose([new Resize([12, 12]), new RandomCrop(10, { padding: 2, paddingMode: 'symmetric' }), new RandomHorizontalFlip(), new ColorJitter({ brightness: 0.5, contrast: 0.5 }), new ToTensor()]);
  const tasks: BatchTask[] = [0, 1, 2].map((b) => ({
    id: b, indices: Int32Array.from([b, 9 - b, (b * 3) % 10, 7]), positions: Int32Array.from([4 * b, 4 * b + 1, 4 * b + 2, 4 * b + 3]), key: [123456789, 42],
  }));
  const src = new FileSource(files, labels, 3), t = transformFromSpec(tf.spec());
  const want = await Promise.all(tasks.map(async (task) => {
    const p = buildBatch(src, task, await loadAll(src, task.indices), t, false);
    return { shape: p.shape, y: Array.from(p.y), x: Array.from(p.x) };
  }));
  const got = await page.evaluate(async ({ urls, labels, spec, tasks }) => {
    const mod = '/dist/src/data/browser/worker-pool.js';
    const { WebWorkerPool } = (await import(mod)) as typeof import('../../src/data/browser/worker-pool.js');
    const pool = new WebWorkerPool({ source: { kind: 'urls', urls, labels: Int32Array.from(labels), channels: 3 }, transform: spec, skipBad: false }, { numWorkers: 2, timeoutMs: 60_000 });
    for (const t of tasks) pool.submit({ id: t.id, indices: Int32Array.from(t.indices), positions: Int32Array.from(t.positions), key: t.key });
    const out = [];
    for (const t of tasks) { const p = await pool.take(t.id); out.push({ shape: p.shape, y: Array.from(p.y), x: Array.from(p.x) }); }
    pool.close();
    // numWorkers 0: ImageList's own pool decodes on the page's thread (for await).
    const lmod = '/dist/src/data/browser/image-list.js', tmod = '/dist/src/data/transforms/transforms.js';
    const { ImageList } = (await import(lmod)) as typeof import('../../src/data/browser/image-list.js');
    const { transformFromSpec } = (await import(tmod)) as typeof import('../../src/data/transforms/transforms.js');
    const list = new ImageList(urls.map((url, i) => ({ url, label: labels[i]! })), { transform: transformFromSpec(spec) });
    const inline = list.createPool({ numWorkers: 0, timeoutMs: 60_000 });
    const out0 = [];
    for (const t of tasks) inline.submit({ id: t.id, indices: Int32Array.from(t.indices), positions: Int32Array.from(t.positions), key: t.key });
    for (const t of tasks) { const p = await inline.take(t.id); out0.push({ shape: p.shape, y: Array.from(p.y), x: Array.from(p.x) }); }
    let syncError = '';
    try { inline.takeSync(0); } catch (e) { syncError = (e as Error).message; }
    return { out, out0, syncError, isolated: (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated };
  }, { urls: files.map((f) => `/tmp/${path.relative(tmp, f)}`), labels: Array.from(labels), spec: tf.spec(), tasks: tasks.map((k) => ({ id: k.id, indices: Array.from(k.indices), positions: Array.from(k.positions), key: k.key })) });
  assert.equal(got.isolated, true, 'served with COOP/COEP');
  assert.deepEqual(got.out, want);
  assert.deepEqual(got.out0, want, 'ImageList with numWorkers 0 too');
  assert.match(got.syncError, /decodes asynchronously on this thread; iterate with `for await/);
});
