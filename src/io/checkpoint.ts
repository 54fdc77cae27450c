/**
 * Training checkpoints as safetensors files that PyTorch can read.
 *
 * Layout:
 * - Model tensors under their `stateDict()` names with PyTorch's layouts (`net.0.weight` F32
 *   [6, 1, 5, 5], …); int32 buffers such as BatchNorm's `num_batches_tracked` are stored as I64,
 *   as PyTorch keeps them. `torch.load_state_dict(load_file(path))` works after dropping the keys
 *   that start with `__optimizer__.` (see scripts/fixtures/check_lenet_checkpoint.py).
 * - Optimiser state tensors as `__optimizer__.state.<paramIndex>.<name>` (F32, shaped like the
 *   parameter); its hyperparameters and scalar state (step counts) as JSON in the metadata.
 * - Metadata (all strings, as the format requires): `format` = convnet-ts-checkpoint, `version`,
 *   `epoch`, `optimizer` (JSON), `rng_state` (JSON), plus any caller-given entries.
 * Files are written atomically (temp file + rename), so an interrupted save never leaves half a file.
 */
import { Tensor } from '../tensor/tensor.js';
import { getRngState } from '../tensor/rng.js';
import type { Module } from '../nn/module.js';
import type { Optimizer, OptimizerStateDict, ParamState } from '../optim/optimizer.js';
import { decodeSafetensors, encodeSafetensors, type SafetensorsEntry, type SafetensorsTensor } from './safetensors.js';
import { readFileSync } from 'node:fs';
import { brief } from '../util/check.js';
import { writeFileAtomic } from './atomic.js';
import { CheckpointMismatchError, FileFormatError } from './errors.js';

/** Tensor names under this prefix are not model weights (a PyTorch loader should skip them). */
export const OPTIMIZER_PREFIX = '__optimizer__.';
const FORMAT = 'convnet-ts-checkpoint';

/** What to store beside the model weights. */
export interface SaveCheckpointOptions {
  optimizer?: Optimizer<object>;
  /** Epochs completed so far. */
  epoch?: number;
  /** The random generator state to resume shuffling from (default: the current one; null: none). */
  rngState?: readonly number[] | null;
  /** Extra string metadata (e.g. `{model: 'lenet'}`). */
  metadata?: Record<string, string>;
}

/** Optimiser to restore (when the file has its state) and strictness for model keys. */
export interface LoadCheckpointOptions {
  optimizer?: Optimizer<object>;
  /** Missing or unexpected model keys are errors (default true); mis-shaped keys always are. */
  strict?: boolean;
  /**
   * Called with the file's metadata before any weight is copied; throw to refuse the file (the CLI
   * refuses a checkpoint whose `model` entry names another model, before listing key mismatches).
   */
  checkMetadata?: (metadata: Record<string, string>) => void;
}

/** What a checkpoint held besides the weights (null when absent, e.g. a plain PyTorch state_dict). */
export interface LoadedCheckpoint {
  epoch: number | null;
  rngState: number[] | null;
  metadata: Record<string, string>;
  missingKeys: string[];
  unexpectedKeys: string[];
}

interface OptimizerMeta { type: string; paramGroups: Record<string, unknown>[]; scalars: Record<string, Record<string, number>> }

