/** Containers: Sequential (indexed or named children) and ModuleList. */
import type { Tensor } from '../tensor/tensor.js';
import { releaseTemporary } from '../tensor/lifetime.js';
import { planFusion, runStep, stillFusable, type FusedStep } from './fusion.js';
import { Module } from './module.js';
import { ArgumentError, describe } from '../util/check.js';

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
  /** Which children run fused (fusion.ts), planned at the first forward and dropped when children change. */
  private plan: FusedStep[] | null = null;

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
   * x → child 0 → child 1 → … A built-in Conv2d directly followed by ReLU, Sigmoid or Tanh runs as
   * one fused conv + bias + activation op, with a MaxPool2d or AvgPool2d right after that (on a
   * batched input) joining it; a BatchNorm followed by an activation runs as one op too (fusion.ts).
   * Same results and gradients; the intermediates are not observable from outside. Each
   * intermediate passed from child to child is released once the next child has consumed it (what
   * autograd needs, it keeps), so a forward holds no more memory than its graph.
   */
  forward(x: Tensor): Tensor {
    let plan = this.plan;
    if (plan === null || !plan.every(stillFusable)) plan = this.plan = planFusion(this.layers());
    let cur = x;
    for (const step of plan) {
      const next = runStep(step, cur);
      if (cur !== x && next !== cur) releaseTemporary(cur, 'an intermediate of Sequential.forward (passed from one layer to the next)');
      cur = next;
    }
    return cur;
  }

  protected override childrenChanged(): void {
    this.plan = null;
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
