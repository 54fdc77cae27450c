/**
 * nn.Module: ordered parameters, buffers and submodules, as in PyTorch's module.py. Assigning a
 * Parameter or Module to a property registers it under that name (`this.conv1 = new Conv2d(...)`),
 * so `stateDict()` names (`net.0.weight`) come for free and follow assignment order.
 */
import { Tensor } from '../tensor/tensor.js';
import { copyOf, copyStrided } from '../tensor/ops/kernels.js';
import { noGrad } from '../autograd/grad-mode.js';
import { formatShape, shapesEqual } from '../shape/index.js';
import { Parameter, UninitializedBuffer, UninitializedParameter } from './parameter.js';

export type StateDict = Map<string, Tensor>;

export abstract class Module {
  /** Training mode (Dropout active, BatchNorm uses batch statistics). */
  training = true;
  /** @internal */ readonly _parameters = new Map<string, Parameter | null>();
  /** @internal */ readonly _buffers = new Map<string, Tensor | null>();
  /** @internal */ readonly _nonPersistent = new Set<string>();
  /** @internal */ readonly _modules = new Map<string, Module | null>();

  constructor() {
    // The proxy sees property definitions (class fields) and assignments, so registration is implicit.
    return new Proxy(this, {
      set: (target, prop, value, receiver) => {
        if (typeof prop === 'string') target.registerOnAssign(prop, value);
        return Reflect.set(target, prop, value, receiver);
      },
      defineProperty: (target, prop, desc) => {
        if (typeof prop === 'string' && 'value' in desc) target.registerOnAssign(prop, desc.value);
        return Reflect.defineProperty(target, prop, desc);
      },
    });
  }

  private registerOnAssign(name: string, value: unknown): void {
    // A subclass's field declaration without initialiser must not unregister what a base class set.
    if (value === undefined) return;
    // A tensor assigned to a module has escaped: the library never releases it as a temporary.
    if (value instanceof Tensor) value.pinned = true;
    if (value instanceof Parameter) {
      this._modules.delete(name); this._buffers.delete(name);
      this._parameters.set(name, value);
    } else if (value instanceof Module) {
      this._parameters.delete(name); this._buffers.delete(name);
      this._modules.set(name, value);
      this.childrenChanged();
    } else if (this._buffers.has(name)) {
      if (value !== null && !(value instanceof Tensor)) throw new Error(`cannot assign a ${typeof value} as buffer '${name}' (a Tensor or null is required)`);
      this._buffers.set(name, value as Tensor | null);
    } else if (this._parameters.has(name)) {
      if (value !== null) throw new Error(`cannot assign a plain ${value instanceof Tensor ? 'Tensor' : typeof value} as parameter '${name}' (wrap it in new Parameter(...))`);
      this._parameters.set(name, null);
    } else if (this._modules.has(name) && value === null) {
      this._modules.set(name, null);
      this.childrenChanged();
    }
  }

  /** Called when a child module is added, replaced or removed (Sequential drops its fusion plan). */
  protected childrenChanged(): void { /* containers override */ }

  /** The computation; subclasses override it. Call modules with `m.call(x)` or `m.forward(x)`. */
  abstract forward(...inputs: Tensor[]): Tensor;

  /** Run forward (the counterpart of calling a PyTorch module). */
  call(...inputs: Tensor[]): Tensor {
    return this.forward(...inputs);
  }

  /** Register a parameter explicitly (null leaves a named hole, like bias=False). */
  registerParameter(name: string, p: Parameter | null): void {
    (this as Record<string, unknown>)[name] = p;
    this._parameters.set(name, p);
  }

  /** Register a buffer (saved in stateDict unless persistent is false), e.g. BatchNorm's running_mean. */
  registerBuffer(name: string, t: Tensor | null, persistent = true): void {
    if (t !== null) t.pinned = true;
    this._buffers.set(name, t);
    if (!persistent) this._nonPersistent.add(name);
    (this as Record<string, unknown>)[name] = t;
  }

  /** Register a child module under `name` (PyTorch's add_module). */
  addModule(name: string, m: Module | null): void {
    if (name.includes('.') || name === '') throw new Error(`addModule: module name can't contain "." or be empty (got '${name}')`);
    this._modules.set(name, m);
    (this as Record<string, unknown>)[name] = m;
    this.childrenChanged();
  }

  /** Direct children, in registration order; a module registered under two names is listed once (PyTorch's named_children). */
  *namedChildren(): Generator<[string, Module]> {
    const seen = new Set<Module>();
    for (const [n, m] of this._modules) {
      if (m === null || seen.has(m)) continue;
      seen.add(m);
      yield [n, m];
    }
  }
  children(): Module[] { return [...this.namedChildren()].map(([, m]) => m); }

  /** This module and all descendants, depth first, each once. */
  *namedModules(prefix = '', seen = new Set<Module>()): Generator<[string, Module]> {
    if (seen.has(this)) return;
    seen.add(this);
    yield [prefix, this];
    for (const [n, m] of this.namedChildren()) yield* m.namedModules(prefix ? `${prefix}.${n}` : n, seen);
  }
  modules(): Module[] { return [...this.namedModules()].map(([, m]) => m); }

  /** Parameters with dotted names (`net.0.weight`), each tensor once. */
  namedParameters(prefix = ''): [string, Parameter][] {
    const out: [string, Parameter][] = [];
    const seen = new Set<Parameter>();
    for (const [mp, m] of this.namedModules(prefix)) {
      for (const [n, p] of m._parameters) {
        if (p === null || seen.has(p)) continue;
        seen.add(p);
        out.push([mp ? `${mp}.${n}` : n, p]);
      }
    }
    return out;
  }
  parameters(): Parameter[] { return this.namedParameters().map(([, p]) => p); }

