/** Loading PyTorch golden fixtures (JSON written by scripts/fixtures/*.py) and comparing tensors. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { Tensor } from '../../src/tensor/tensor.js';

/**
 * `{shape, data}` as written by the fixture scripts (data flat, row-major). JSON has no NaN or
 * Infinity, so those arrive as the strings 'NaN', 'Infinity', '-Infinity' (Number() decodes them).
 */
export interface TensorJson { shape: number[]; data: number[]; dtype?: 'float32' | 'int64' | 'bool' }

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** Parse `fixtures/<rel>` from the repository root (works from dist/test/…). */
export function loadFixture<T = unknown>(rel: string): T {
  return JSON.parse(readFileSync(path.join(root, 'fixtures', rel), 'utf8')) as T;
}

/** A fixture tensor as a Tensor (int64 → int32). */
export function fromJson(t: TensorJson, requiresGrad = false): Tensor {
  const n = t.data.length;
  const x = t.dtype === 'int64' ? new Tensor(Int32Array.from(t.data), t.shape, 'int32')
    : t.dtype === 'bool' ? new Tensor(Uint8Array.from(t.data), t.shape, 'bool')
    : new Tensor(Float32Array.from(t.data, Number), t.shape, 'float32');
  if (x.numel() !== n) throw new Error('fixture: data length does not match shape');
  if (requiresGrad) x.requiresGrad = true;
  return x;
}

/** Assert shapes equal and |a - b| <= atol + rtol * |b| elementwise. */
export function assertClose(actual: Tensor, expected: TensorJson | Tensor, opts: { atol?: number; rtol?: number; what?: string } = {}): void {
  const atol = opts.atol ?? 1e-5, rtol = opts.rtol ?? 1e-4;
  const eShape = expected instanceof Tensor ? expected.shape : expected.shape;
  const eData = expected instanceof Tensor ? expected.data : expected.data.map(Number);
  const what = opts.what ?? 'tensor';
  assert.deepEqual([...actual.shape], [...eShape], `${what}: shape [${actual.shape}] vs expected [${eShape}]`);
  for (let i = 0; i < actual.numel(); i++) {
    const a = actual.data[i]!, b = eData[i]!;
    if (Number.isNaN(b) && Number.isNaN(a)) continue;
    // ±Infinity must match exactly (rtol * |Infinity| would accept any finite value).
    if (!Number.isFinite(b)) {
      assert.ok(a === b, `${what}: element ${i} ${coords(i, actual.shape)}: got ${a}, expected ${b}`);
      continue;
    }
    assert.ok(Math.abs(a - b) <= atol + rtol * Math.abs(b), `${what}: element ${i} ${coords(i, actual.shape)}: got ${a}, expected ${b}`);
  }
}

/** Flat index → `[i, j, ...]` in `shape`, for failure messages. */
function coords(flat: number, shape: readonly number[]): string {
  const out: number[] = [];
  for (let d = shape.length - 1; d >= 0; d--) { out[d] = flat % shape[d]!; flat = Math.floor(flat / shape[d]!); }
  return `[${out.join(', ')}]`;
}
