/**
 * Registry rules of convolution and pooling. `conv2d` is one primitive with an optional fused
 * activation and pooling: one node (named as PyTorch names the last op it covers), one backend call
 * forward and one backward when the backend has the fused kernels, their composition otherwise.
 */
import type { ActivationOp, Conv2dGeometry, FusedPool, Pool2dGeometry } from '../../../backend/backend.js';
import { getBackend } from '../../../backend/index.js';
import type { Tensor } from '../../tensor.js';
import { emptyFloat, emptyJs, f32 } from '../kernels.js';
import type { RuleSet } from '../rule.js';
import { conv2dBackward, conv2dFused } from '../conv-fused.js';

/** A pooling fused after a convolution's activation: its kind, checked geometry and PyTorch node name. */
export interface PoolSpec { kind: 'max' | 'avg'; g: Pool2dGeometry; name: string }

/** Parameters of conv2d: the geometry (inputs read as 4-D), the output shape, and what is fused onto it. */
export interface ConvParams {
  g: Conv2dGeometry;
  outShape: readonly number[];
  activation?: ActivationOp;
  pool?: PoolSpec;
}

/** Parameters of convTranspose2d: the geometry of the convolution it is the adjoint of (see ops/conv-transpose.ts). */
export interface ConvTransposeParams { g: Conv2dGeometry }

/** Parameters of maxPool2d / avgPool2d: the geometry (input read as 4-D) and the output shape. */
export interface PoolParams { g: Pool2dGeometry; outShape: readonly number[] }

/** Parameters of adaptiveAvgPool2d: the input as [planes, h, w], the output size, and its shape. */
export interface AdaptiveParams { planes: number; h: number; w: number; oh: number; ow: number; outShape: readonly number[] }

/** PyTorch's node name for the gradient of each fusable activation. */
const ACTIVATION_NODE: Record<ActivationOp, string> = { relu: 'ReluBackward0', sigmoid: 'SigmoidBackward0', tanh: 'TanhBackward0' };

/** The backend's description of a fused pooling; `y` is read by the forward only. */
function fusedPool(spec: PoolSpec, y: Tensor | null, argmax: Tensor | null): FusedPool {
  return { kind: spec.kind, g: spec.g, y: y === null ? new Float32Array(0) : y.data as Float32Array,
    argmax: argmax === null ? null : argmax.data as Int32Array };
}

/** PyTorch's adaptive window along one axis: [floor(i*in/out), ceil((i+1)*in/out)). */
function adaptiveBounds(inp: number, out: number): Int32Array {
  const b = new Int32Array(2 * out);
  for (let i = 0; i < out; i++) {
    b[2 * i] = Math.floor((i * inp) / out);
    b[2 * i + 1] = Math.ceil(((i + 1) * inp) / out);
  }
  return b;
}

/** Visit every adaptive window: f(plane, outIndex, y0, y1, x0, x1). */
function eachWindow(p: AdaptiveParams, f: (pl: number, o: number, y0: number, y1: number, x0: number, x1: number) => void): void {
  const bh = adaptiveBounds(p.h, p.oh), bw = adaptiveBounds(p.w, p.ow);
  for (let pl = 0; pl < p.planes; pl++) {
    for (let i = 0; i < p.oh; i++) {
      for (let j = 0; j < p.ow; j++) f(pl, (pl * p.oh + i) * p.ow + j, bh[2 * i]!, bh[2 * i + 1]!, bw[2 * j]!, bw[2 * j + 1]!);
    }
  }
}

