/** Runs the PyTorch golden cases of fixtures/core/*.json: forward output and input gradients. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Tensor } from '../../src/tensor/tensor.js';
import { fromJson, assertClose, loadFixture, type TensorJson } from './fixtures.js';

/** One case as written by scripts/fixtures/gen_core.py. */
export interface OpCase {
  name: string;
  op: string;
  params: Record<string, unknown>;
  inputs: TensorJson[];
  out: TensorJson;
  R?: TensorJson;
  grads?: (TensorJson | null)[];
}

/** Maps a case's op name and params to the convnet-ts expression. */
export type OpTable = Record<string, (xs: Tensor[], p: Record<string, unknown>) => Tensor>;

const dtypeOf = (j: TensorJson): string => (j.dtype === 'int64' ? 'int32' : j.dtype === 'bool' ? 'bool' : 'float32');

/** Register one node:test per case in `fixtures/core/<area>.json` (test names start with `label`). */
export function runCases(area: string, ops: OpTable, tol: { atol?: number; rtol?: number } = {}, label = area): void {
  const cases = loadFixture<OpCase[]>(`core/${area}.json`);
  test(`${label}: every fixture op has an implementation`, () => {
    const missing = [...new Set(cases.map((c) => c.op))].filter((op) => ops[op] === undefined);
    assert.deepEqual(missing, []);
  });
  for (const c of cases) {
    test(`${label}: ${c.name} matches PyTorch`, () => {
      const xs = c.inputs.map((j) => fromJson(j, j.dtype === undefined));
      const out = ops[c.op]!(xs, c.params);
      assert.equal(out.dtype, dtypeOf(c.out), `${c.name}: dtype`);
      assertClose(out, c.out, { ...tol, what: `${c.name} forward` });
      if (c.R === undefined || c.grads === undefined) {
        assert.equal(out.requiresGrad, false, `${c.name}: PyTorch's result has no grad_fn`);
        return;
      }
      out.mul(fromJson(c.R)).sum().backward();
      c.grads.forEach((g, k) => {
        if (g === null) return;
        assert.ok(xs[k]!.grad !== null, `${c.name}: input ${k} got no gradient`);
        assertClose(xs[k]!.grad!, g, { ...tol, what: `${c.name} grad of input ${k}` });
      });
    });
  }
}

/** Typed param readers (fixtures are JSON, so params arrive as unknown). */
export const num = (p: Record<string, unknown>, k: string): number => p[k] as number;
export const optNum = (p: Record<string, unknown>, k: string): number | undefined => (p[k] === undefined || p[k] === null ? undefined : (p[k] as number));
export const dims = (p: Record<string, unknown>, k = 'dim'): number | number[] | undefined =>
  p[k] === null || p[k] === undefined ? undefined : (p[k] as number | number[]);
