/**
 * Reverse-mode autodiff in the spirit of micrograd: every result tensor keeps a `gradFn` node with
 * its parent tensors and a backward closure; `backward()` sorts the graph topologically and runs
 * the closures in reverse, summing gradients that meet at a tensor.
 *
 * Memory: a node holds its own handles on the values its backward reads (`saved`), so releasing
 * the tensors a forward produced never takes them from the graph; a backward without retainGraph
 * releases each node's saved values once the node has run, and the engine releases every
 * gradient it made as soon as it has passed it on.
 */
import type { Tensor } from '../tensor/tensor.js';
import { noGrad } from './grad-mode.js';
import { formatShape, shapesEqual } from '../shape/index.js';
import { checkBackward, isAnomalyEnabled } from './anomaly.js';

/** A value a node's backward reads, and its version when the node was recorded. */
export interface SavedValue {
  /** The node's own handle (it shares storage and version counter with the original). */
  readonly tensor: Tensor;
  readonly version: number;
  /** For the error message: `input k`, or `output`. */
  readonly role: string;
}

/** One recorded operation: how to turn the gradient of its output into gradients of its inputs. */
export interface GradNode {
  /** PyTorch-style name, e.g. `AddBackward0`, shown when printing a tensor. */
  readonly name: string;
  /** The registry primitive that recorded the node (`mul`, `conv2d`, …). */
  readonly op?: string;
  /** The op's inputs (graph edges); gradients flow only to those with requiresGrad. */
  readonly inputs: readonly Tensor[];
  /** Input versions at record time (where each edge's history stood). */
  readonly versions: readonly number[];
  /** Maps the output gradient to one gradient per input (null = no gradient); null once freed. */
  backward: ((grad: Tensor) => (Tensor | null)[]) | null;
  /** Inputs (and the output) whose values backward reads: they must not change in place before it runs. */
  readonly checks: readonly SavedValue[];
  /** Every handle the node owns (saved values, internal buffers); released with the node. */
  readonly owned: readonly Tensor[];
  /** Where the forward op ran; captured only while anomaly detection is on. */
  readonly trace?: string;
}

/** Drop a node's closure and the handles it owns (its saved values are freed unless shared). */
export function freeNode(node: GradNode): void {
  node.backward = null;
  for (const t of node.owned) t.releaseHandle(`freed with the graph after ${node.name} ran`);
}

/**
 * Where node input `k`'s gradient goes: the input tensor, or, if a recorded in-place op has since
 * rebased that tensor onto a new node, the handle holding its history at record time.
 */
function edge(node: GradNode, k: number): Tensor {
  return node.inputs[k]!.historyAt(node.versions[k]!);
}

/** Topological order of the graph below `root` (inputs before the tensors computed from them). */
function topoSort(root: Tensor): Tensor[] {
  const order: Tensor[] = [];
  const seen = new Set<Tensor>([root]);
  // Iterative DFS: deep networks (DenseNet, ResNet-34) would overflow a recursive walk.
  const stack: [Tensor, number][] = [[root, 0]];
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    const node = top[0].gradFn;
    if (node !== null && top[1] < node.inputs.length) {
      const child = edge(node, top[1]++);
      if (child.requiresGrad && !seen.has(child)) {
        seen.add(child);
        stack.push([child, 0]);
      }
    } else {
      order.push(top[0]);
      stack.pop();
    }
  }
  return order;
}

/** Throw if a value the node's backward reads was modified in place after it was recorded. */
function checkVersions(node: GradNode): void {
  for (const s of node.checks) {
    if (s.tensor.version === s.version) continue;
    throw new Error(s.role === 'output'
      ? `backward: the output of ${node.name} (shape ${formatShape(s.tensor.shape)}) is needed for its gradient ` +
        `but was modified by an in-place operation (version ${s.version} → ${s.tensor.version})`
      : `backward: a tensor of shape ${formatShape(s.tensor.shape)} needed by ${node.name} was modified by an ` +
        `in-place operation after it was used (version ${s.version} → ${s.tensor.version})`);
  }
}

/**
 * Backpropagate `grad` (same shape as root, a handle the engine takes over) through the graph;
 * leaves accumulate into `.grad`.
 */
export function runBackward(root: Tensor, grad: Tensor, retainGraph: boolean): void {
  const order = topoSort(root);
  // Every tensor in this map is a handle the engine owns and releases once passed on.
  const grads = new Map<Tensor, Tensor>([[root, grad]]);
  noGrad(() => {
    for (let i = order.length - 1; i >= 0; i--) {
      const t = order[i]!;
      const g = grads.get(t);
      if (g === undefined) continue;
      grads.delete(t);
      const node = t.gradFn;
      if (node === null) {
        if (t.requiresGrad) t.accumulateGrad(g);
        else g.releaseHandle('a gradient the engine passed on');
        continue;
      }
      if (t.retainsGrad) t.accumulateGrad(g.detach());
      if (node.backward === null) {
        throw new Error(
          `backward: trying to backward through the graph a second time (at ${node.name}); ` +
          'the saved intermediate values were freed after the first call. Pass { retainGraph: true } ' +
          'to the first backward() if you need to call it twice.');
      }
      checkVersions(node);
      const inGrads = node.backward(g);
      if (!retainGraph) freeNode(node);
      if (isAnomalyEnabled()) {
        inGrads.forEach((ig, k) => { if (ig) checkBackward(node.name, ig, k, node.inputs, node.trace); });
      }
      // A rule may pass g (or one tensor) on to several inputs: each map entry gets its own handle.
      const handed: Tensor[] = [];
      node.inputs.forEach((_, k) => {
        const inp = edge(node, k);
        let ig = inGrads[k];
        if (!inp.requiresGrad || ig === null || ig === undefined) return;
        if (!shapesEqual(ig.shape, inp.shape)) {
          throw new Error(`internal: ${node.name} produced a gradient of shape ${formatShape(ig.shape)} ` +
                          `for an input of shape ${formatShape(inp.shape)}`);
        }
        if (ig === g || handed.includes(ig)) ig = ig.detach();
        handed.push(ig);
        const prev = grads.get(inp);
        if (prev === undefined) { grads.set(inp, ig); return; }
        grads.set(inp, prev.add(ig));
        prev.releaseHandle('a partial gradient the engine summed');
        ig.releaseHandle('a partial gradient the engine summed');
      });
      // Returned tensors nobody took (inputs without requiresGrad) and the consumed g.
      for (const ig of inGrads) if (ig !== null && ig !== undefined && ig !== g && !handed.includes(ig)) ig.releaseHandle('an unused gradient');
      g.releaseHandle('a gradient the engine passed on');
    }
  });
  // Gradients that never reached a node (their path ended) are released too.
  for (const g of grads.values()) g.releaseHandle('a gradient the engine passed on');
}
