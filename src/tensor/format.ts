/** PyTorch's tensor printing (torch/_tensor_str.py): same number formats, widths, wrapping and summaries. */
import type { Tensor } from './tensor.js';

const PRECISION = 4;
const THRESHOLD = 1000;
const EDGEITEMS = 3;
const LINEWIDTH = 80;

/**
 * Python formats with round-half-even on the exact binary value; JavaScript's toFixed/toExponential
 * round exact ties away from zero (0.03125 → '0.0313' where PyTorch prints '0.0312'). `rounded` is
 * the JavaScript result and `exact` the value's full expansion from the same method: on an exact
 * tie whose kept last digit is even, truncate instead.
 */
function halfEven(rounded: string, exact: string, keep: number): string {
  const [mant, exp] = exact.split('e') as [string, string | undefined];
  const dot = mant.indexOf('.');
  const rest = mant.slice(dot + 1 + keep);
  if (!/^50*$/.test(rest)) return rounded;
  const kept = mant.slice(0, keep === 0 ? dot : dot + 1 + keep);
  const last = kept.charCodeAt(kept.length - 1) - 48;
  if (last % 2 === 1) return rounded;
  return exp === undefined ? kept : `${kept}e${exp}`;
}

/** Python's '{:.4e}': exponent with a sign and at least two digits; '-0.0000e+00' for -0. */
function sci(v: number): string {
  const a = Math.abs(v);
  let s = halfEven(a.toExponential(PRECISION), a.toExponential(100), PRECISION);
  s = s.replace(/e([+-])(\d)$/, 'e$10$2');
  return v < 0 || Object.is(v, -0) ? `-${s}` : s;
}

function fixed(v: number, digits: number): string {
  if (Number.isNaN(v)) return 'nan';
  if (v === Infinity) return 'inf';
  if (v === -Infinity) return '-inf';
  const a = Math.abs(v);
  // Values this large print with no fraction ties worth handling, and toFixed(100) would switch to exponent form.
  const s = a >= 1e21 ? a.toFixed(digits) : halfEven(a.toFixed(digits), a.toFixed(100), digits);
  // Python keeps the sign of negative values that round to zero ('-0.0000').
  return v < 0 || Object.is(v, -0) ? `-${s}` : s;
}

class Formatter {
  intMode = true;
  sciMode = false;
  maxWidth = 1;
  constructor(readonly floating: boolean, readonly isBool: boolean, values: ArrayLike<number>) {
    if (!floating) {
      for (let i = 0; i < values.length; i++) {
        this.maxWidth = Math.max(this.maxWidth, this.fmtPlain(values[i]!).length);
      }
      return;
    }
    const nz: number[] = [];
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!;
      if (Number.isFinite(v) && v !== 0) nz.push(v);
    }
    if (nz.length === 0) return;
    let mn = Infinity, mx = 0;
    for (const v of nz) { const a = Math.abs(v); mn = Math.min(mn, a); mx = Math.max(mx, a); }
    this.intMode = nz.every((v) => v === Math.ceil(v));
    if (this.intMode) {
      if (mx / mn > 1000 || mx > 1e8) {
        this.sciMode = true;
        for (const v of nz) this.maxWidth = Math.max(this.maxWidth, sci(v).length);
      } else {
        for (const v of nz) this.maxWidth = Math.max(this.maxWidth, fixed(v, 0).length + 1);
      }
    } else if (mx / mn > 1000 || mx > 1e8 || mn < 1e-4) {
      this.sciMode = true;
      for (const v of nz) this.maxWidth = Math.max(this.maxWidth, sci(v).length);
    } else {
      for (const v of nz) this.maxWidth = Math.max(this.maxWidth, fixed(v, PRECISION).length);
    }
  }

  private fmtPlain(v: number): string {
    return this.isBool ? (v !== 0 ? 'True' : 'False') : String(v);
  }

  format(v: number): string {
    let s: string;
    if (!this.floating) s = this.fmtPlain(v);
    else if (this.sciMode) s = Number.isFinite(v) ? sci(v) : fixed(v, 0);
    else if (this.intMode) s = fixed(v, 0) + (Number.isFinite(v) ? '.' : '');
    else s = fixed(v, PRECISION);
    return s.padStart(this.maxWidth, ' ');
  }
}