/** The convolution and pooling primitives. */
export const convRules: RuleSet<'conv2d' | 'convTranspose2d' | 'maxPool2d' | 'avgPool2d' | 'adaptiveAvgPool2d'> = {
  conv2d: {
    name: (p) => (p.pool ? p.pool.name : p.activation === undefined ? 'ConvolutionBackward0' : ACTIVATION_NODE[p.activation]),
    // PyTorch's convolution saves input and weight; with an activation (and no pooling) the output is its y.
    saves: () => [0, 1],
    savesOutput: (p) => p.activation !== undefined && p.pool === undefined,
    forward: ([x, w, bias], p) => {
      const be = getBackend(), g = p.g;
      const bd = bias === undefined ? null : f32(bias);
      if (p.activation === undefined) {
        const y = emptyFloat(p.outShape);
        be.conv2d(g, f32(x!), f32(w!), bd, y.data as Float32Array);
        return y;
      }
      const y = emptyFloat(p.pool ? [g.n, g.o, g.oh, g.ow] : p.outShape);
      if (p.pool === undefined) {
        conv2dFused(be, g, f32(x!), f32(w!), bd, y.data as Float32Array, p.activation);
        return y;
      }
      const pg = p.pool.g, pshape = [pg.n, pg.c, pg.oh, pg.ow];
      const out = emptyFloat(pshape);
      const argmax = p.pool.kind === 'max' ? emptyJs(pshape, 'int32') : null;
      conv2dFused(be, g, f32(x!), f32(w!), bd, y.data as Float32Array, p.activation, fusedPool(p.pool, out, argmax));
      // The activation's output never leaves the node: the backward reads it (and the argmax).
      return { out, extras: argmax ? [y, argmax] : [y] };
    },
    backward: (gy, s, p) => {
      const be = getBackend(), g = p.g;
      const x = s.inputs[0]!, w = s.inputs[1]!;
      const dx = s.needs[0] ? emptyFloat(s.shapes[0]!) : null;
      const dw = s.needs[1] ? emptyFloat(s.shapes[1]!) : null;
      const db = s.shapes.length === 3 && s.needs[2] ? emptyFloat([g.o]) : null;
      const y = p.pool ? s.extras[0]! : s.output;
      conv2dBackward(be, g, f32(x), f32(w), f32(gy), {
        dx: dx && dx.data as Float32Array, dw: dw && dw.data as Float32Array, db: db && db.data as Float32Array,
      }, p.activation === undefined ? undefined : { op: p.activation, y: y!.data as Float32Array },
      p.pool ? fusedPool(p.pool, null, s.extras[1] ?? null) : undefined);
      return s.shapes.length === 3 ? [dx, dw, db] : [dx, dw];
    },
  },
  // A transposed convolution is the input gradient of the convolution g (our output is its input):
  // forward = conv2dBackwardInput, input gradient = conv2d forward of dy, weight gradient =
  // conv2dBackwardWeight with x as that convolution's dy. No kernel of its own on any backend.
  convTranspose2d: {
    // PyTorch names it ConvolutionBackward0 too (conv_transpose2d is convolution(transposed=True)).
    name: 'ConvolutionBackward0',
    saves: (_p, needs) => [...(needs[1] ? [0] : []), ...(needs[0] ? [1] : [])],
    forward: ([x, w, bias], p) => {
      const be = getBackend(), g = p.g, plane = g.h * g.w;
      const out = emptyFloat([g.n, g.c, g.h, g.w]), y = out.data as Float32Array;
      be.conv2dBackwardInput(g, f32(x!), f32(w!), y);
      if (bias !== undefined) be.channelAffine(y, g.n, g.c, plane, new Float32Array(g.c).fill(1), f32(bias), y);
      return out;
    },
    backward: (gy, s, p) => {
      const be = getBackend(), g = p.g, dyd = f32(gy);
      const dx = s.needs[0] ? emptyFloat(s.shapes[0]!) : null;
      const dw = s.needs[1] ? emptyFloat(s.shapes[1]!) : null;
      const db = s.shapes.length === 3 && s.needs[2] ? emptyFloat([g.c]) : null;
      if (dx) be.conv2d(g, dyd, f32(s.inputs[1]!), null, dx.data as Float32Array);
      if (dw) be.conv2dBackwardWeight(g, dyd, f32(s.inputs[0]!), dw.data as Float32Array);
      if (db) be.reduce('sum', dyd, [g.n, g.c, g.h, g.w], [0, 2, 3], db.data as Float32Array);
      return s.shapes.length === 3 ? [dx, dw, db] : [dx, dw];
    },
  },
  maxPool2d: {
    name: 'MaxPool2DWithIndicesBackward0',
    saves: () => [0],
    forward: ([x], p) => {
      const y = emptyFloat(p.outShape), argmax = emptyJs(p.outShape, 'int32');
      getBackend().maxPool2d(p.g, f32(x!), y.data as Float32Array, argmax.data as Int32Array);
      return { out: y, extras: [argmax] };
    },
    backward: (g, s, p) => {
      const dx = emptyFloat(s.shapes[0]!);
      getBackend().maxPool2dBackward(p.g, f32(g), s.extras[0]!.data as Int32Array, dx.data as Float32Array);
      return [dx];
    },
  },
  avgPool2d: {
    name: 'AvgPool2DBackward0',
    saves: () => [0],
    forward: ([x], p) => {
      const y = emptyFloat(p.outShape);
      getBackend().avgPool2d(p.g, f32(x!), y.data as Float32Array);
      return y;
    },
    backward: (g, s, p) => {
      const dx = emptyFloat(s.shapes[0]!);
      getBackend().avgPool2dBackward(p.g, f32(g), dx.data as Float32Array);
      return [dx];
    },
  },
  // Non-global adaptive windows (rare: the zoo's heads are global, a mean) run as loops over the values.
  adaptiveAvgPool2d: {
    name: 'AdaptiveAvgPool2DBackward0',
    saves: () => [0],
    forward: ([x], p) => {
      const xd = f32(x!), out = emptyFloat(p.outShape), y = out.data as Float32Array;
      eachWindow(p, (pl, o, y0, y1, x0, x1) => {
        let s = 0;
        for (let iy = y0; iy < y1; iy++) for (let ix = x0; ix < x1; ix++) s += xd[(pl * p.h + iy) * p.w + ix]!;
        y[o] = s / ((y1 - y0) * (x1 - x0));
      });
      return out;
    },
    backward: (g, s, p) => {
      const gd = f32(g), out = emptyFloat(s.shapes[0]!), dx = out.data as Float32Array;
      eachWindow(p, (pl, o, y0, y1, x0, x1) => {
        const v = gd[o]! / ((y1 - y0) * (x1 - x0));
        for (let iy = y0; iy < y1; iy++) for (let ix = x0; ix < x1; ix++) dx[(pl * p.h + iy) * p.w + ix] += v;
      });
      return [out];
    },
  },
};

/** Parameter types of these primitives, for the registry's OpParams. */
export interface ConvRuleParams { conv2d: ConvParams; convTranspose2d: ConvTransposeParams; maxPool2d: PoolParams; avgPool2d: PoolParams; adaptiveAvgPool2d: AdaptiveParams }

