/**
 * Argument checks for the public boundary (tensor factories, nn constructors, F functions, losses,
 * optimisers, data loaders). Plain JavaScript callers get no compiler, so a misspelt option key,
 * a PyTorch positional argument or a wrong type must be an error that names the function and the
 * argument, never silently ignored. This file imports nothing, so every layer can use it.
 */

/** A bad argument to a public function; `fn` is what the user called, `arg` the argument at fault. */
export class ArgumentError extends TypeError {
  constructor(readonly fn: string, readonly arg: string, detail: string) {
    super(`${fn}: ${detail}`);
    this.name = 'ArgumentError';
  }
}

/** Short description of a value for messages: `a number (5)`, `an array of length 4`, `a Tensor of shape [3]`. */
export function describe(v: unknown): string {
  if (v === undefined) return 'undefined';
  if (v === null) return 'null';
  if (typeof v === 'number') return `a number (${v})`;
  if (typeof v === 'string') return `a string (${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)})`;
  if (typeof v === 'boolean') return `a boolean (${v})`;
  if (typeof v === 'bigint') return `a bigint (${v})`;
  if (typeof v === 'function') return 'a function';
  if (Array.isArray(v)) return `an array of length ${v.length}`;
  if (ArrayBuffer.isView(v)) return `a ${Object.prototype.toString.call(v).slice(8, -1)} of length ${(v as unknown as ArrayLike<number>).length}`;
  if (isTensorLike(v)) return `a Tensor of shape [${v.shape.join(', ')}] (${v.dtype})`;
  return isPlainObject(v) ? 'an object' : `an object (${Object.prototype.toString.call(v).slice(8, -1)})`;
}

/** Duck-typed Tensor check (this layer cannot import Tensor). */
export function isTensorLike(v: unknown): v is { shape: readonly number[]; dtype: string } {
  return typeof v === 'object' && v !== null && Array.isArray((v as { shape?: unknown }).shape) && typeof (v as { dtype?: unknown }).dtype === 'string';
}

/** An object literal (or null-prototype object), not an array, tensor, typed array, Map, … */
export function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null) return false;
  const p = Object.getPrototypeOf(v) as unknown;
  return p === Object.prototype || p === null;
}

/** Edit distance counting an adjacent swap as one edit (optimal string alignment): 'bais' is 1 from 'bias'. */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}

const camel = (s: string): string => s.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

/** The candidate a typo most likely meant (PyTorch's snake_case spelling counts as a match), or undefined. */
export function didYouMean(word: string, candidates: readonly string[]): string | undefined {
  const w = camel(word).toLowerCase();
  let best: string | undefined, bestD = Infinity;
  for (const c of candidates) {
    const d = editDistance(w, c.toLowerCase());
    if (d < bestD) { best = c; bestD = d; }
  }
  return best !== undefined && bestD <= Math.max(1, Math.floor(word.length / 3)) ? best : undefined;
}

/**
 * `opts` as an options object whose keys are all in `allowed` (undefined/null give {}). Anything
 * else is an ArgumentError: `nn.MaxPool2d: unknown option 'strides' (did you mean 'stride'?)`.
 */
export function checkOptions<T extends object>(fn: string, opts: unknown, allowed: readonly string[], arg = 'options'): Partial<T> {
  if (opts === undefined || opts === null) return {};
  if (!isPlainObject(opts)) {
    throw new ArgumentError(fn, arg, `${arg} must be an object like { ${allowed.slice(0, 2).join(', ')} }, got ${describe(opts)}`);
  }
  for (const k of Object.keys(opts)) {
    if (allowed.includes(k)) continue;
    const near = didYouMean(k, allowed);
    const hint = near !== undefined ? ` (did you mean '${near}'?)` : allowed.length > 0 ? ` (valid: ${allowed.join(', ')})` : ' (it takes none)';
    throw new ArgumentError(fn, k, `unknown option '${k}'${hint}`);
  }
  return opts as Partial<T>;
}

/**
 * PyTorch-style positional arguments merged with a trailing options object: `args` are what came
 * after the required arguments, `names` the positional names in PyTorch's order. The last element
 * is the options object when it is a plain object. An argument given both ways, or more
 * positionals than names, is an error. `undefined` positionals count as absent.
 */
export function mergeArgs(fn: string, args: readonly unknown[], names: readonly string[], allowed: readonly string[]): Record<string, unknown> {
  let pos = args;
  let opts: Record<string, unknown> = {};
  const last = args[args.length - 1];
  if (args.length > 0 && (isPlainObject(last) || last === undefined)) {
    opts = { ...checkOptions<Record<string, unknown>>(fn, last, allowed) };
    pos = args.slice(0, -1);
  }
  if (pos.length > names.length) {
    throw new ArgumentError(fn, 'arguments', `takes at most ${names.length} positional argument(s) here (${names.join(', ')}), got ${pos.length}: ` +
      `${pos.map(describe).join(', ')}`);
  }
  pos.forEach((v, i) => {
    if (v === undefined) return;
    const name = names[i]!;
    if (opts[name] !== undefined) throw new ArgumentError(fn, name, `${name} given twice (as positional argument ${i + 1} and in the options)`);
    // Objects where a positional value belongs are almost always a misplaced options object.
    if (isPlainObject(v)) throw new ArgumentError(fn, name, `positional argument ${i + 1} (${name}) is an object; options go last`);
    opts[name] = v;
  });
  return opts;
}

