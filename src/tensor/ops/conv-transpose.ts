/**
 * Transposed 2-D convolution (PyTorch's conv_transpose2d) with autograd, built from the backend's
 * convolution kernels: a transposed convolution is the input gradient of the convolution that maps
 * its output back to its input, so
 *   forward      = conv2dBackwardInput of that convolution,
 *   input grad   = conv2d forward of dy through the same weight,
 *   weight grad  = conv2dBackwardWeight with the roles of input and output swapped (x is that
 *                  convolution's dy, our dy its input).
 * Every backend therefore runs it, forward and backward, with no kernel of its own (the registry's
 * `convTranspose2d` primitive, rules/conv.ts); this file checks arguments and builds the geometry.
 */
import type { Conv2dGeometry } from '../../backend/backend.js';
import { formatShape } from '../../shape/index.js';
import type { Tensor } from '../tensor.js';
import { scoped } from '../lifetime.js';
import { pair, type Pair } from './conv.js';
import { apply } from './registry.js';
import { squeeze, unsqueeze } from './shape.js';

/** Options of convTranspose2d / ConvTranspose2d (PyTorch's stride, padding, output_padding, groups, dilation). */
export interface ConvTranspose2dOptions {
  stride?: Pair;
  padding?: Pair;
  /** Extra rows/cols added at the bottom/right of the output; each must be smaller than the stride or the dilation. */
  outputPadding?: Pair;
  groups?: number;
  dilation?: Pair;
}

/** PyTorch's transposed-convolution output size along one axis: (in − 1)·s − 2p + d·(k − 1) + outputPadding + 1. */
export function convTransposeOutSize(inp: number, k: number, s: number, p: number, d: number, outputPadding: number): number {
  return (inp - 1) * s - 2 * p + d * (k - 1) + outputPadding + 1;
}

/**
 * Validate and build the geometry of the convolution this transposed convolution is the adjoint of:
 * its input is our output [n, cout, oh, ow], its weight ours ([cin, cout/groups, kh, kw] read as
 * OIHW with O = cin), its output our input [n, cin, h, w].
 */
function transposedGeometry(op: string, x: readonly number[], weight: readonly number[], shownX: readonly number[],
                            stride: [number, number], pad: [number, number], outPad: [number, number],
                            dil: [number, number], groups: number): Conv2dGeometry {
  const [n, cin, h, w] = x as [number, number, number, number];
  const [wc, cg, kh, kw] = weight as [number, number, number, number];
  const desc = `(input ${formatShape(shownX)}, weight ${formatShape(weight)}, groups ${groups})`;
  if (wc % groups !== 0) throw new Error(`${op}: groups ${groups} must divide the weight's ${wc} input channels ${desc}`);
  if (cin !== wc) {
    throw new Error(`${op}: input has ${cin} channels but weight ${formatShape(weight)} expects ${wc} ` +
                    `(a transposed convolution's weight is [in, out/groups, kh, kw]) ${desc}`);
  }
  for (let i = 0; i < 2; i++) {
    if (!(outPad[i]! < stride[i]! || outPad[i]! < dil[i]!)) {
      throw new Error(`${op}: outputPadding must be smaller than either stride or dilation, but got outputPadding ` +
                      `[${outPad.join(', ')}], stride [${stride.join(', ')}], dilation [${dil.join(', ')}] ${desc}`);
    }
  }
  const oh = convTransposeOutSize(h, kh, stride[0], pad[0], dil[0], outPad[0]);
  const ow = convTransposeOutSize(w, kw, stride[1], pad[1], dil[1], outPad[1]);
  if (oh < 1 || ow < 1) {
    throw new Error(`${op}: output size ${oh}x${ow} is too small: input ${h}x${w}, kernel ${kh}x${kw}, stride ` +
                    `[${stride.join(', ')}], padding [${pad.join(', ')}], outputPadding [${outPad.join(', ')}], ` +
                    `dilation [${dil.join(', ')}] ${desc}`);
  }
  return {
    n, c: cg * groups, h: oh, w: ow, o: cin, kh, kw, oh: h, ow: w,
    strideH: stride[0], strideW: stride[1], padH: pad[0], padW: pad[1],
    dilationH: dil[0], dilationW: dil[1], groups,
  };
}

/**
 * 2-D transposed convolution like torch.nn.functional.conv_transpose2d. x: [N, Cin, H, W] or
 * [Cin, H, W]; weight: [Cin, Cout/groups, kh, kw]; bias: [Cout] → [N, Cout, (H−1)·s − 2p + d·(kh−1) + op + 1, …].
 */
export function convTranspose2d(x: Tensor, weight: Tensor, bias: Tensor | null = null, opts: ConvTranspose2dOptions = {}): Tensor {
  const op = 'convTranspose2d';
  if (x.ndim !== 3 && x.ndim !== 4) {
    throw new Error(`${op}: expected 3-D (unbatched) or 4-D (batched) input, got input of shape ${formatShape(x.shape)}`);
  }
  if (weight.ndim !== 4) throw new Error(`${op}: expected a 4-D weight [in, out/groups, kh, kw], got ${formatShape(weight.shape)}`);
  if (x.dtype !== 'float32' || weight.dtype !== 'float32' || (bias !== null && bias.dtype !== 'float32')) {
    throw new Error(`${op}: expected float32 input, weight and bias, got ${x.dtype} and ${weight.dtype}; call .float() first`);
  }
  const groups = opts.groups ?? 1;
  if (!Number.isInteger(groups) || groups < 1) throw new Error(`${op}: groups must be a positive integer, got ${groups}`);
  const cout = weight.shape[1]! * groups;
  if (bias !== null && (bias.ndim !== 1 || bias.shape[0] !== cout)) {
    throw new Error(`${op}: bias must have shape [${cout}] to match weight ${formatShape(weight.shape)} with groups ${groups}, got ${formatShape(bias.shape)}`);
  }
  // Unbatched input: PyTorch unsqueezes and squeezes too.
  if (x.ndim === 3) return scoped(op, () => squeeze(convTranspose2d(unsqueeze(x, 0), weight, bias, opts), 0));
  const stride = pair(opts.stride ?? 1, 'stride', op, 1);
  const pad = pair(opts.padding ?? 0, 'padding', op, 0);
  const outPad = pair(opts.outputPadding ?? 0, 'outputPadding', op, 0);
  const dil = pair(opts.dilation ?? 1, 'dilation', op, 1);
  const g = transposedGeometry(op, x.shape, weight.shape, x.shape, stride, pad, outPad, dil, groups);

  return apply('convTranspose2d', bias === null ? [x, weight] : [x, weight, bias], { g });
}
