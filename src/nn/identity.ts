/** Identity: returns its input unchanged (a placeholder, e.g. for an optional shortcut). */
import type { Tensor } from '../tensor/tensor.js';
import { Module } from './module.js';

/** x → x, any shape. */
export class Identity extends Module {
  forward(x: Tensor): Tensor { return x; }
}