/** `v` as an integer in [min, max]. */
export function expectInt(fn: string, arg: string, v: unknown, min = -Infinity, max = Infinity): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    const range = min === -Infinity ? (max === Infinity ? '' : ` <= ${max}`) : max === Infinity ? ` >= ${min}` : ` in [${min}, ${max}]`;
    throw new ArgumentError(fn, arg, `${arg} must be an integer${range}, got ${describe(v)}`);
  }
  return v;
}

/** `v` as a finite number in [min, max]. */
export function expectNumber(fn: string, arg: string, v: unknown, min = -Infinity, max = Infinity): number {
  if (typeof v !== 'number' || Number.isNaN(v) || v < min || v > max) {
    const range = min === -Infinity ? (max === Infinity ? '' : ` <= ${max}`) : max === Infinity ? ` >= ${min}` : ` in [${min}, ${max}]`;
    throw new ArgumentError(fn, arg, `${arg} must be a number${range}, got ${describe(v)}`);
  }
  return v;
}

/** `v` as a boolean. */
export function expectBool(fn: string, arg: string, v: unknown): boolean {
  if (typeof v !== 'boolean') throw new ArgumentError(fn, arg, `${arg} must be true or false, got ${describe(v)}`);
  return v;
}

/** `v` as one of `choices`. */
export function expectOneOf<T extends string>(fn: string, arg: string, v: unknown, choices: readonly T[]): T {
  if (typeof v !== 'string' || !(choices as readonly string[]).includes(v)) {
    const near = typeof v === 'string' ? didYouMean(v, choices) : undefined;
    throw new ArgumentError(fn, arg, `${arg} must be one of ${choices.map((c) => `'${c}'`).join(', ')}, got ${describe(v)}` +
      `${near !== undefined ? ` (did you mean '${near}'?)` : ''}`);
  }
  return v as T;
}

/** An integer >= min, or `n` of them in an array (PyTorch's int-or-tuple arguments such as kernel_size). */
export function expectIntOrTuple(fn: string, arg: string, v: unknown, n: number, min: number): number | number[] {
  const ok = (e: unknown): boolean => typeof e === 'number' && Number.isInteger(e) && e >= min;
  if (ok(v)) return v as number;
  if (Array.isArray(v) && v.length === n && v.every(ok)) return v as number[];
  const what = min > 0 ? 'a positive integer' : min === 0 ? 'a non-negative integer' : 'an integer';
  throw new ArgumentError(fn, arg, `${arg} must be ${what}${n > 1 ? ` or ${n} of them` : ''}, got ${Array.isArray(v) ? JSON.stringify(v) : describe(v)}`);
}

/** `v` must be a Tensor (duck-typed), e.g. `F.crossEntropy: target must be a Tensor, got an array of length 4`. */
export function expectTensor<T>(fn: string, arg: string, v: T, hint = ''): T {
  if (!isTensorLike(v)) throw new ArgumentError(fn, arg, `${arg} must be a Tensor, got ${describe(v)}${hint}`);
  return v;
}

/** Reject extra positional arguments a plain JavaScript caller passed (`new nn.ReLU(true)`). */
export function noExtraArgs(fn: string, args: readonly unknown[], from: number, what: string): void {
  if (args.length > from && args.slice(from).some((a) => a !== undefined)) {
    throw new ArgumentError(fn, 'arguments', `takes ${what}, got ${args.length} argument(s): ${args.map(describe).join(', ')}`);
  }
}

/** A value as short JSON-ish text for messages; safe on deeply nested or huge values (never throws). */
export function brief(v: unknown, max = 60): string {
  const walk = (x: unknown, depth: number): string => {
    if (Array.isArray(x)) {
      if (depth > 3) return '[…]';
      const items = x.slice(0, 8).map((e) => walk(e, depth + 1));
      return `[${items.join(',')}${x.length > 8 ? ',…' : ''}]`;
    }
    if (typeof x === 'object' && x !== null) {
      if (depth > 3) return '{…}';
      const keys = Object.keys(x).slice(0, 6);
      return `{${keys.map((k) => `${JSON.stringify(k)}:${walk((x as Record<string, unknown>)[k], depth + 1)}`).join(',')}${Object.keys(x).length > 6 ? ',…' : ''}}`;
    }
    if (typeof x === 'string') return JSON.stringify(x.length > max ? `${x.slice(0, max)}…` : x);
    return x === undefined ? 'undefined' : typeof x === 'bigint' ? `${x}n` : String(x);
  };
  const s = walk(v, 0);
  return s.length > max ? `${s.slice(0, max)}…` : s;
}
