/** Stochastic gradient descent with momentum, dampening, Nesterov and L2 weight decay (torch.optim.SGD). */
import { Tensor } from '../tensor/tensor.js';
import { checkFlag, checkRange, optimizerArgs, Optimizer, zerosBuffer, type ParamGroupInput, type ParamState } from './optimizer.js';
import { getBackend } from '../backend/index.js';
import { f32 } from '../tensor/ops/kernels.js';

const SGD_KEYS = ['lr', 'momentum', 'dampening', 'weightDecay', 'nesterov', 'maximize'] as const;

export interface SGDOptions {
  lr: number;
  momentum: number;
  dampening: number;
  weightDecay: number;
  nesterov: boolean;
  maximize: boolean;
}

/**
 * PyTorch's rule per parameter: d = g + wd·p; buf = d on the first step, else
 * buf = momentum·buf + (1 − dampening)·d; d = nesterov ? d + momentum·buf : buf; p −= lr·d.
 * `new SGD(net.parameters(), 0.1)`, `new SGD(params, { lr: 0.1, momentum: 0.9 })`, or PyTorch's
 * positional `new SGD(params, lr, momentum, dampening, weightDecay, nesterov)`.
 */
export class SGD extends Optimizer<SGDOptions> {
  constructor(params: Iterable<Tensor> | ParamGroupInput<SGDOptions>[], lr: number, momentum?: number, dampening?: number, weightDecay?: number, nesterov?: boolean);
  constructor(params: Iterable<Tensor> | ParamGroupInput<SGDOptions>[], opts: number | (Partial<SGDOptions> & { lr: number }));
  constructor(params: Iterable<Tensor> | ParamGroupInput<SGDOptions>[], ...args: unknown[]) {
    const o = optimizerArgs<SGDOptions>('SGD', args, SGD_KEYS.slice(0, 5), SGD_KEYS);
    if (o.lr === undefined) throw new Error('SGD: a learning rate is required, e.g. new SGD(params, { lr: 0.1 })');
    super(params, {
      lr: o.lr, momentum: o.momentum ?? 0, dampening: o.dampening ?? 0,
      weightDecay: o.weightDecay ?? 0, nesterov: o.nesterov ?? false, maximize: o.maximize ?? false,
    });
  }

  protected validate(g: SGDOptions): void {
    checkRange('SGD', 'learning rate', g.lr, g.lr >= 0);
    checkRange('SGD', 'momentum', g.momentum, g.momentum >= 0);
    checkRange('SGD', 'weightDecay', g.weightDecay, g.weightDecay >= 0);
    checkRange('SGD', 'dampening', g.dampening, true);
    checkFlag('SGD', 'nesterov', g.nesterov);
    checkFlag('SGD', 'maximize', g.maximize);
    if (g.nesterov && (g.momentum <= 0 || g.dampening !== 0)) {
      throw new Error(`SGD: Nesterov momentum requires a momentum and zero dampening (got momentum=${g.momentum}, dampening=${g.dampening})`);
    }
  }

  protected updateParam(p: Tensor, grad: Tensor, st: ParamState, g: SGDOptions): void {
    let buf: Tensor | null = null, first = false;
    if (g.momentum !== 0) {
      first = st.momentumBuffer === undefined;
      if (first) st.momentumBuffer = zerosBuffer(p);
      buf = st.momentumBuffer as Tensor;
    }
    getBackend().sgdStep(p.data as Float32Array, f32(grad), buf && buf.data as Float32Array, {
      lr: g.lr, momentum: g.momentum, dampening: g.dampening, weightDecay: g.weightDecay,
      nesterov: g.nesterov, maximize: g.maximize, first,
    });
    if (buf !== null && !first) buf.bumpVersion();
  }
}
