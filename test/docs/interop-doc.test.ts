/**
 * docs/interop.md: every TypeScript and shell block runs, in page order, in one working directory,
 * and prints what the page says; every Python block is the one scripts/fixtures/check_interop_doc.py
 * ran with PyTorch (fixtures/docs/interop_python.json records its hash and output).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadFixture } from '../helpers/fixtures.js';
import { docBlocks, ROOT, runBlock } from './snippets.js';

const blocks = docBlocks('interop.md');
const record = loadFixture<{ python_blocks: { sha256: string; stdout: string; status: string }[] }>('docs/interop_python.json');

test('docs/interop.md: the TypeScript and shell blocks run in order and print what the page shows', { timeout: 600_000 }, () => {
  const cwd = mkdtempSync(path.join(tmpdir(), 'convnet-doc-'));
  try {
    // The page's first (Python) block writes lenet.pt with torch.save; the fixture stands in for it here.
    copyFileSync(path.join(ROOT, 'fixtures/torch/lenet.pt'), path.join(cwd, 'lenet.pt'));
    const run = blocks.filter((b) => b.lang === 'ts' || b.lang === 'sh');
    assert.ok(run.length >= 6, `${run.length} runnable blocks`);
    for (const b of run) {
      const r = runBlock(b, cwd);
      assert.equal(r.status, 0, `block at line ${b.line} (${b.lang}) failed:\n${r.stderr}`);
      if (b.expected !== null) assert.equal(r.stdout, b.expected, `block at line ${b.line} prints what the page says`);
    }
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
});

test('docs/interop.md: every Python block is the one check_interop_doc.py ran with PyTorch, and printed what the page shows', () => {
  const py = blocks.filter((b) => b.lang === 'python');
  assert.ok(py.length >= 3);
  const byHash = new Map(record.python_blocks.map((r) => [r.sha256, r]));
  for (const b of py) {
    const rec = byHash.get(createHash('sha256').update(b.code).digest('hex'));
    assert.ok(rec !== undefined, `the Python block at line ${b.line} changed since it was run: rerun scripts/fixtures/check_interop_doc.py`);
    assert.equal(rec.status, 'ok');
    if (b.expected !== null) assert.equal(rec.stdout, b.expected, `Python block at line ${b.line}`);
  }
  assert.equal(blocks.filter((b) => !['ts', 'sh', 'python'].includes(b.lang)).length, 0, 'every block is run by something');
});
