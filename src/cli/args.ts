import { didYouMean } from '../util/check.js';

/**
 * A small, strict argv parser: `--flag value`, `--flag=value` and boolean `--flag`; unknown flags,
 * missing values and malformed numbers are errors that name the flag and the value.
 */

/** How a flag's value is parsed ('shape' is comma-separated positive integers like 1,1,28,28). */
export type FlagType = 'int' | 'float' | 'string' | 'bool' | 'shape';

/** One option: its type, help text, placeholder, bounds, allowed values and the help section it is listed under. */
export interface FlagSpec {
  type: FlagType; help: string; metavar?: string; min?: number; max?: number; choices?: readonly string[];
  /** Heading in `convnet <command> --help` (options without one are listed under 'options'). */
  section?: string;
}

/** A parsed option value. */
export type FlagValue = number | string | boolean | number[];

/** Positional arguments in order and the options given (by name without dashes). */
export interface ParsedArgs { positionals: string[]; flags: Map<string, FlagValue> }

/** A user error: the CLI prints it with usage advice and exits with status 2. */
export class UsageError extends Error {
  constructor(message: string) { super(message); this.name = 'UsageError'; }
}

/** Parse `argv` against `specs` (flag name without dashes → spec). */
export function parseArgs(argv: readonly string[], specs: Readonly<Record<string, FlagSpec>>): ParsedArgs {
  const positionals: string[] = [];
  const flags = new Map<string, FlagValue>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') { positionals.push(...argv.slice(i + 1)); break; }
    if (!a.startsWith('--') || a === '--') {
      if (a.startsWith('-') && a.length > 1 && !/^-\d/.test(a)) throw new UsageError(`unknown option '${a}'`);
      positionals.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const name = eq >= 0 ? a.slice(2, eq) : a.slice(2);
    const spec = specs[name];
    if (spec === undefined) {
      const close = didYouMean(name, Object.keys(specs));
      const near = close !== undefined ? [close] : Object.keys(specs).filter((k) => name.length >= 3 && k.startsWith(name.slice(0, 3)));
      throw new UsageError(`unknown option '--${name}'${near.length ? ` (did you mean ${near.map((k) => `--${k}`).join(', ')}?)` : ''}`);
    }
    if (spec.type === 'bool') {
      if (eq >= 0) throw new UsageError(`option --${name} takes no value`);
      flags.set(name, true);
      continue;
    }
    let raw: string | undefined;
    if (eq >= 0) raw = a.slice(eq + 1);
    else { raw = argv[i + 1]; i++; }
    if (raw === undefined || (eq < 0 && raw.startsWith('--'))) throw new UsageError(`option --${name} needs a value (${spec.metavar ?? spec.type})`);
    flags.set(name, convert(name, spec, raw));
  }
  return { positionals, flags };
}

function convert(name: string, spec: FlagSpec, raw: string): FlagValue {
  const bad = (what: string): UsageError => new UsageError(`option --${name}: '${raw}' is not ${what}`);
  switch (spec.type) {
    case 'int': {
      if (!/^-?\d+$/.test(raw.trim())) throw bad('an integer');
      const v = Number(raw);
      if (spec.min !== undefined && v < spec.min) throw bad(`an integer >= ${spec.min}`);
      if (spec.max !== undefined && v > spec.max) throw bad(`an integer <= ${spec.max}`);
      return v;
    }
    case 'float': {
      const v = Number(raw);
      if (raw.trim() === '' || !Number.isFinite(v)) throw bad('a number');
      if (spec.min !== undefined && v < spec.min) throw bad(`a number >= ${spec.min}`);
      return v;
    }
    case 'shape': {
      const parts = raw.split(/[,x]/).map((s) => s.trim());
      if (parts.length === 0 || parts.some((p) => !/^\d+$/.test(p) || Number(p) < 1)) throw bad('a shape like 1,1,28,28');
      return parts.map(Number);
    }
    case 'string':
      if (spec.choices !== undefined && !spec.choices.includes(raw)) throw bad(`one of ${spec.choices.join(', ')}`);
      return raw;
    case 'bool':
      return true;
  }
}

/** Typed accessors over parsed flags. */
export class Flags {
  constructor(private readonly m: Map<string, FlagValue>) {}
  has(k: string): boolean { return this.m.has(k); }
  num(k: string): number | undefined { const v = this.m.get(k); return typeof v === 'number' ? v : undefined; }
  str(k: string): string | undefined { const v = this.m.get(k); return typeof v === 'string' ? v : undefined; }
  bool(k: string): boolean { return this.m.get(k) === true; }
  shape(k: string): number[] | undefined { const v = this.m.get(k); return Array.isArray(v) ? v : undefined; }
}

/** The help text: `  --name VALUE   help` rows under their sections' headings, in table order. */
export function formatFlags(specs: Readonly<Record<string, FlagSpec>>): string {
  const rows = Object.entries(specs).map(([k, s]) => [`--${k}${s.type === 'bool' ? '' : ` ${s.metavar ?? s.type.toUpperCase()}`}`, s.help, s.section ?? 'options'] as const);
  const w = Math.max(...rows.map(([a]) => a.length)) + 2;
  const sections = [...new Set(rows.map(([, , sec]) => sec))];
  return sections.map((sec) => `${sec}:\n${rows.filter((r) => r[2] === sec).map(([a, h]) => `  ${a.padEnd(w)}${h}`).join('\n')}`).join('\n\n');
}
