/**
 * Anomaly detection, like `torch.autograd.detect_anomaly()`: while on, every recorded op's output
 * and every gradient computed by backward is checked for NaN/Inf, and the first one found throws
 * an error naming the op (and, for gradients, where that op was recorded). Off by default: the
 * checks read every element.
 */
import type { Tensor } from '../tensor/tensor.js';
import { formatShape } from '../shape/index.js';

let enabled = false;

/** Switch anomaly detection on or off globally (`torch.autograd.set_detect_anomaly`). */
export function setDetectAnomaly(on: boolean): void {
  enabled = on;
}

/** Is anomaly detection on? */
export function isAnomalyEnabled(): boolean {
  return enabled;
}

/** Run `fn` with anomaly detection on (restored afterwards, even on throw); returns fn's result. */
export function detectAnomaly<T>(fn: () => T): T {
  const prev = enabled;
  enabled = true;
  try {
    return fn();
  } finally {
    enabled = prev;
  }
}

/** 'NaN', 'Inf' or null for the first non-finite value in `t` (float data only). */
function badValue(t: Tensor): 'NaN' | 'Inf' | null {
  if (t.dtype !== 'float32') return null;
  const d = t.data;
  for (let i = 0; i < d.length; i++) {
    const v = d[i]!;
    if (v !== v) return 'NaN';
    if (v === Infinity || v === -Infinity) return 'Inf';
  }
  return null;
}

/** `LogBackward0` → `log`, `LogSoftmaxBackward0` → `logSoftmax`: the user-facing op name. */
export function opNameOf(nodeName: string): string {
  const base = nodeName.replace(/Backward\d*$/, '');
  return base.charAt(0).toLowerCase() + base.slice(1);
}

const shapes = (ts: readonly Tensor[]): string =>
  `${ts.length === 1 ? 'input' : 'inputs'} ${ts.map((t) => formatShape(t.shape)).join(', ')}`;

/** Called when the op registry records a node: throw if the op's output holds NaN/Inf, saying whether its inputs already did. */
export function checkForward(nodeName: string, out: Tensor, inputs: readonly Tensor[]): void {
  const bad = badValue(out);
  if (bad === null) return;
  const inherited = inputs.map(badValue).find((b) => b !== null);
  throw new Error(
    `detectAnomaly: ${opNameOf(nodeName)} produced ${bad} in its output (${shapes(inputs)}); ` +
    (inherited ? `its input already contained ${inherited}, so look at the op that produced that input.` :
      'its inputs were finite, so this op created it (e.g. log of 0 or a negative, 0/0, sqrt of a negative, overflow).'));
}

/** Called by runBackward(): throw if the gradient `grad` a node computed for input `k` holds NaN/Inf. */
export function checkBackward(nodeName: string, grad: Tensor, k: number, inputs: readonly Tensor[], trace: string | undefined): void {
  const bad = badValue(grad);
  if (bad === null) return;
  throw new Error(
    `detectAnomaly: ${nodeName} (the backward of ${opNameOf(nodeName)}, ${shapes(inputs)}) returned ${bad} ` +
    `in the gradient of its input ${k} (shape ${formatShape(grad.shape)})` +
    (trace ? `\nThe forward op was recorded at:\n${trace}` : ''));
}

/** The caller's stack (without this module's frames), kept on graph nodes while anomaly mode is on. */
export function captureTrace(): string | undefined {
  const stack = new Error().stack;
  if (stack === undefined) return undefined;
  return stack.split('\n').slice(1).filter((l) => !/\/(anomaly|registry|lifetime)\.(js|ts)/.test(l)).slice(0, 8).join('\n');
}
