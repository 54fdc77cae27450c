/** d2l 7.2.4: learn the edge kernel [[1, -1]] with a LazyConv2d (and with the book's hand-written Conv2D). */
import { Tensor, d2l, nn, noGrad, ones, tensor } from '../../src/index.js';
import { runIfMain } from './cells.js';

/** Result of one training run: the printed `epoch i, loss x` lines, the losses, and the learnt kernel. */
export interface KernelRun { lines: string[]; losses: number[]; kernel: Tensor }

/** The book's loop: 10 steps of plain gradient descent on the squared error, printing every 2nd step. */
function fit(model: nn.Module, weight: () => Tensor, X: Tensor, Y: Tensor, log: (s: string) => void, lr = 3e-2): KernelRun {
  const lines: string[] = [], losses: number[] = [];
  for (let i = 0; i < 10; i++) {
    const Yhat = model.call(X);
    const l = Yhat.sub(Y).pow(2);
    model.zeroGrad();
    l.sum().backward();
    // Update the kernel (conv2d.weight.data[:] -= lr * conv2d.weight.grad)
    noGrad(() => weight().sub_(weight().grad!.mul(lr)));
    if ((i + 1) % 2 === 0) {
      const loss = l.sum().item();
      losses.push(loss);
      lines.push(`epoch ${i + 1}, loss ${loss.toFixed(3)}`);
      log(lines[lines.length - 1]!);
    }
  }
  return { lines, losses, kernel: weight().detach().reshape(1, 2) };
}

/**
 * Train a LazyConv2d(1, kernel (1, 2), no bias) on the edge image; then the same with d2l.Conv2D.
 * `init` ([1, 2]) replaces both random initial kernels, so a run can be replayed against PyTorch's.
 */
export function main(log: (s: string) => void = console.log, init?: Tensor): { lazy: KernelRun; scratch: KernelRun } {
  const X0 = ones([6, 8]);
  X0.set([':', '2:6'], 0);
  const Y0 = d2l.corr2d(X0, tensor([[1.0, -1.0]]));

  // (example, channel, height, width)
  const conv2d = new nn.LazyConv2d(1, { kernelSize: [1, 2], bias: false });
  if (init !== undefined) {
    conv2d.initializeParameters(1);
    noGrad(() => conv2d.weight.copy_(init.reshape(1, 1, 1, 2)));
  }
  const lazy = fit(conv2d, () => conv2d.weight, X0.reshape(1, 1, 6, 8), Y0.reshape(1, 1, 6, 7), log);
  log(lazy.kernel.toString());

  // The from-scratch layer learns the same kernel: autograd flows through corr2d's get/set/sum.
  const scratchConv = new d2l.Conv2D([1, 2]);
  if (init !== undefined) noGrad(() => scratchConv.weight.copy_(init.reshape(1, 2)));
  const scratch = fit(scratchConv, () => scratchConv.weight, X0, Y0, () => undefined);
  log(`Conv2D (from scratch) kernel: ${scratch.kernel.toString()}`);
  return { lazy, scratch };
}

runIfMain(import.meta.url, main);
