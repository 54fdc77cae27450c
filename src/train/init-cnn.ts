/** d2l's `init_cnn`: Xavier-uniform weights for convolutions and linear layers (biases keep their default init). */
import { Module } from '../nn/module.js';
import { Parameter, UninitializedParameter } from '../nn/parameter.js';
import { xavierUniform_ } from '../nn/init.js';

// d2l tests `type(module) == nn.Linear or type(module) == nn.Conv2d` — an exact type test, which a
// materialised PyTorch LazyLinear/LazyConv2d passes (they turn into Linear/Conv2d). Matching by
// class name reproduces that without also catching subclasses.
const TARGETS = new Set(['Linear', 'LazyLinear', 'Conv2d', 'LazyConv2d']);

/** Apply with `model.applyInit([X], initCnn)` or `net.apply(initCnn)`; lazy layers must be materialised first. */
export function initCnn(module: Module): void {
  if (!TARGETS.has(module.constructor.name)) return;
  const w = (module as unknown as { weight?: unknown }).weight;
  if (!(w instanceof Parameter)) return;
  if (w instanceof UninitializedParameter) {
    throw new Error(`initCnn: ${module.constructor.name} has not seen an input yet; run a forward pass first (applyInit does)`);
  }
  xavierUniform_(w);
}
