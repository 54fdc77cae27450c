// Random op programs generated and run by PyTorch (scripts/fixtures/gen_core.py, programs()),
// replayed here step by step: forward values and the input gradients must agree. They mix
// broadcasting, reductions, shape round-trips, in-place ops and reuse of intermediate results.
import { Tensor } from '../../src/tensor/tensor.js';
import { cat, stack, maximum, minimum } from '../../src/index.js';
import { runCases } from '../helpers/cases.js';

interface Step { op: string; args: number[]; dim?: number }

const unary: Record<string, (x: Tensor) => Tensor> = {
  neg: (x) => x.neg(), tanh: (x) => x.tanh(), sigmoid: (x) => x.sigmoid(), relu: (x) => x.relu(), abs: (x) => x.abs(),
  exptanh: (x) => x.tanh().exp(), logsq: (x) => x.square().add(1).log(), sqrtsq: (x) => x.square().add(1).sqrt(),
  square_tanh: (x) => x.tanh().square(),
};
const binary: Record<string, (x: Tensor, y: Tensor) => Tensor> = {
  add: (x, y) => x.add(y), sub: (x, y) => x.sub(y), mul: (x, y) => x.mul(y), divsq: (x, y) => x.div(y.square().add(1)),
  maximum: (x, y) => maximum(x, y), minimum: (x, y) => minimum(x, y), powsq: (x, y) => x.square().add(1).pow(y.tanh()),
};
const reduce: Record<string, (x: Tensor, d: number) => Tensor> = {
  sum: (x, d) => x.sub(x.sum(d, true)), mean: (x, d) => x.sub(x.mean(d, true)), amax: (x, d) => x.sub(x.max(d, true)),
  amin: (x, d) => x.sub(x.min(d, true)), var: (x, d) => x.sub(x.var(d, { unbiased: false, keepdim: true })),
  softmax: (x, d) => x.softmax(d), log_softmax: (x, d) => x.logSoftmax(d),
};
const other: Record<string, (x: Tensor, y: Tensor, z: Tensor) => Tensor> = {
  reshape_t: (x) => x.reshape(4, 3).t(),
  cat_slice: (x, y) => cat([x, y], 1).get(':', '1::2'),
  stack_sum: (x, y) => stack([x, y], 2).sum(2),
  iadd: (x, y) => x.mul(1).add_(y),
  imul: (x, y) => x.mul(1).mul_(y.tanh()),
  setslice: (x, y) => x.mul(1).set([':', '1:3'], y.get(':', '0:2')),
  matmul: (x, y, z) => x.matmul(y.t()).matmul(z).div(4),
  // The 3-D family (programs3d.json).
  permute_reshape: (x) => x.permute(2, 0, 1).reshape(2, 3, 4),
  transpose_flatten: (x) => x.transpose(0, 2).flatten(1).reshape(2, 3, 4),
  bmm: (x, y, z) => x.matmul(y.transpose(1, 2)).matmul(z).div(4),
  select_expand: (x, y) => x.get(':', 1).unsqueeze(1).expand(2, 3, 4).mul(y),
  clamp: (x) => x.clamp(-0.5, 0.75),
  setscalar: (x, y) => x.mul(y).set([1, ':', '2:'], 0.5),
  reduce_list: (x) => x.sub(x.sum([0, 2], true).div(8)),
};

function replay(inputs: Tensor[], program: Step[]): Tensor {
  const pool = inputs.slice();
  for (const st of program) {
    const a = st.args.map((i) => pool[i]!);
    if (unary[st.op]) pool.push(unary[st.op]!(a[0]!));
    else if (binary[st.op]) pool.push(binary[st.op]!(a[0]!, a[1]!));
    else if (reduce[st.op]) pool.push(reduce[st.op]!(a[0]!, st.dim!));
    else if (other[st.op]) pool.push(other[st.op]!(a[0]!, a[1]!, a[2]!));
    else throw new Error(`programs: unknown op ${st.op}`);
  }
  return pool[pool.length - 1]!.add(pool[pool.length - 2]!);
}

// Six chained float32 ops: a slightly looser tolerance than single-op fixtures.
runCases('programs', { program: (xs, p) => replay(xs, p['program'] as Step[]) }, { atol: 1e-4, rtol: 1e-3 });
runCases('programs3d', { program: (xs, p) => replay(xs, p['program'] as Step[]) }, { atol: 1e-4, rtol: 1e-3 });
