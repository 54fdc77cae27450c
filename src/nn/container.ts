/** Containers: Sequential (indexed or named children) and ModuleList. */
import type { Tensor } from '../tensor/tensor.js';
import { Module } from './module.js';

/** Runs children in order; children are named '0', '1', … or by the names given. */
export class Sequential extends Module {
  constructor(...modules: Module[] | [Map<string, Module>]) {
    super();
    const first = modules[0];
    if (modules.length === 1 && first instanceof Map) {
      for (const [n, m] of first) this.addModule(n, m);
    } else {
      (modules as Module[]).forEach((m, i) => this.addModule(String(i), m));
    }
  }

  /** Append a module named by its index. */
  append(m: Module): this {
    this.addModule(String(this._modules.size), m);
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

  /** x → child 0 → child 1 → … */
  forward(x: Tensor): Tensor {
    for (const m of this.layers()) x = m.call(x);
    return x;
  }
}

/** Holds submodules in a list (registered '0', '1', …) without defining forward. */
export class ModuleList extends Module {
  constructor(modules: Module[] = []) {
    super();
    modules.forEach((m) => this.append(m));
  }
  append(m: Module): this {
    this.addModule(String(this._modules.size), m);
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
