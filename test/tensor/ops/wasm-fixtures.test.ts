// The PyTorch golden cases again, with the WebAssembly backend active: matmul's batched/transposed
// GEMM calls (offsets into shared buffers) and every op that delegates must still match PyTorch.
import { before, after } from 'node:test';
import { setBackend } from '../../../src/backend/index.js';
import type { Backend } from '../../../src/backend/backend.js';
import { WasmBackend } from '../../../src/backend/wasm/index.js';
import { runCases } from '../../helpers/cases.js';
import { cat, stack } from '../../../src/index.js';

let wasm: WasmBackend | null = null;
let prev: Backend | null = null;
before(() => {
  // parallelMinFlops 0 forces even these small GEMMs through the split-and-dispatch path.
  wasm = new WasmBackend({ threads: 2, parallelMinFlops: 0 });
  prev = setBackend(wasm);
});
after(() => {
  setBackend(prev);
  wasm?.dispose();
});

runCases('matmul', { matmul: (xs) => xs[0]!.matmul(xs[1]!) }, { atol: 2e-5, rtol: 2e-4 }, 'wasm matmul');
runCases('shape', {
  reshape: (xs, p) => xs[0]!.reshape(p['shape'] as number[]),
  flatten: (xs, p) => xs[0]!.flatten(p['start'] as number, p['end'] as number),
  permute: (xs, p) => xs[0]!.permute(p['dims'] as number[]),
  transpose: (xs, p) => xs[0]!.transpose(p['dim0'] as number, p['dim1'] as number),
  t: (xs) => xs[0]!.t(),
  unsqueeze: (xs, p) => xs[0]!.unsqueeze(p['dim'] as number),
  squeeze: (xs, p) => (p['dim'] === null ? xs[0]!.squeeze() : xs[0]!.squeeze(p['dim'] as number)),
  expand: (xs, p) => xs[0]!.expand(p['shape'] as number[]),
  cat: (xs, p) => cat(xs, p['dim'] as number),
  stack: (xs, p) => stack(xs, p['dim'] as number),
}, {}, 'wasm shape');
