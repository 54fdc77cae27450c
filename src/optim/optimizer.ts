/**
 * Optimizer base (torch.optim.Optimizer): parameter groups with per-group hyperparameters, per-
 * parameter state, zeroGrad, and a state dict that lets a resumed run continue exactly.
 *
 * State dict format (`OptimizerStateDict`), as in PyTorch:
 *   { state: { [index]: { step?: number, momentumBuffer?: Tensor, expAvg?: Tensor, ... } },
 *     paramGroups: [ { lr, ...hyperparameters, params: [index, ...] }, ... ] }
 * Indices number the parameters of all groups in order (group 0 first), so a checkpoint made from
 * `model.parameters()` loads into a fresh optimizer over the same model. Parameters that never got
 * a gradient have no entry. Tensors in it are copies (safe to serialise later).
 */
import { noGrad } from '../autograd/grad-mode.js';
import { formatShape, shapesEqual } from '../shape/index.js';
import { Tensor } from '../tensor/tensor.js';
import { copyOf, emptyFloat } from '../tensor/ops/kernels.js';
import { fillInPlace } from '../tensor/ops/indexing.js';
import { UninitializedParameter } from '../nn/parameter.js';
import { ArgumentError, checkOptions, describe, expectBool, mergeArgs } from '../util/check.js';

/** Per-parameter state: counters and float32 buffers shaped like the parameter. */
export type ParamState = Record<string, Tensor | number>;

/** A group of parameters with its own hyperparameters (e.g. `{ params, lr: 0.01 }`). */
export type ParamGroup<O> = O & { params: Tensor[] };

/** Constructor input for groups: hyperparameters omitted fall back to the optimizer's defaults. */
export type ParamGroupInput<O> = Partial<O> & { params: Iterable<Tensor> };

/** Serialisable snapshot; see the module comment for the layout. */
export interface OptimizerStateDict<O> {
  state: Record<number, ParamState>;
  paramGroups: (O & { params: number[] })[];
}

/** A copy of `s`: tensors on the JavaScript heap (a snapshot to serialise) or, for the optimiser's own use, in backend storage. */
function cloneState(s: ParamState, own: boolean): ParamState {
  const out: ParamState = {};
  for (const [k, v] of Object.entries(s)) {
    if (!(v instanceof Tensor)) { out[k] = v; continue; }
    if (!own) { out[k] = new Tensor(Float32Array.from(v.data), v.shape, 'float32'); continue; }
    const c = copyOf(v.float());
    c.owned = true;
    out[k] = c;
  }
  return out;
}

export abstract class Optimizer<O extends object> {
  readonly paramGroups: ParamGroup<O>[] = [];
  /** Per-parameter state, created lazily by the first step that sees the parameter's gradient. */
  readonly state = new Map<Tensor, ParamState>();

  constructor(params: Iterable<Tensor> | ParamGroupInput<O>[], readonly defaults: O) {
    if (params === null || typeof params !== 'object' || !(Symbol.iterator in params)) {
      const hint = typeof (params as { parameters?: unknown } | null)?.parameters === 'function' ? ' (pass model.parameters(), not the model)' : '';
      throw new ArgumentError(this.constructor.name, 'params', `params must be an iterable of tensors (e.g. net.parameters()) or a list of parameter groups, got ${describe(params)}${hint}`);
    }
    const list = [...params] as (Tensor | ParamGroupInput<O>)[];
    if (list.length === 0) throw new Error(`${this.constructor.name}: got an empty parameter list`);
    const groups: ParamGroupInput<O>[] = list[0] instanceof Tensor
      ? [{ params: list as Tensor[] } as unknown as ParamGroupInput<O>]
      : list as ParamGroupInput<O>[];
    for (const g of groups) this.addParamGroup(g);
  }

  /** Add a group (like `add_param_group`); its missing hyperparameters come from the defaults. */
  addParamGroup(group: ParamGroupInput<O>): void {
    const name = this.constructor.name;
    if (group instanceof Tensor || !(Symbol.iterator in Object(group.params))) {
      throw new Error(`${name}: parameter groups must be objects like { params: [...], lr: 0.1 }`);
    }
    checkOptions(name, group, ['params', ...Object.keys(this.defaults)], 'parameter group');
    const params = [...group.params];
    const seen = new Set(this.paramGroups.flatMap((g) => g.params));
    params.forEach((p, i) => {
      if (!(p instanceof Tensor)) throw new Error(`${name}: parameter ${i} is not a Tensor`);
      if (p instanceof UninitializedParameter) {
        throw new Error(`${name}: parameter ${i} is an uninitialised lazy parameter (${p.owner}); run one forward pass ` +
                        '(d2l: model.apply_init / a dummy batch) before creating the optimizer');
      }
      if (p.dtype !== 'float32') throw new Error(`${name}: can only optimize float32 tensors, parameter ${i} is ${p.dtype}`);
      if (!p.isLeaf) throw new Error(`${name}: can't optimize a non-leaf Tensor (parameter ${i}, shape ${formatShape(p.shape)}); use a Parameter or detach().requiresGrad_()`);
      if (seen.has(p)) throw new Error(`${name}: some parameters appear in more than one parameter group (parameter ${i})`);
      seen.add(p);
    });
    const merged = { ...this.defaults, ...group, params } as ParamGroup<O>;
    this.validate(merged);
    this.paramGroups.push(merged);
  }