/** The values `_Formatter` looks at: all of them, or the edge items when summarising. */
function summarizedValues(t: Tensor, summarize: boolean): number[] {
  if (!summarize) return Array.from(t.data);
  const out: number[] = [];
  const rec = (d: number, off: number): void => {
    const stride = t.shape.slice(d + 1).reduce((a, b) => a * b, 1);
    const n = t.shape[d]!;
    const idx = n > 2 * EDGEITEMS
      ? [...Array.from({ length: EDGEITEMS }, (_, i) => i), ...Array.from({ length: EDGEITEMS }, (_, i) => n - EDGEITEMS + i)]
      : Array.from({ length: n }, (_, i) => i);
    for (const i of idx) {
      if (d === t.ndim - 1) out.push(t.data[off + i]!);
      else rec(d + 1, off + i * stride);
    }
  };
  if (t.ndim > 0) rec(0, 0);
  return out;
}

function body(t: Tensor, indent: number, summarize: boolean, fmt: Formatter): string {
  if (t.ndim === 0) return fmt.format(t.data[0]!);
  const rec = (d: number, off: number, ind: number): string => {
    const n = t.shape[d]!;
    const stride = t.shape.slice(d + 1).reduce((a, b) => a * b, 1);
    const useSummary = summarize && n > 2 * EDGEITEMS;
    if (d === t.ndim - 1) {
      const elementLength = fmt.maxWidth + 2;
      const perLine = Math.max(1, Math.floor((LINEWIDTH - ind) / elementLength));
      const vals = useSummary
        ? [...Array.from({ length: EDGEITEMS }, (_, i) => fmt.format(t.data[off + i]!)), ' ...',
           ...Array.from({ length: EDGEITEMS }, (_, i) => fmt.format(t.data[off + n - EDGEITEMS + i]!))]
        : Array.from({ length: n }, (_, i) => fmt.format(t.data[off + i]!));
      const lines: string[] = [];
      for (let i = 0; i < vals.length; i += perLine) lines.push(vals.slice(i, i + perLine).join(', '));
      return '[' + lines.join(',\n' + ' '.repeat(ind + 1)) + ']';
    }
    const parts = useSummary
      ? [...Array.from({ length: EDGEITEMS }, (_, i) => rec(d + 1, off + i * stride, ind + 1)), '...',
         ...Array.from({ length: EDGEITEMS }, (_, i) => rec(d + 1, off + (n - EDGEITEMS + i) * stride, ind + 1))]
      : Array.from({ length: n }, (_, i) => rec(d + 1, off + i * stride, ind + 1));
    return '[' + parts.join(',' + '\n'.repeat(t.ndim - d - 1) + ' '.repeat(ind + 1)) + ']';
  };
  return rec(0, 0, indent);
}

/** `tensor([[19., 25.],\n        [37., 43.]])`, with `requires_grad=True` / `grad_fn=<...>` suffixes. */
export function formatTensor(t: Tensor): string {
  const prefix = 'tensor(';
  const indent = prefix.length;
  const suffixes: string[] = [];
  let inner: string;
  if (t.numel() === 0) {
    inner = '[]';
    if (t.ndim !== 1) suffixes.push(`size=(${t.shape.join(', ')}${t.ndim === 1 ? ',' : ''})`);
  } else {
    const summarize = t.numel() > THRESHOLD;
    const fmt = new Formatter(t.dtype === 'float32', t.dtype === 'bool', summarizedValues(t, summarize));
    inner = body(t, indent, summarize, fmt);
  }
  if (t.dtype === 'bool' && t.numel() === 0) suffixes.push('dtype=torch.bool');
  if (t.gradFn !== null) suffixes.push(`grad_fn=<${t.gradFn.name}>`);
  else if (t.requiresGrad) suffixes.push('requires_grad=True');
  return prefix + inner + suffixes.map((s) => ', ' + s).join('') + ')';
}
