/**
 * A restricted pickle reader: the data-only subset of the pickle protocols (0–5) that torch.save
 * writes for state dicts, with torch.load(weights_only=True)'s rule for code: a GLOBAL is looked up
 * in a fixed table the caller passes (`globals`), and every other name — and every opcode that
 * builds arbitrary objects (INST, OBJ, NEWOBJ, EXT*, text PERSID, …) — is rejected with a
 * FormatError naming it. The table holds TypeScript functions, so nothing a file names can run
 * anything but those. The reader is iterative (no recursion, so deep nesting cannot overflow the
 * stack), checks every length against the bytes left, and does O(1) work per byte read, except
 * opcodes that pop k stack items, which do O(k) — each item was pushed by an earlier opcode — so
 * time and memory stay linear in the input.
 */
import { FormatError } from './format-error.js';

/** A Python tuple, list or dict as read: tuples and lists become arrays, dicts Maps. */
export type PickleKey = string | number | bigint | boolean | null;

/** What a GLOBAL from the allow-list becomes on the stack; REDUCE calls `call` with the argument tuple. */
export class PickleGlobal {
  constructor(readonly name: string, readonly call: ((args: unknown[], at: number) => unknown) | null) {}
}

/** The reader's policy: the allowed globals by dotted name, and how to resolve persistent ids (BINPERSID). */
export interface PickleOptions {
  /** 'module.name' → implementation (null: may be named, e.g. as a storage type, but not called). */
  globals: Readonly<Record<string, ((args: unknown[], at: number) => unknown) | null>>;
  /** Resolves a persistent id (torch's ('storage', type, key, location, numel) tuples). */
  persistentLoad?: (pid: unknown, at: number) => unknown;
  /** Added to byte positions in errors (the pickle's offset inside the file). */
  baseOffset?: number;
  /** Names the pickle inside the file in errors (e.g. 'archive/data.pkl'). */
  what?: string;
}

const OPNAMES: Record<number, string> = {
  0x28: 'MARK', 0x2e: 'STOP', 0x30: 'POP', 0x31: 'POP_MARK', 0x32: 'DUP', 0x46: 'FLOAT', 0x49: 'INT', 0x4a: 'BININT',
  0x4b: 'BININT1', 0x4c: 'LONG', 0x4d: 'BININT2', 0x4e: 'NONE', 0x50: 'PERSID', 0x51: 'BINPERSID', 0x52: 'REDUCE',
  0x53: 'STRING', 0x54: 'BINSTRING', 0x55: 'SHORT_BINSTRING', 0x56: 'UNICODE', 0x58: 'BINUNICODE', 0x61: 'APPEND',
  0x62: 'BUILD', 0x63: 'GLOBAL', 0x64: 'DICT', 0x7d: 'EMPTY_DICT', 0x65: 'APPENDS', 0x67: 'GET', 0x68: 'BINGET',
  0x69: 'INST', 0x6a: 'LONG_BINGET', 0x6c: 'LIST', 0x5d: 'EMPTY_LIST', 0x6f: 'OBJ', 0x70: 'PUT', 0x71: 'BINPUT',
  0x72: 'LONG_BINPUT', 0x73: 'SETITEM', 0x74: 'TUPLE', 0x29: 'EMPTY_TUPLE', 0x75: 'SETITEMS', 0x47: 'BINFLOAT',
  0x80: 'PROTO', 0x81: 'NEWOBJ', 0x82: 'EXT1', 0x83: 'EXT2', 0x84: 'EXT4', 0x85: 'TUPLE1', 0x86: 'TUPLE2',
  0x87: 'TUPLE3', 0x88: 'NEWTRUE', 0x89: 'NEWFALSE', 0x8a: 'LONG1', 0x8b: 'LONG4', 0x42: 'BINBYTES',
  0x43: 'SHORT_BINBYTES', 0x8c: 'SHORT_BINUNICODE', 0x8d: 'BINUNICODE8', 0x8e: 'BINBYTES8', 0x8f: 'EMPTY_SET',
  0x90: 'ADDITEMS', 0x91: 'FROZENSET', 0x92: 'NEWOBJ_EX', 0x93: 'STACK_GLOBAL', 0x94: 'MEMOIZE', 0x95: 'FRAME',
  0x96: 'BYTEARRAY8', 0x97: 'NEXT_BUFFER', 0x98: 'READONLY_BUFFER',
};

