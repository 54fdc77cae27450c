/** Python-style value formatting for module reprs, so `toString()` matches PyTorch's printout. */

/** A number as Python's repr(float) writes it: 1e-05, 0.1, 1.0, None for null. */
export function pyFloat(v: number | null): string {
  if (v === null) return 'None';
  if (Number.isInteger(v) && Math.abs(v) < 1e16) return `${v}.0`;
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-4 || a >= 1e16)) {
    // JS writes 1e-5; Python pads the exponent to two digits: 1e-05.
    return v.toExponential().replace(/e([+-])(\d)$/, 'e$10$2');
  }
  return String(v);
}

/** Python's True/False. */
export function pyBool(b: boolean): string {
  return b ? 'True' : 'False';
}
