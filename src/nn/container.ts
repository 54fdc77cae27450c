/** Containers: Sequential (indexed or named children) and ModuleList. */
import type { ActivationOp } from '../backend/backend.js';
import type { Tensor } from '../tensor/tensor.js';
import { ReLU, Sigmoid, Tanh } from './activation.js';
import { Conv2d, LazyConv2d } from './conv.js';
import { AvgPool2d, MaxPool2d } from './pooling.js';
import { Module } from './module.js';
import { ArgumentError, describe } from '../util/check.js';

/**
 * The activation a module computes, when it is one of the built-in ReLU / Sigmoid / Tanh layers
 * (a subclass that overrides forward does not count).
 */
function builtinActivation(m: Module): ActivationOp | null {
  const f = m.forward;
  return f === ReLU.prototype.forward ? 'relu' : f === Sigmoid.prototype.forward ? 'sigmoid'
    : f === Tanh.prototype.forward ? 'tanh' : null;
}

/** m as a built-in MaxPool2d / AvgPool2d whose forward has not been overridden, else null. */
function builtinPool(m: Module | undefined): MaxPool2d | AvgPool2d | null {
  if (m instanceof MaxPool2d && m.forward === MaxPool2d.prototype.forward) return m;
  if (m instanceof AvgPool2d && m.forward === AvgPool2d.prototype.forward) return m;
  return null;
}

/** Is m a built-in Conv2d (or LazyConv2d) whose forward has not been overridden? */
function builtinConv2d(m: Module): m is Conv2d {
  return m instanceof Conv2d && (m.forward === Conv2d.prototype.forward || m.forward === LazyConv2d.prototype.forward);
}

/** `m` if it is a Module; otherwise an ArgumentError saying what was passed (an array of modules goes spread: `new Sequential(...layers)`). */
function checkModule(fn: string, m: unknown, what: string): Module {
  if (m instanceof Module) return m;
  const hint = Array.isArray(m) ? '; pass the modules as separate arguments (new nn.Sequential(...layers))' : '';
  throw new ArgumentError(fn, 'modules', `${what} is ${describe(m)}, not a Module${hint}`);
}

/**
 * Runs children in order; children are named '0', '1', … or by the names given. `net[0]` (or
 * `net.at(0)`, which also takes negative indices) is the first child, as in PyTorch.
 */
export class Sequential extends Module {
  /** The child at this position (registered under its index), like PyTorch's `net[0]`. */
  [index: number]: Module;

  constructor(...modules: Module[] | [Map<string, Module>]) {
    super();
    const first = modules[0];
    if (modules.length === 1 && first instanceof Map) {
      for (const [n, m] of first) this.addModule(n, checkModule('Sequential', m, `entry '${String(n)}'`));
    } else {
      (modules as Module[]).forEach((m, i) => this.addModule(String(i), checkModule('Sequential', m, `argument ${i}`)));
    }
  }

  /** Append a module named by its index. */
  append(m: Module): this {
    this.addModule(String(this._modules.size), checkModule('Sequential', m, `entry ${this._modules.size}`));
    return this;
  }

  /** Child by position (negative counts from the end); a module added twice has two positions. */
  at(i: number): Module {
    const kids = this.layers();
    const k = i < 0 ? i + kids.length : i;
    const m = kids[k];
    if (m === undefined) throw new Error(`Sequential: index ${i} is out of range for ${kids.length} modules`);
    return m;
  }

  get length(): number { return this._modules.size; }

  /** Every position in order, repeats included (PyTorch's `iter(seq)`; `children()` lists a shared module once). */
  layers(): Module[] { return [...this._modules.values()].filter((m): m is Module => m !== null); }
  [Symbol.iterator](): Iterator<Module> { return this.layers()[Symbol.iterator](); }

  /**
   * x → child 0 → child 1 → … A Conv2d directly followed by ReLU, Sigmoid or Tanh runs as one fused
   * conv + bias + activation op (Conv2d.forwardActivated), and with a MaxPool2d or AvgPool2d right
   * after that (on a batched input) the pooling joins it: same result and gradients, the
   * intermediates are not observable from outside, and it saves passes over the largest tensors.
   */
  forward(x: Tensor): Tensor {
    const kids = this.layers();
    for (let i = 0; i < kids.length; i++) {
      const m = kids[i]!;
      const act = i + 1 < kids.length && builtinConv2d(m) ? builtinActivation(kids[i + 1]!) : null;
      if (act !== null) {
        const pool = x.ndim === 4 ? builtinPool(kids[i + 2]) : null;
        x = (m as Conv2d).forwardActivated(x, act, pool ? (shape) => pool.fusedPool(shape) : undefined);
        i += pool ? 2 : 1;
      } else {
        x = m.call(x);
      }
    }
    return x;
  }
}

/** Holds submodules in a list (registered '0', '1', …) without defining forward; `list[0]` or `list.at(0)`. */
export class ModuleList extends Module {
  /** The module at this position, like PyTorch's `modules[0]`. */
  [index: number]: Module;

  constructor(modules: Module[] = []) {
    super();
    if (!Array.isArray(modules)) throw new ArgumentError('ModuleList', 'modules', `modules must be an array of modules, got ${describe(modules)}`);
    modules.forEach((m) => this.append(m));
  }
  append(m: Module): this {
    this.addModule(String(this._modules.size), checkModule('ModuleList', m, `entry ${this._modules.size}`));
    return this;
  }
  at(i: number): Module {
    const m = this.layers()[i < 0 ? i + this._modules.size : i];
    if (m === undefined) throw new Error(`ModuleList: index ${i} is out of range for ${this._modules.size} modules`);
    return m;
  }
  get length(): number { return this._modules.size; }
  /** Every position in order, repeats included. */
  layers(): Module[] { return [...this._modules.values()].filter((m): m is Module => m !== null); }
  [Symbol.iterator](): Iterator<Module> { return this.layers()[Symbol.iterator](); }
  forward(): Tensor {
    throw new Error('ModuleList has no forward(); iterate over it and call the modules');
  }
}