  /** Buffers with dotted names. */
  namedBuffers(prefix = ''): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    for (const [mp, m] of this.namedModules(prefix)) {
      for (const [n, b] of m._buffers) if (b !== null) out.push([mp ? `${mp}.${n}` : n, b]);
    }
    return out;
  }
  buffers(): Tensor[] { return this.namedBuffers().map(([, b]) => b); }

  /** Switch training mode on this module and all descendants. */
  train(mode = true): this {
    for (const m of this.modules()) m.training = mode;
    return this;
  }
  /** Evaluation mode (`train(false)`). */
  eval(): this { return this.train(false); }

  /** Drop every parameter's gradient (released unless you hold it). */
  zeroGrad(): void {
    for (const p of this.parameters()) p.setGradInternal(null);
  }

  /** Call `fn` on every submodule (children first) and on this module, like `Module.apply`. */
  apply(fn: (m: Module) => void): this {
    for (const c of this.children()) c.apply(fn);
    fn(this);
    return this;
  }

  /**
   * Parameters and persistent buffers by dotted name, PyTorch's state_dict order. Unlike
   * namedParameters, a module registered under two names appears under both (as in PyTorch).
   */
  stateDict(): StateDict {
    const sd: StateDict = new Map();
    for (const [key, , , t] of this.stateTargets()) sd.set(key, t);
    return sd;
  }

  /** [dotted key, owning module, kind, tensor] of every state_dict entry, recursing without de-duplication. */
  private stateTargets(prefix = '', out: [string, Module, 'param' | 'buffer', Tensor][] = []): [string, Module, 'param' | 'buffer', Tensor][] {
    for (const [n, p] of this._parameters) if (p !== null) out.push([prefix + n, this, 'param', p]);
    for (const [n, b] of this._buffers) if (b !== null && !this._nonPersistent.has(n)) out.push([prefix + n, this, 'buffer', b]);
    for (const [n, m] of this._modules) if (m !== null) m.stateTargets(`${prefix}${n}.`, out);
    return out;
  }

  /**
   * Copy tensors from `sd` into this module's parameters and buffers. Lazy parameters take the
   * incoming shape. With strict (the default) any missing, unexpected or mis-shaped key is an error
   * that lists them all.
   */
  loadStateDict(sd: ReadonlyMap<string, Tensor> | Record<string, Tensor>, strict = true): { missingKeys: string[]; unexpectedKeys: string[] } {
    const incoming = sd instanceof Map ? sd : new Map(Object.entries(sd));
    const missing: string[] = [], misShaped: string[] = [];
    const own = new Set<string>();
    const targets = this.stateTargets();
    for (const [key, , , cur] of targets) {
      own.add(key);
      const src = incoming.get(key);
      if (src === undefined) { missing.push(key); continue; }
      if (!(cur instanceof UninitializedParameter || cur instanceof UninitializedBuffer) && !shapesEqual(src.shape, cur.shape)) {
        misShaped.push(`${key}: checkpoint has ${formatShape(src.shape)}, model has ${formatShape(cur.shape)}`);
      }
    }
    const unexpected = [...incoming.keys()].filter((k) => !own.has(k));
    if (misShaped.length > 0 || (strict && (missing.length > 0 || unexpected.length > 0))) {
      const parts: string[] = [];
      if (missing.length) parts.push(`Missing key(s): ${missing.map((k) => `"${k}"`).join(', ')}.`);
      if (unexpected.length) parts.push(`Unexpected key(s): ${unexpected.map((k) => `"${k}"`).join(', ')}.`);
      if (misShaped.length) parts.push(`Size mismatch: ${misShaped.join('; ')}.`);
      throw new Error(`loadStateDict: error(s) in loading state dict for ${this.constructor.name}:\n  ${parts.join('\n  ')}`);
    }
    noGrad(() => {
      for (const [key, m, kind, cur] of targets) {
        const src = incoming.get(key);
        if (src === undefined) continue;
        const localName = key.slice(key.lastIndexOf('.') + 1);
        if (cur instanceof UninitializedParameter) {
          m.registerParameter(localName, Parameter.adopt(copyOf(src.float())));
        } else if (cur instanceof UninitializedBuffer) {
          m.registerBuffer(localName, copyOf(src.float()), !m._nonPersistent.has(localName));
        } else {
          copyInto(cur, kind === 'buffer' && cur.dtype !== src.dtype ? src.to(cur.dtype) : src);
        }
      }
    });
    return { missingKeys: missing, unexpectedKeys: unexpected };
  }

  /** Extra text inside this module's repr, e.g. `1, 6, kernel_size=(5, 5)`. */
  extraRepr(): string { return ''; }

  /** `console.log(net)` in Node prints the PyTorch-style repr, as `print(net)` does (not the internals). */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }

  /** PyTorch-style tree repr. */
  toString(): string {
    const name = this.constructor.name;
    const kids = [...this.namedChildren()];
    if (kids.length === 0) return `${name}(${this.extraRepr()})`;
    const lines = kids.map(([n, m]) => `  (${n}): ${m.toString().split('\n').join('\n  ')}`);
    const extra = this.extraRepr();
    return `${name}(${extra ? `\n  ${extra}` : ''}\n${lines.join('\n')}\n)`;
  }
}

/** Overwrite `dst`'s values with `src`'s (same shape), outside the graph. */
function copyInto(dst: Tensor, src: Tensor): void {
  const st = dst.shape.map((_, i) => dst.shape.slice(i + 1).reduce((a, b) => a * b, 1));
  copyStrided(src, 0, st, dst, 0, st, dst.shape);
  dst.bumpVersion();
}
