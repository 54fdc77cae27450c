/**
 * The pool never waits on a worker: one that fails to start is reported in a one-line note and
 * the job still completes (the caller runs every unclaimed task), with the same bits as a healthy
 * pool. Uses a platform whose workers fail (installed with setPlatform, then restored).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getPlatform, setPlatform } from '../../src/backend/platform/current.js';
import type { Platform } from '../../src/backend/platform/platform.js';
import { WasmBackend } from '../../src/backend/wasm/index.js';
import { randArray } from '../helpers/wasm.js';

test('a worker that cannot start: a note naming why, and the job done on the calling thread', () => {
  const real = getPlatform();
  const notes: string[] = [];
  const failing: Platform = {
    ...real,
    startWorker(_script, _init, onFail) {
      onFail('no threads for you');
      return { terminate: () => undefined };
    },
    note: (t) => notes.push(t),
  };
  const m = 64, n = 96, k = 80;
  const A = randArray(m * k, 1), B = randArray(k * n, 2);
  const got = new Float32Array(m * n), want = new Float32Array(m * n);
  const prev = setPlatform(failing);
  try {
    const b = new WasmBackend({ threads: 2, parallelMinFlops: 0 });
    const t0 = Date.now();
    b.gemm(false, false, m, n, k, 1, A, 0, B, 0, 0, got, 0);
    assert.ok(Date.now() - t0 < 5000, 'no wait for the worker');
    b.dispose();
  } finally {
    setPlatform(prev);
  }
  assert.equal(notes.length, 1, notes.join(' | '));
  assert.match(notes[0]!, /worker thread failed to start \(no threads for you\); continuing on 1 thread/);
  const healthy = new WasmBackend({ threads: 2, parallelMinFlops: 0 });
  try {
    healthy.gemm(false, false, m, n, k, 1, A, 0, B, 0, 0, want, 0);
  } finally {
    healthy.dispose();
  }
  assert.deepEqual(Array.from(got), Array.from(want));
});
