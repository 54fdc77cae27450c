/**
 * Element types. float32 is the default; int32 stands in for PyTorch's int64 (labels, indices);
 * bool holds masks from comparisons.
 */
export type DType = 'float32' | 'int32' | 'bool';

import { ArgumentError } from '../util/check.js';

/** The typed array behind a tensor of each dtype. */
export type DataArray = Float32Array | Int32Array | Uint8Array;
/** @deprecated old name of DataArray. */
export type Storage = DataArray;

/** A zeroed JavaScript-heap typed array of `n` elements for `dtype` (float tensors normally live in backend storage). */
export function allocStorage(dtype: DType, n: number): DataArray {
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`cannot allocate a tensor of ${n} elements (${dtype})`);
  try {
    switch (dtype) {
      case 'float32': return new Float32Array(n);
      case 'int32': return new Int32Array(n);
      case 'bool': return new Uint8Array(n);
    }
  } catch (e) {
    // V8's bare "RangeError: Invalid typed array length" does not say which tensor or how big.
    throw new Error(`cannot allocate a tensor of ${n} elements (${dtype}, ${dtype === 'bool' ? n : 4 * n} bytes): ${(e as Error).message}`);
  }
}

/** The dtype whose storage class matches a typed array. */
export function dtypeOfStorage(s: DataArray): DType {
  if (s instanceof Float32Array) return 'float32';
  if (s instanceof Int32Array) return 'int32';
  return 'bool';
}

/** Result type of arithmetic on two dtypes (PyTorch's promotion, restricted to our three types). */
export function promoteTypes(a: DType, b: DType): DType {
  if (a === 'float32' || b === 'float32') return 'float32';
  if (a === 'int32' || b === 'int32') return 'int32';
  return 'bool';
}

/** PyTorch's name for our dtype, for messages and printing. */
export function torchDtypeName(d: DType): string {
  return d === 'float32' ? 'torch.float32' : d === 'int32' ? 'torch.int64' : 'torch.bool';
}

/** Our dtypes, for argument checks. */
export const DTYPES: readonly DType[] = ['float32', 'int32', 'bool'];

// PyTorch spellings a user will try, and what to use instead.
const DTYPE_HINTS: Record<string, string> = {
  int64: "use 'int32', which stands in for PyTorch's int64 (labels, indices)", long: "use 'int32', which stands in for PyTorch's int64",
  'torch.int64': "use 'int32', which stands in for PyTorch's int64", int: "use 'int32'", int16: "use 'int32'", int8: "use 'int32'", uint8: "use 'int32' (or 'bool' for masks)",
  float64: "there is no float64; use 'float32'", double: "there is no float64; use 'float32'", float16: "use 'float32'", half: "use 'float32'",
  bfloat16: "use 'float32'", float: "use 'float32'", 'torch.float32': "use 'float32'", boolean: "use 'bool'",
};

/** `v` as a DType, or an error naming `fn` and what to use instead: `tensor: unknown dtype 'int64' (use 'int32', …)`. */
export function checkDtype(fn: string, v: unknown): DType {
  if (typeof v === 'string' && (DTYPES as readonly string[]).includes(v)) return v as DType;
  const hint = typeof v === 'string' ? DTYPE_HINTS[v] : undefined;
  const shown = typeof v === 'string' ? `'${v}'` : typeof v === 'object' && v !== null ? 'an object' : String(v);
  throw new ArgumentError(fn, 'dtype', `unknown dtype ${shown} (${hint ?? `the dtypes are ${DTYPES.map((d) => `'${d}'`).join(', ')}`})`);
}
