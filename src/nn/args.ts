/**
 * PyTorch's argument conventions for layers and functional forms, checked at the public boundary:
 * positional arguments in PyTorch's order (`new nn.MaxPool2d(3, 1)` is kernel 3, stride 1), or an
 * options object (`{ stride: 1 }`), or positionals followed by options; unknown option keys, wrong
 * types and PyTorch features we do not have are errors naming the function and the argument.
 */
import { ArgumentError, describe, expectBool, expectInt, expectIntOrTuple, expectNumber, expectOneOf, isTensorLike, mergeArgs } from '../util/check.js';
import type { Reduction } from '../tensor/ops/nn-loss.js';

/** An int or an [h, w] pair, as PyTorch's `_pair` arguments. */
export type IntOrPair = number | readonly [number, number];

/** The positional names (PyTorch's order) and the option keys a function takes after its required arguments. */
export interface Signature { positional: readonly string[]; options: readonly string[] }

/** Merge positionals and a trailing options object per `sig` (see mergeArgs). */
export function parseArgs(fn: string, args: readonly unknown[], sig: Signature): Record<string, unknown> {
  return mergeArgs(fn, args, sig.positional, sig.options);
}

/** A pair argument (kernel size, stride, …) checked to be an int >= min or two of them; undefined stays undefined. */
export function pairArg(fn: string, name: string, v: unknown, min: number): IntOrPair | undefined {
  if (v === undefined) return undefined;
  return expectIntOrTuple(fn, name, v, 2, min) as IntOrPair;
}

/** A boolean option, or undefined. */
export function boolArg(fn: string, name: string, v: unknown): boolean | undefined {
  return v === undefined ? undefined : expectBool(fn, name, v);
}

/** Reject a PyTorch feature we do not implement when the caller asks for it (`inplace=True`, `return_indices=True`, …). */
export function unsupported(fn: string, name: string, v: unknown, off: unknown, why: string): void {
  if (v !== undefined && v !== null && v !== off) {
    const shown = typeof v === 'string' ? `'${v}'` : typeof v === 'number' || typeof v === 'boolean' ? String(v) : describe(v);
    throw new ArgumentError(fn, name, `${name}=${shown} is not supported: ${why}`);
  }
}

/** Loss reduction ('mean' | 'sum' | 'none'), or undefined. */
export function reductionArg(fn: string, v: unknown): Reduction | undefined {
  return v === undefined ? undefined : expectOneOf(fn, 'reduction', v, ['mean', 'sum', 'none'] as const);
}

/** A required Tensor argument; arrays get a hint on how to make a tensor of them. */
export function tensorArg(fn: string, name: string, v: unknown, labels = false): void {
  if (isTensorLike(v)) return;
  const hint = Array.isArray(v) ? ` (make one with tensor(${JSON.stringify(v).slice(0, 40)}${labels ? ", { dtype: 'int32' }" : ''}))` : '';
  throw new ArgumentError(fn, name, `${name} must be a Tensor, got ${describe(v)}${hint}`);
}

/** An optional Tensor argument (null/undefined allowed). */
export function optionalTensorArg(fn: string, name: string, v: unknown): void {
  if (v !== undefined && v !== null) tensorArg(fn, name, v);
}

/** A dim argument: an integer (PyTorch's implicit dim for softmax is deprecated, so it is required). */
export function dimArg(fn: string, v: unknown): number {
  if (v === undefined) throw new ArgumentError(fn, 'dim', 'dim is required (e.g. 1 for [N, C] logits)');
  return expectInt(fn, 'dim', v);
}

/** A probability in [0, 1]. */
export function probArg(fn: string, name: string, v: unknown): number {
  return expectNumber(fn, name, v, 0, 1);
}
