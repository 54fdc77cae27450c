/** `convnet train/eval --download` against a local HTTP server (127.0.0.1 only) serving the official files. */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as fs from 'node:fs';
import * as os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { FASHION_MNIST_CHECKSUMS, FASHION_MNIST_URL_ENV, sha256Hex } from '../../src/data/fashion-mnist-files.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'convnet-cli-dl-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** The official upstream bytes, rebuilt from the bundled Debian copy (only its gzip header differs; see data/fashion-mnist/README.md). */
function official(file: string): Buffer {
  const deb = fs.readFileSync(path.join(root, 'data/fashion-mnist', file));
  const head = Buffer.from(deb.subarray(0, 10));
  head[3] = 0x08;
  head.writeUInt32LE(file.startsWith('train') ? 1504176606 : 1504176627, 4);
  return Buffer.concat([head, Buffer.from(`${file.replace(/\.gz$/, '')}\0`, 'latin1'), deb.subarray(10)]);
}

/** Run the CLI asynchronously (the test process serves HTTP meanwhile). */
function convnet(args: string[], env: Record<string, string>): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [path.join(root, 'bin/convnet.js'), ...args], { cwd: root, env: { ...process.env, ...env } });
    let stdout = '', stderr = '';
    p.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    p.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    const timer = setTimeout(() => p.kill(), 120_000);
    p.on('error', reject);
    p.on('close', (status) => { clearTimeout(timer); resolve({ status, stdout, stderr }); });
  });
}

test('convnet train --download fetches the four official files into --data-dir, verifies them, then trains; a second run fetches nothing', async () => {
  const files = Object.fromEntries(Object.keys(FASHION_MNIST_CHECKSUMS).map((f) => [f, official(f)]));
  for (const [f, b] of Object.entries(files)) assert.equal(sha256Hex(b), FASHION_MNIST_CHECKSUMS[f]!.sha256, f);
  const hits: string[] = [];
  const server = createServer((req, res) => {
    hits.push(req.url ?? '');
    const body = files[(req.url ?? '').replace(/^\/fmnist\//, '')];
    if (body === undefined) res.writeHead(404).end();
    else res.writeHead(200).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const env = { [FASHION_MNIST_URL_ENV]: `http://127.0.0.1:${(server.address() as AddressInfo).port}/fmnist/` };
  try {
    const dir = path.join(tmp, 'fm');
    const tiny = ['--data-dir', dir, '--limit-train', '128', '--limit-test', '64', '--batch-size', '64', '--epochs', '1', '--quiet'];
    const without = await convnet(['train', 'lenet', ...tiny], env);
    assert.equal(without.status, 1);
    assert.match(without.stderr, /^convnet: error: Fashion-MNIST file\(s\) not found in .*: train-images-idx3-ubyte\.gz, .*--data-dir DIR, or add --download/);
    assert.deepEqual(hits, [], 'nothing is fetched without --download');

    const r = await convnet(['train', 'lenet', ...tiny, '--download', '--json'], env);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(hits.length, 4);
    assert.equal((r.stderr.match(/sha256 verified/g) ?? []).length, 4);
    assert.deepEqual(fs.readdirSync(dir).sort(), Object.keys(files).sort(), 'four files, no temp files');
    assert.equal((JSON.parse(r.stdout.trim()) as { train_examples: number }).train_examples, 128);

    const again = await convnet(['train', 'lenet', ...tiny, '--download'], env);
    assert.equal(again.status, 0, again.stderr);
    assert.equal(hits.length, 4, 'present files are not fetched again');
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

test('convnet eval --download with a corrupt mirror: checksum error names the URL, exit 1, nothing written', async () => {
  const server = createServer((_req, res) => { res.writeHead(200).end('not the file'); });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  try {
    const dir = path.join(tmp, 'bad');
    const r = await convnet(['eval', 'lenet', '--weights', 'x.safetensors', '--data-dir', dir, '--download'], { [FASHION_MNIST_URL_ENV]: base });
    assert.equal(r.status, 1);
    // eval needs only the test split, so that is all it fetches.
    assert.match(r.stderr, new RegExp(`convnet: error: checksum mismatch for ${base}t10k-images-idx3-ubyte\\.gz: expected sha256 ${FASHION_MNIST_CHECKSUMS['t10k-images-idx3-ubyte.gz']!.sha256}`));
    assert.deepEqual(fs.readdirSync(dir), []);
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});