/** Serialise `model` (and optionally optimiser, epoch, RNG state) to safetensors bytes. */
export function encodeCheckpoint(model: Module, opts: SaveCheckpointOptions = {}): Uint8Array {
  const entries: Record<string, SafetensorsEntry> = {};
  for (const [name, t] of model.stateDict()) {
    if (name.startsWith(OPTIMIZER_PREFIX)) throw new Error(`saveCheckpoint: model key '${name}' collides with the optimizer prefix`);
    entries[name] = toEntry(t, name);
  }
  const metadata: Record<string, string> = { ...(opts.metadata ?? {}), format: FORMAT, version: '1' };
  if (opts.epoch !== undefined) metadata.epoch = String(opts.epoch);
  const rng = opts.rngState === undefined ? getRngState() : opts.rngState;
  // JSON has no NaN; the cached normal spare is NaN when absent.
  if (rng !== null) metadata.rng_state = JSON.stringify(rng.map((v) => (Number.isNaN(v) ? null : v)));
  if (opts.optimizer !== undefined) {
    const sd = opts.optimizer.stateDict();
    const meta: OptimizerMeta = { type: opts.optimizer.constructor.name, paramGroups: sd.paramGroups as Record<string, unknown>[], scalars: {} };
    for (const [idx, st] of Object.entries(sd.state)) {
      for (const [k, v] of Object.entries(st)) {
        if (v instanceof Tensor) entries[`${OPTIMIZER_PREFIX}state.${idx}.${k}`] = toEntry(v, k);
        else (meta.scalars[idx] ??= {})[k] = v;
      }
    }
    metadata.optimizer = JSON.stringify(meta);
  }
  return encodeSafetensors(entries, metadata);
}

/** Write a checkpoint file atomically; see the module comment for the layout. */
export function saveCheckpoint(path: string, model: Module, opts: SaveCheckpointOptions = {}): void {
  writeFileAtomic(path, encodeCheckpoint(model, opts));
}

/**
 * Load a checkpoint (ours, or any safetensors state_dict from PyTorch) into `model` and, when given
 * and present, `optimizer`. Errors name the file and list missing, unexpected and mis-shaped keys.
 */
export function loadCheckpoint(path: string, model: Module, opts: LoadCheckpointOptions = {}): LoadedCheckpoint {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new Error(`loadCheckpoint: cannot read '${path}': ${(e as Error).message}`);
  }
  return decodeCheckpoint(bytes, model, { ...opts, source: path });
}

/** `loadCheckpoint` on bytes already in memory; `source` names them in errors. */
export function decodeCheckpoint(bytes: Uint8Array, model: Module, opts: LoadCheckpointOptions & { source?: string } = {}): LoadedCheckpoint {
  const source = opts.source ?? '<bytes>';
  const { tensors, metadata } = decodeSafetensors(bytes, source);
  const meta = metadata ?? {};
  opts.checkMetadata?.(meta);
  const modelSd = new Map<string, Tensor>();
  const optimTensors = new Map<string, Tensor>();
  for (const [name, e] of tensors) {
    const t = fromEntry(e, name, source);
    if (name.startsWith(OPTIMIZER_PREFIX)) optimTensors.set(name.slice(OPTIMIZER_PREFIX.length), t);
    else modelSd.set(name, t);
  }
  let res: { missingKeys: string[]; unexpectedKeys: string[] };
  try {
    res = model.loadStateDict(modelSd, opts.strict ?? true);
  } catch (e) {
    throw new CheckpointMismatchError(source, HEADER, `loadCheckpoint: the tensors listed in the header (byte ${HEADER}) do not fit ${model.constructor.name}: ${(e as Error).message}`);
  }
  if (opts.optimizer !== undefined && meta.optimizer !== undefined) loadOptimizer(opts.optimizer, meta.optimizer, optimTensors, source);
  const epoch = meta.epoch === undefined ? null : Number(meta.epoch);
  if (epoch !== null && !(Number.isInteger(epoch) && epoch >= 0)) throw metaError(source, `metadata epoch '${brief(meta.epoch, 30)}' is not a non-negative integer`);
  let rngState: number[] | null = null;
  if (meta.rng_state !== undefined) {
    const r = parseJson(meta.rng_state, 'rng_state', source);
    if (!Array.isArray(r) || r.length !== 5 || !r.every((v) => v === null || (typeof v === 'number' && Number.isFinite(v)))) {
      throw metaError(source, 'metadata rng_state must be a list of 5 numbers');
    }
    rngState = r.map((v) => (v === null ? Number.NaN : Number(v)));
  }
  return { epoch, rngState, metadata: meta, ...res };
}

