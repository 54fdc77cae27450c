/** Adam (L2 weight decay folded into the gradient) and AdamW (decoupled weight decay), as in torch.optim. */
import { Tensor } from '../tensor/tensor.js';
import { checkFlag, checkRange, optimizerArgs, Optimizer, zerosBuffer, type ParamGroupInput, type ParamState } from './optimizer.js';
import { getBackend } from '../backend/index.js';
import { f32 } from '../tensor/ops/kernels.js';
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
 * One Adam update of `p` in place through the backend's adamStep; `decoupled` selects AdamW
 * (p ·= 1 − lr·wd first) over Adam (g += wd·p). Moments live in the state as expAvg, expAvgSq
 * (and maxExpAvgSq with amsgrad).
 */
function adamUpdate(p: Tensor, grad: Tensor, st: ParamState, g: AdamOptions, decoupled: boolean): void {
  if (st.step === undefined) {
    st.step = 0;
    st.expAvg = zerosBuffer(p);
    st.expAvgSq = zerosBuffer(p);
    if (g.amsgrad) st.maxExpAvgSq = zerosBuffer(p);
  }
  if (g.amsgrad && st.maxExpAvgSq === undefined) st.maxExpAvgSq = zerosBuffer(p);
  const step = (st.step as number) + 1;
  st.step = step;
  const m = st.expAvg as Tensor, v = st.expAvgSq as Tensor;
  const vmax = g.amsgrad ? st.maxExpAvgSq as Tensor : null;
  getBackend().adamStep(p.data as Float32Array, f32(grad), m.data as Float32Array, v.data as Float32Array,
    vmax && vmax.data as Float32Array, {
      lr: g.lr, beta1: g.betas[0], beta2: g.betas[1], eps: g.eps, weightDecay: g.weightDecay,
      decoupled, maximize: g.maximize, step,
    });
  m.bumpVersion();
  v.bumpVersion();
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
  protected updateParam(p: Tensor, grad: Tensor, st: ParamState, g: AdamOptions): void {
    adamUpdate(p, grad, st, g, false);
  }
}

/** AdamW: decoupled weight decay p ·= 1 − lr·wd before the Adam step (torch.optim.AdamW); default wd 1e-2. */
export class AdamW extends Optimizer<AdamOptions> {
  constructor(params: Params, ...args: AdamArgs) { super(params, adamDefaults(adamArgs('AdamW', args), 1e-2)); }
  protected validate(g: AdamOptions): void { validateAdam('AdamW', g); }
  protected updateParam(p: Tensor, grad: Tensor, st: ParamState, g: AdamOptions): void {
    adamUpdate(p, grad, st, g, true);
  }
}