  /** Check a group's hyperparameters; throws naming the bad value. */
  protected abstract validate(group: O): void;

  /** Update `p` in place from `grad` (through a backend kernel), creating its state on first use. */
  protected abstract updateParam(p: Tensor, grad: Tensor, state: ParamState, group: O): void;

  /** One optimisation step over every parameter that has a gradient. */
  step(): void {
    noGrad(() => {
      for (const group of this.paramGroups) {
        for (const p of group.params) {
          const grad = p.gradInternal;
          if (grad === null) continue;
          if (!shapesEqual(grad.shape, p.shape)) {
            throw new Error(`${this.constructor.name}: gradient of shape ${formatShape(grad.shape)} does not match parameter ${formatShape(p.shape)}`);
          }
          let st = this.state.get(p);
          if (st === undefined) { st = {}; this.state.set(p, st); }
          this.updateParam(p, grad, st, group);
          p.bumpVersion();
        }
      }
    });
  }

  /** Drop gradients (setToNone, the default; released unless you hold them) or zero them in place. */
  zeroGrad(setToNone = true): void {
    for (const g of this.paramGroups) {
      for (const p of g.params) {
        const grad = p.gradInternal;
        if (grad === null) continue;
        if (setToNone) p.setGradInternal(null);
        else fillInPlace(grad, 0);
      }
    }
  }

  /** Snapshot of hyperparameters and state (copies), keyed by parameter index. */
  stateDict(): OptimizerStateDict<O> {
    const state: Record<number, ParamState> = {};
    const paramGroups: (O & { params: number[] })[] = [];
    let idx = 0;
    for (const g of this.paramGroups) {
      const ids: number[] = [];
      for (const p of g.params) {
        const st = this.state.get(p);
        if (st !== undefined) state[idx] = cloneState(st, false);
        ids.push(idx++);
      }
      const { params: _drop, ...hyper } = g;
      paramGroups.push({ ...(structuredClone(hyper) as unknown as O), params: ids });
    }
    return { state, paramGroups };
  }

  /** Restore a snapshot from `stateDict()`; groups and parameter shapes must match this optimizer. */
  loadStateDict(sd: OptimizerStateDict<O>): void {
    const name = this.constructor.name;
    if (sd.paramGroups.length !== this.paramGroups.length) {
      throw new Error(`${name}.loadStateDict: loaded state dict has ${sd.paramGroups.length} parameter groups, the optimizer has ${this.paramGroups.length}`);
    }
    const byIndex = new Map<number, Tensor>();
    sd.paramGroups.forEach((sg, gi) => {
      const own = this.paramGroups[gi]!;
      if (sg.params.length !== own.params.length) {
        throw new Error(`${name}.loadStateDict: group ${gi} has ${sg.params.length} parameters in the state dict but ${own.params.length} in the optimizer`);
      }
      sg.params.forEach((id, k) => byIndex.set(id, own.params[k]!));
    });
    const newState = new Map<Tensor, ParamState>();
    for (const [key, st] of Object.entries(sd.state)) {
      const p = byIndex.get(Number(key));
      if (p === undefined) throw new Error(`${name}.loadStateDict: state for parameter ${key}, which no group lists`);
      for (const [k, v] of Object.entries(st)) {
        if (v instanceof Tensor && !shapesEqual(v.shape, p.shape)) {
          throw new Error(`${name}.loadStateDict: state '${k}' of parameter ${key} has shape ${formatShape(v.shape)} but the parameter is ${formatShape(p.shape)}`);
        }
      }
      newState.set(p, cloneState(st, true));
    }
    for (const st of this.state.values()) releaseState(st);
    this.state.clear();
    for (const [p, st] of newState) this.state.set(p, st);
    sd.paramGroups.forEach((sg, gi) => {
      const own = this.paramGroups[gi]!;
      const { params: _drop, ...hyper } = sg;
      Object.assign(own, structuredClone(hyper));
    });
  }
}

/** A float32 state buffer shaped like `p` (zeros, in backend storage), owned by the optimiser. */
export function zerosBuffer(p: Tensor): Tensor {
  const t = emptyFloat(p.shape);
  t.owned = true;
  return t;
}

/** Release the optimiser's own state tensors (those nobody else was handed). */
function releaseState(st: ParamState): void {
  for (const v of Object.values(st)) if (v instanceof Tensor && !v.pinned) v.releaseHandle('replaced optimizer state');
}

/** Reject a hyperparameter outside its range with the optimizer's name. */
export function checkRange(opt: string, name: string, v: number, ok: boolean): void {
  if (typeof v !== 'number') throw new ArgumentError(opt, name, `invalid ${name} value: ${describe(v)} (expected a number)`);
  if (!ok || Number.isNaN(v)) throw new Error(`${opt}: invalid ${name} value: ${v}`);
}

/** Check a boolean hyperparameter (nesterov, amsgrad, maximize). */
export function checkFlag(opt: string, name: string, v: unknown): void {
  expectBool(opt, name, v);
}

/**
 * An optimiser's hyperparameters from PyTorch's call forms: `(params, 0.1)`, `(params, 0.1, 0.9)`
 * (positionals in PyTorch's order) or `(params, { lr: 0.1, momentum: 0.9 })`.
 */
export function optimizerArgs<O>(name: string, args: readonly unknown[], positional: readonly string[], keys: readonly string[]): Partial<O> {
  return mergeArgs(name, args, positional, keys) as Partial<O>;
}
