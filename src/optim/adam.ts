/** Adam (L2 weight decay folded into the gradient) and AdamW (decoupled weight decay), as in torch.optim. */
import { Tensor } from '../tensor/tensor.js';
import { checkFlag, checkRange, optimizerArgs, Optimizer, zerosBuffer, type ParamGroupInput, type ParamState } from './optimizer.js';
import { ArgumentError, describe } from '../util/check.js';

const ADAM_KEYS = ['lr', 'betas', 'eps', 'weightDecay', 'amsgrad', 'maximize'] as const;

export interface AdamOptions {
  lr: number;
  betas: [number, number];
  eps: number;
  weightDecay: number;
  amsgrad: boolean;
  maximize: boolean;
}

type Params = Iterable<Tensor> | ParamGroupInput<AdamOptions>[];

function validateAdam(name: string, g: AdamOptions): void {
  if (!Array.isArray(g.betas) || g.betas.length !== 2) throw new ArgumentError(name, 'betas', `betas must be a pair of numbers like [0.9, 0.999], got ${describe(g.betas)}`);
  checkFlag(name, 'amsgrad', g.amsgrad);
  checkFlag(name, 'maximize', g.maximize);
  checkRange(name, 'learning rate', g.lr, g.lr >= 0);
  checkRange(name, 'epsilon', g.eps, g.eps >= 0);
  checkRange(name, 'beta parameter at index 0', g.betas[0], g.betas[0] >= 0 && g.betas[0] < 1);
  checkRange(name, 'beta parameter at index 1', g.betas[1], g.betas[1] >= 0 && g.betas[1] < 1);
  checkRange(name, 'weightDecay', g.weightDecay, g.weightDecay >= 0);
}

/**
 * One Adam update of `p` in place; `decoupled` selects AdamW (p ·= 1 − lr·wd first) over Adam
 * (g += wd·p). Moments live in the state as expAvg, expAvgSq (and maxExpAvgSq with amsgrad).
 */
function adamUpdate(p: Tensor, grad: Float32Array, st: ParamState, g: AdamOptions, decoupled: boolean): void {
  const w = p.data as Float32Array;
  const n = w.length;
  if (st.step === undefined) {
    st.step = 0;
    st.expAvg = zerosBuffer(p);
    st.expAvgSq = zerosBuffer(p);
    if (g.amsgrad) st.maxExpAvgSq = zerosBuffer(p);
  }
  if (g.amsgrad && st.maxExpAvgSq === undefined) st.maxExpAvgSq = zerosBuffer(p);
  const step = (st.step as number) + 1;
  st.step = step;
  const m = (st.expAvg as Tensor).data as Float32Array;
  const v = (st.expAvgSq as Tensor).data as Float32Array;
  const vmax = g.amsgrad ? (st.maxExpAvgSq as Tensor).data as Float32Array : null;
  const [b1, b2] = g.betas;
  const { lr, eps } = g;
  const wd = decoupled ? 0 : g.weightDecay;
  if (decoupled && g.weightDecay !== 0) {
    const f = 1 - lr * g.weightDecay;
    for (let i = 0; i < n; i++) w[i] = w[i]! * f;
  }
  const bc1 = 1 - b1 ** step;
  const bc2Sqrt = Math.sqrt(1 - b2 ** step);
  const stepSize = lr / bc1;
  const sign = g.maximize ? -1 : 1;
  for (let i = 0; i < n; i++) {
    const gi = sign * grad[i]! + wd * w[i]!;
    const mi = b1 * m[i]! + (1 - b1) * gi;
    const vi = b2 * v[i]! + (1 - b2) * gi * gi;
    m[i] = mi;
    v[i] = vi;
    let vd = vi;
    if (vmax !== null) { if (vi > vmax[i]!) vmax[i] = vi; vd = vmax[i]!; }
    w[i] = w[i]! - stepSize * m[i]! / (Math.sqrt(vd) / bc2Sqrt + eps);
  }
  (st.expAvg as Tensor).bumpVersion();
  (st.expAvgSq as Tensor).bumpVersion();
}

function adamDefaults(o: Partial<AdamOptions>, wd: number): AdamOptions {
  return {
    lr: o.lr ?? 1e-3, betas: o.betas ?? [0.9, 0.999], eps: o.eps ?? 1e-8,
    weightDecay: o.weightDecay ?? wd, amsgrad: o.amsgrad ?? false, maximize: o.maximize ?? false,
  };
}

type AdamArgs = [options?: Partial<AdamOptions>] | [lr?: number, betas?: [number, number], eps?: number, weightDecay?: number, amsgrad?: boolean];
const adamArgs = (name: string, args: readonly unknown[]): Partial<AdamOptions> => optimizerArgs<AdamOptions>(name, args, ADAM_KEYS.slice(0, 5), ADAM_KEYS);

/** Adam with L2 weight decay added to the gradient (torch.optim.Adam); `new Adam(params, { lr })` or positional `new Adam(params, lr, betas, eps, weightDecay, amsgrad)`. */
export class Adam extends Optimizer<AdamOptions> {
  constructor(params: Params, ...args: AdamArgs) { super(params, adamDefaults(adamArgs('Adam', args), 0)); }
  protected validate(g: AdamOptions): void { validateAdam('Adam', g); }
  protected updateParam(p: Tensor, grad: Float32Array, st: ParamState, g: AdamOptions): void {
    adamUpdate(p, grad, st, g, false);
  }
}

/** AdamW: decoupled weight decay p ·= 1 − lr·wd before the Adam step (torch.optim.AdamW); default wd 1e-2. */
export class AdamW extends Optimizer<AdamOptions> {
  constructor(params: Params, ...args: AdamArgs) { super(params, adamDefaults(adamArgs('AdamW', args), 1e-2)); }
  protected validate(g: AdamOptions): void { validateAdam('AdamW', g); }
  protected updateParam(p: Tensor, grad: Float32Array, st: ParamState, g: AdamOptions): void {
    adamUpdate(p, grad, st, g, true);
  }
}
