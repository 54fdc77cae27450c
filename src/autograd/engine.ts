/**
 * Reverse-mode autodiff in the spirit of micrograd: every result tensor keeps a `gradFn` node with
 * its parent tensors and a backward closure; `backward()` sorts the graph topologically and runs
 * the closures in reverse, summing gradients that meet at a tensor.
 */
import type { Tensor } from '../tensor/tensor.js';
import { noGrad } from './grad-mode.js';
import { formatShape, shapesEqual } from '../tensor/shape.js';
import { checkBackward, isAnomalyEnabled } from './anomaly.js';

/** One recorded operation: how to turn the gradient of its output into gradients of its inputs. */
export interface GradNode {
  /** PyTorch-style name, e.g. `AddBackward0`, shown when printing a tensor. */
  readonly name: string;
  /** The op's inputs; gradients flow only to those with requiresGrad. */
  readonly inputs: readonly Tensor[];
  /** Input versions at record time: an in-place change afterwards would make the saved values stale. */
  readonly versions: readonly number[];
  /** Maps the output gradient to one gradient per input (null = no gradient); null once freed. */
  backward: ((grad: Tensor) => (Tensor | null)[]) | null;
  /** Set when the backward closure reads the op's own output (exp, sigmoid, ...): it must not change either. */
  readonly output?: { readonly tensor: Tensor; readonly version: number };
  /** Indices of the inputs whose values `backward` reads (all when absent); only those must not change in place. */
  readonly saved?: readonly number[];
  /** Where the forward op ran; captured only while anomaly detection is on. */
  readonly trace?: string;
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

/** Backpropagate `grad` (same shape as root) through the graph; leaves accumulate into `.grad`. */
export function runBackward(root: Tensor, grad: Tensor, retainGraph: boolean): void {
  const order = topoSort(root);
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
        continue;
      }
      if (t.retainsGrad) t.accumulateGrad(g);
      if (node.backward === null) {
        throw new Error(
          `backward: trying to backward through the graph a second time (at ${node.name}); ` +
          'the saved intermediate values were freed after the first call. Pass { retainGraph: true } ' +
          'to the first backward() if you need to call it twice.');
      }
      node.inputs.forEach((inp, k) => {
        if (node.saved !== undefined && !node.saved.includes(k)) return;
        if (inp.version !== node.versions[k]) {
          throw new Error(
            `backward: a tensor of shape ${formatShape(inp.shape)} needed by ${node.name} was modified by an ` +
            `in-place operation after it was used (version ${node.versions[k]} → ${inp.version})`);
        }
      });
      if (node.output !== undefined && node.output.tensor.version !== node.output.version) {
        throw new Error(
          `backward: the output of ${node.name} (shape ${formatShape(node.output.tensor.shape)}) is needed for its gradient ` +
          `but was modified by an in-place operation (version ${node.output.version} → ${node.output.tensor.version})`);
      }
      const inGrads = node.backward(g);
      if (!retainGraph) node.backward = null;
      if (isAnomalyEnabled()) {
        inGrads.forEach((ig, k) => { if (ig) checkBackward(node.name, ig, k, node.inputs, node.trace); });
      }
      node.inputs.forEach((_, k) => {
        const inp = edge(node, k);
        const ig = inGrads[k];
        if (!inp.requiresGrad || ig === null || ig === undefined) return;
        if (!shapesEqual(ig.shape, inp.shape)) {
          throw new Error(`internal: ${node.name} produced a gradient of shape ${formatShape(ig.shape)} ` +
                          `for an input of shape ${formatShape(inp.shape)}`);
        }
        const prev = grads.get(inp);
        grads.set(inp, prev === undefined ? ig : prev.add(ig));
      });
    }
  });
}
