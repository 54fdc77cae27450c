/** Reference softmax cross-entropy: forward (softmax kept for the backward) and backward. */
import type { CrossEntropyTarget, LossReduction } from '../backend.js';

/** See Backend.crossEntropyForward. */
export function crossEntropyForward(x: Float32Array, n: number, c: number, target: CrossEntropyTarget, r: LossReduction,
                                    soft: Float32Array, out: Float32Array): void {
  const eps = target.smoothing;
  const labels = target.kind === 'labels' ? target.labels : null;
  const probs = target.kind === 'probs' ? target.probs : null;
  // Per row: the NLL part and, for class-index targets, the smoothing part Σ_k −log p_k (both zero
  // for ignored rows; the mean divides both by the number of kept rows, as PyTorch 1.13 does).
  const nll = new Float64Array(n), smooth = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const o = i * c;
    let m = -Infinity;
    for (let k = 0; k < c; k++) if (x[o + k]! > m) m = x[o + k]!;
    let s = 0;
    for (let k = 0; k < c; k++) { const e = Math.exp(x[o + k]! - m); soft[o + k] = e; s += e; }
    const lse = m + Math.log(s);
    const inv = 1 / s;
    for (let k = 0; k < c; k++) soft[o + k] = soft[o + k]! * inv;
    if (labels !== null) {
      const y = labels[i]!;
      if (y === (target as { ignoreIndex: number }).ignoreIndex) continue;
      nll[i] = lse - x[o + y]!;
      if (eps > 0) {
        let sumLogp = 0;
        for (let k = 0; k < c; k++) sumLogp += x[o + k]! - lse;
        smooth[i] = -sumLogp;
      }
    } else {
      let l = 0;
      for (let k = 0; k < c; k++) {
        const t = (1 - eps) * probs![o + k]! + eps / c;
        if (t !== 0) l -= t * (x[o + k]! - lse);
      }
      nll[i] = l;
    }
  }
  const sc = labels !== null ? eps / c : 0, nc = labels !== null ? 1 - eps : 1;
  if (r.reduction === 'none') {
    for (let i = 0; i < n; i++) out[i] = nc * nll[i]! + sc * smooth[i]!;
    return;
  }
  let sn = 0, ss = 0;
  for (let i = 0; i < n; i++) { sn += nll[i]!; ss += smooth[i]!; }
  // A mean over zero kept rows is NaN in PyTorch too (0/0), deliberately not hidden.
  out[0] = r.reduction === 'mean' ? (nc * sn + sc * ss) / r.count : nc * sn + sc * ss;
}

/** See Backend.crossEntropyBackward. */
export function crossEntropyBackward(soft: Float32Array, n: number, c: number, target: CrossEntropyTarget, r: LossReduction,
                                     g: Float32Array, dx: Float32Array): void {
  const eps = target.smoothing, mean = r.reduction === 'mean';
  const labels = target.kind === 'labels' ? target.labels : null;
  const probs = target.kind === 'probs' ? target.probs : null;
  const sc = labels !== null ? eps / c : 0, nc = labels !== null ? 1 - eps : 1;
  dx.fill(0, 0, n * c);
  for (let i = 0; i < n; i++) {
    const o = i * c;
    if (labels !== null && labels[i] === (target as { ignoreIndex: number }).ignoreIndex) continue;
    const gi = r.reduction === 'none' ? g[i]! : g[0]!;
    if (labels !== null) {
      const a = nc * (mean ? gi / r.count : gi);
      const b = sc * (mean ? gi / r.count : gi);
      // d/dx_j of NLL is p_j − δ_jy; of Σ_k −log p_k it is C·p_j − 1.
      for (let k = 0; k < c; k++) dx[o + k] = a * soft[o + k]! + b * (c * soft[o + k]! - 1);
      dx[o + labels[i]!] = dx[o + labels[i]!]! - a;
    } else {
      // The softmax's coefficient is the row's target mass Σ_k t_k (1 unless the probabilities don't sum to 1).
      const a = mean ? gi / r.count : gi;
      let ts = 0;
      for (let k = 0; k < c; k++) ts += (1 - eps) * probs![o + k]! + eps / c;
      for (let k = 0; k < c; k++) dx[o + k] = a * (soft[o + k]! * ts - ((1 - eps) * probs![o + k]! + eps / c));
    }
  }
}