/** Longest integer accepted from LONG4 (bytes): far more than any size, stride or offset needs. */
const MAX_LONG_BYTES = 64;
/** Longest GLOBAL module or name line. */
const MAX_NAME = 1024;

const MARK = Symbol('mark');

/** Read one pickle from `bytes` under `opts`' allow-list; `source` names the file in errors. */
export function unpickle(bytes: Uint8Array, source: string, opts: PickleOptions): unknown {
  const base = opts.baseOffset ?? 0;
  const what = opts.what ?? 'pickle';
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  const stack: unknown[] = [];
  const marks: number[] = [];
  const memo = new Map<number, unknown>();
  let pos = 0, at = 0;

  const fail = (msg: string, where = at): never => {
    throw new FormatError(source, base + where, `${what} byte ${where}: ${msg}`);
  };
  const need = (n: number, thing: string): void => {
    if (n < 0 || pos + n > bytes.length) fail(`truncated: ${thing} needs ${n} bytes but only ${bytes.length - pos} remain`, pos);
  };
  const u8 = (): number => { need(1, 'an operand'); return bytes[pos++]!; };
  const u16 = (): number => { need(2, 'an operand'); const v = view.getUint16(pos, true); pos += 2; return v; };
  const u32 = (): number => { need(4, 'an operand'); const v = view.getUint32(pos, true); pos += 4; return v; };
  const i32 = (): number => { need(4, 'an operand'); const v = view.getInt32(pos, true); pos += 4; return v; };
  const u64 = (): number => {
    need(8, 'an operand');
    const v = view.getBigUint64(pos, true);
    pos += 8;
    if (v > BigInt(bytes.length)) fail(`declared length ${v} is longer than the whole ${what}`);
    return Number(v);
  };
  const take = (n: number, thing: string): Uint8Array => { need(n, thing); const s = bytes.subarray(pos, pos + n); pos += n; return s; };
  const text = (n: number, thing: string): string => {
    const s = take(n, thing);
    try {
      return utf8.decode(s);
    } catch {
      return fail(`${thing} is not valid UTF-8`);
    }
  };
  const line = (thing: string): string => {
    const end = bytes.indexOf(0x0a, pos);
    if (end < 0 || end - pos > MAX_NAME) fail(`${thing} is not a newline-terminated name of at most ${MAX_NAME} bytes`, pos);
    const s = new TextDecoder('latin1').decode(bytes.subarray(pos, end));
    pos = end + 1;
    return s;
  };
  const pop = (): unknown => {
    if (stack.length === 0 || (marks.length > 0 && stack.length <= marks[marks.length - 1]!)) fail('stack underflow');
    const v = stack.pop();
    if (v === MARK) fail('stack underflow');
    return v;
  };
  const top = (): unknown => {
    if (stack.length === 0 || (marks.length > 0 && stack.length <= marks[marks.length - 1]!)) fail('stack underflow');
    return stack[stack.length - 1];
  };
  const popMark = (): unknown[] => {
    const m = marks.pop();
    if (m === undefined) return fail('no MARK on the stack');
    const items = stack.splice(m + 1);
    stack.pop(); // the MARK itself
    return items;
  };
  const long = (b: Uint8Array): number | bigint => {
    if (b.length === 0) return 0;
    let v = 0n;
    for (let i = b.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]!);
    if (b[b.length - 1]! & 0x80) v -= 1n << BigInt(8 * b.length);
    return Number.isSafeInteger(Number(v)) && BigInt(Number(v)) === v ? Number(v) : v;
  };
  const global = (module: string, name: string): PickleGlobal => {
    const full = `${module}.${name}`;
    if (!Object.prototype.hasOwnProperty.call(opts.globals, full)) {
      fail(`global '${full}' is not allowed: only state dicts (tensors in dicts) can be loaded, as torch.load(weights_only=True) ` +
           'does — save the model with torch.save(model.state_dict(), path)');
    }
    return new PickleGlobal(full, opts.globals[full]!);
  };
  const memoIndex = (s: string): number => (/^\d{1,10}$/.test(s) ? Number(s) : fail(`memo index '${s.slice(0, 20)}' is not a number`));
  const setItems = (d: unknown, items: unknown[]): void => {
    if (!(d instanceof Map)) fail(`SETITEM(S) on a ${typeName(d)}, not a dict`);
    const m = d as Map<PickleKey, unknown>;
    for (let i = 0; i + 1 < items.length; i += 2) m.set(key(items[i]), items[i + 1]);
    if (items.length % 2 !== 0) fail('SETITEMS with an odd number of items');
  };
  const key = (k: unknown): PickleKey => {
    if (k === null || ['string', 'number', 'bigint', 'boolean'].includes(typeof k)) return k as PickleKey;
    return fail(`dict key of type ${typeName(k)} is not supported (only str, int, float, bool and None keys)`);
  };
  const append = (l: unknown, items: unknown[]): void => {
    if (!Array.isArray(l) || Object.isFrozen(l)) fail(`APPEND(S) on a ${typeName(l)}, not a list`);
    // A loop, not push(...items): a huge APPENDS would overflow the argument limit.
    for (const v of items) (l as unknown[]).push(v);
  };

  for (;;) {
    at = pos;
    if (pos >= bytes.length) fail(`truncated: the ${what} ends without a STOP opcode`, pos);
    const op = bytes[pos++]!;
    switch (op) {
      case 0x80: { const v = u8(); if (v > 5) fail(`pickle protocol ${v} is newer than 5`); break; } // PROTO
      case 0x95: u64(); break; // FRAME: a length hint only
      case 0x2e: return stack.length > 0 ? pop() : fail('STOP on an empty stack'); // STOP
      case 0x28: marks.push(stack.length); stack.push(MARK); break; // MARK
      case 0x30: if (stack.length > 0 && stack[stack.length - 1] === MARK) { stack.pop(); marks.pop(); } else pop(); break; // POP
      case 0x31: popMark(); break; // POP_MARK
      case 0x32: stack.push(top()); break; // DUP
      case 0x4e: stack.push(null); break; // NONE
      case 0x88: stack.push(true); break; // NEWTRUE
      case 0x89: stack.push(false); break; // NEWFALSE
      case 0x4a: stack.push(i32()); break; // BININT
      case 0x4b: stack.push(u8()); break; // BININT1
      case 0x4d: stack.push(u16()); break; // BININT2
      case 0x8a: stack.push(long(take(u8(), 'LONG1 digits'))); break; // LONG1
      case 0x8b: { // LONG4
        const n = i32();
        if (n < 0 || n > MAX_LONG_BYTES) fail(`LONG4 integer of ${n} bytes is out of range (at most ${MAX_LONG_BYTES})`);
        stack.push(long(take(n, 'LONG4 digits')));
        break;
      }
      case 0x47: { need(8, 'BINFLOAT'); stack.push(view.getFloat64(pos, false)); pos += 8; break; } // BINFLOAT (big-endian)
      case 0x58: stack.push(text(u32(), 'BINUNICODE string')); break;
      case 0x8c: stack.push(text(u8(), 'SHORT_BINUNICODE string')); break;
      case 0x8d: stack.push(text(u64(), 'BINUNICODE8 string')); break;
      case 0x54: { const n = i32(); if (n < 0) fail('BINSTRING with a negative length'); stack.push(new TextDecoder('latin1').decode(take(n, 'BINSTRING'))); break; }
      case 0x55: stack.push(new TextDecoder('latin1').decode(take(u8(), 'SHORT_BINSTRING'))); break;
      case 0x42: stack.push(new Uint8Array(take(u32(), 'BINBYTES'))); break;
      case 0x43: stack.push(new Uint8Array(take(u8(), 'SHORT_BINBYTES'))); break;
      case 0x8e: stack.push(new Uint8Array(take(u64(), 'BINBYTES8'))); break;
      case 0x29: stack.push([]); break; // EMPTY_TUPLE
      case 0x74: stack.push(popMark()); break; // TUPLE
      case 0x85: stack.push([pop()]); break; // TUPLE1
      case 0x86: { const b = pop(), a = pop(); stack.push([a, b]); break; } // TUPLE2
      case 0x87: { const c = pop(), b = pop(), a = pop(); stack.push([a, b, c]); break; } // TUPLE3
      case 0x5d: stack.push([]); break; // EMPTY_LIST
      case 0x6c: stack.push(popMark()); break; // LIST
      case 0x61: { const v = pop(); append(top(), [v]); break; } // APPEND
      case 0x65: { const items = popMark(); append(top(), items); break; } // APPENDS
      case 0x7d: stack.push(new Map()); break; // EMPTY_DICT
      case 0x64: { const items = popMark(); const d = new Map(); setItems(d, items); stack.push(d); break; } // DICT
      case 0x73: { const v = pop(), k = pop(); setItems(top(), [k, v]); break; } // SETITEM
      case 0x75: { const items = popMark(); setItems(top(), items); break; } // SETITEMS
      case 0x70: memo.set(memoIndex(line('PUT index')), top()); break; // PUT
      case 0x71: memo.set(u8(), top()); break; // BINPUT
      case 0x72: memo.set(u32(), top()); break; // LONG_BINPUT
      case 0x94: memo.set(memo.size, top()); break; // MEMOIZE
      case 0x67: case 0x68: case 0x6a: { // GET, BINGET, LONG_BINGET
        const i = op === 0x67 ? memoIndex(line('GET index')) : op === 0x68 ? u8() : u32();
        if (!memo.has(i)) fail(`memo entry ${i} was never stored`);
        stack.push(memo.get(i));
        break;
      }
      case 0x63: { const module = line('GLOBAL module'); const name = line('GLOBAL name'); stack.push(global(module, name)); break; }
      case 0x93: { // STACK_GLOBAL
        const name = pop(), module = pop();
        if (typeof module !== 'string' || typeof name !== 'string') fail('STACK_GLOBAL needs two strings');
        stack.push(global(module as string, name as string));
        break;
      }
      case 0x52: { // REDUCE
        const args = pop(), fn = pop();
        if (!(fn instanceof PickleGlobal)) return fail(`REDUCE on a ${typeName(fn)}, not an allowed global`);
        if (fn.call === null) return fail(`global '${fn.name}' cannot be called`);
        if (!Array.isArray(args)) return fail(`REDUCE arguments for '${fn.name}' are a ${typeName(args)}, not a tuple`);
        stack.push(fn.call(args, base + at));
        break;
      }
      case 0x62: { // BUILD: only a dict's attributes (OrderedDict's _metadata), which are dropped
        const state = pop();
        const obj = top();
        if (!(obj instanceof Map)) fail(`BUILD on a ${typeName(obj)} (only an OrderedDict's attributes are accepted)`);
        if (!(state instanceof Map) && !(Array.isArray(state) && state.length === 2)) fail(`BUILD state is a ${typeName(state)}`);
        break;
      }
      case 0x51: { // BINPERSID
        const pid = pop();
        if (opts.persistentLoad === undefined) fail('persistent ids are not allowed here');
        stack.push(opts.persistentLoad!(pid, base + at));
        break;
      }
      default:
        fail(`opcode 0x${op.toString(16).padStart(2, '0')}${OPNAMES[op] ? ` (${OPNAMES[op]})` : ''} is not allowed: ` +
             'it builds objects other than the tensors, dicts, lists, tuples, strings and numbers of a state dict');
    }
  }
}

/** A value's kind in Python's words, for messages (never its contents, which may be huge or self-referential). */
export function typeName(v: unknown): string {
  if (v === null) return 'None';
  if (v === MARK) return 'MARK';
  if (Array.isArray(v)) return 'tuple/list';
  if (v instanceof Map) return 'dict';
  if (v instanceof Uint8Array) return 'bytes';
  if (v instanceof PickleGlobal) return `global '${v.name}'`;
  if (typeof v === 'object') return (v as object).constructor?.name ?? 'object';
  return ({ string: 'str', number: 'number', bigint: 'int', boolean: 'bool' } as Record<string, string>)[typeof v] ?? typeof v;
}