function loadOptimizer(optimizer: Optimizer<object>, json: string, tensors: Map<string, Tensor>, source: string): void {
  const m = parseJson(json, 'optimizer', source) as OptimizerMeta;
  if (typeof m !== 'object' || m === null || typeof m.type !== 'string' || !Array.isArray(m.paramGroups) ||
      !m.paramGroups.every((g) => typeof g === 'object' && g !== null && Array.isArray((g as { params?: unknown }).params)) ||
      (m.scalars !== undefined && (typeof m.scalars !== 'object' || m.scalars === null))) {
    throw metaError(source, 'metadata optimizer must be {type, paramGroups: [{params: [...], ...}], scalars}');
  }
  const own = optimizer.constructor.name;
  if (m.type !== own) throw new CheckpointMismatchError(source, HEADER, `loadCheckpoint: holds ${m.type} state but the optimizer is ${own} (use the same --optimizer as the saved run; header at byte ${HEADER})`);
  const state: Record<number, ParamState> = {};
  for (const [idx, sc] of Object.entries(m.scalars ?? {})) {
    if (typeof sc !== 'object' || sc === null || !Object.values(sc).every((v) => typeof v === 'number')) throw metaError(source, `metadata optimizer scalars for parameter ${brief(idx, 20)} must be numbers`);
    state[Number(idx)] = { ...sc };
  }
  for (const [key, t] of tensors) {
    const mm = /^state\.(\d+)\.(\w+)$/.exec(key);
    if (mm === null) throw new CheckpointMismatchError(source, HEADER, `loadCheckpoint: unexpected optimizer tensor '${OPTIMIZER_PREFIX}${key}' (header at byte ${HEADER})`);
    (state[Number(mm[1])] ??= {})[mm[2]!] = t;
  }
  try {
    optimizer.loadStateDict({ state, paramGroups: m.paramGroups } as unknown as OptimizerStateDict<object>);
  } catch (e) {
    throw new CheckpointMismatchError(source, HEADER, `loadCheckpoint: the optimizer state (header at byte ${HEADER}) does not fit: ${(e as Error).message}`);
  }
}

/** The safetensors header (metadata, tensor list) starts after the 8-byte length. */
const HEADER = 8;

function metaError(source: string, detail: string): FileFormatError {
  return new FileFormatError(source, HEADER, `loadCheckpoint: ${detail} (header at byte ${HEADER})`);
}

function parseJson(s: string, key: string, source: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    throw metaError(source, `metadata '${key}' is not valid JSON`);
  }
}

function toEntry(t: Tensor, name: string): SafetensorsEntry {
  const shape = t.shape.slice();
  if (t.dtype === 'float32') return { dtype: 'F32', shape, data: Float32Array.from(t.data) };
  if (t.dtype === 'int32') return { dtype: 'I64', shape, data: BigInt64Array.from(t.data, (v) => BigInt(v)) };
  throw new Error(`saveCheckpoint: tensor '${name}' has dtype ${t.dtype}, which checkpoints do not store`);
}

function fromEntry(e: SafetensorsTensor, name: string, source: string): Tensor {
  const shape = e.shape.slice();
  const d = e.data;
  const at = e.offset ?? HEADER;
  if (d instanceof Float32Array) return new Tensor(d, shape, 'float32');
  if (d instanceof Float64Array) return new Tensor(Float32Array.from(d), shape, 'float32');
  if (d instanceof BigInt64Array) {
    const out = new Int32Array(d.length);
    for (let i = 0; i < d.length; i++) {
      const v = d[i]!;
      if (v > 2147483647n || v < -2147483648n) {
        throw new FileFormatError(source, at + 8 * i, `loadCheckpoint: tensor '${name}' element ${i} (${v}, at byte ${at + 8 * i}) does not fit in int32`);
      }
      out[i] = Number(v);
    }
    return new Tensor(out, shape, 'int32');
  }
  if (d instanceof Int32Array) return new Tensor(d, shape, 'int32');
  throw new FileFormatError(source, at, `loadCheckpoint: tensor '${name}' (data at byte ${at}) has dtype ${e.dtype}, which convnet-ts cannot load (F32, F64, I64, I32 are supported)`);
}
