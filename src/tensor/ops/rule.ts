/** The shape of one entry of the op registry (registry.ts): how a differentiable primitive runs and differentiates. */
import type { Tensor } from '../tensor.js';
import type { OpParams, Primitive } from './registry.js';

/** What a node's backward gets besides the output gradient. */
export interface Saved {
  /** The node's handles on the inputs it saved (see Rule.saves), by input index; null where not saved. */
  readonly inputs: readonly (Tensor | null)[];
  /** The node's handle on the output, when Rule.savesOutput. */
  readonly output: Tensor | null;
  /** Internal tensors the forward kept for the backward (a softmax, argmax indices, batch statistics). */
  readonly extras: readonly Tensor[];
  /** Which inputs required grad when the op ran: the rule may return null for the others. */
  readonly needs: readonly boolean[];
  /** Every input's shape (saved or not). */
  readonly shapes: readonly (readonly number[])[];
}

/** A forward's result: the output, and internal tensors its backward reads (owned and released by the node). */
export interface Forward { out: Tensor; extras: Tensor[] }

/** One differentiable primitive. */
export interface Rule<P extends Primitive> {
  /** The grad_fn name PyTorch shows for the op's output (`MulBackward0`), fixed or from the params. */
  readonly name: string | ((p: OpParams[P]) => string);
  /**
   * Inputs whose values the backward reads: the node saves its own handle on each and refuses to
   * run if one was modified in place since. Default: every input.
   */
  readonly saves?: (p: OpParams[P], needs: readonly boolean[]) => readonly number[];
  /** Does the backward read the output? (Then an in-place change of the output is caught, too.) */
  readonly savesOutput?: (p: OpParams[P], needs: readonly boolean[]) => boolean;
  /** In-place ops write input 0 and return it; autograd rebases input 0's history onto the node. */
  readonly inplace?: true;
  /** Run the kernels: a new output (or input 0, in place). `recording`: a node will be made. */
  forward(inputs: readonly Tensor[], p: OpParams[P], recording: boolean): Tensor | Forward;
  /** One gradient per input (null: none) from the output gradient `g`. */
  backward(g: Tensor, s: Saved, p: OpParams[P]): (Tensor | null)[];
}

/** A group of rules, one per primitive in K. */
export type RuleSet<K extends Primitive> = { readonly [P in K]: Rule<P> };

/** Parameterless ops. */
export type NoParams = Record<string, never>;

/** saves: none of the inputs. */
export const SAVES_NONE = (): readonly number[] => [];
/** savesOutput: yes. */
export const OUTPUT = (): boolean => true;
