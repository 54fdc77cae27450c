/**
 * Model weights from either file a PyTorch user brings: a torch.save state dict (`.pt`/`.pth`, a
 * zip archive) or a safetensors file (our checkpoints, or PyTorch's state dict saved with
 * safetensors). The format is told by the file's first bytes, not its name. Node only (reads paths).
 */
import { FileFormatError } from './errors.js';
import { readFileSync } from 'node:fs';
import type { Module } from '../nn/module.js';
import { decodeCheckpoint, type LoadCheckpointOptions, type LoadedCheckpoint } from './checkpoint.js';
import { decodeTorch } from './torch.js';

/**
 * Which format `bytes` are in: 'torch' for zip archives and bare pickles (the legacy torch.save
 * format), 'safetensors' for an 8-byte header length that fits the file followed by '{', else null.
 */
export function sniffWeightsFormat(bytes: Uint8Array): 'torch' | 'safetensors' | null {
  const zip = bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;
  const pickle = bytes[0] === 0x80 && bytes[1] !== undefined && bytes[1] >= 2 && bytes[1] <= 5;
  if (zip || pickle) return 'torch';
  if (bytes.length >= 10 && bytes[8] === 0x7b) {
    const n = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
    if (n <= BigInt(bytes.length - 8)) return 'safetensors';
  }
  return null;
}

/**
 * Load `path` (torch.save state dict or safetensors) into `model`; with a safetensors checkpoint
 * of ours, also the optimiser state when `optimizer` is given. Errors name the file and, for a
 * model mismatch, the missing, unexpected and mis-shaped keys.
 */
export function loadWeights(path: string, model: Module, opts: LoadCheckpointOptions = {}): LoadedCheckpoint {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new Error(`loadWeights: cannot read '${path}': ${(e as Error).message}`, { cause: e });
  }
  const format = sniffWeightsFormat(bytes);
  if (format === null) {
    // Neither format: the safetensors reader says exactly what is wrong at which byte; add the .pt hint.
    try {
      decodeCheckpoint(bytes, model, { ...opts, source: path });
    } catch (e) {
      if (e instanceof FileFormatError) {
        throw new FileFormatError(e.file, e.offset, `${e.detail}; nor is it a torch.save archive (a .pt file starts with the zip signature 'PK')`, false, { cause: e });
      }
      throw e;
    }
    throw new FileFormatError(path, 0, 'neither a safetensors file nor a torch.save archive');
  }
  if (format === 'safetensors') return decodeCheckpoint(bytes, model, { ...opts, source: path });
  const sd = decodeTorch(bytes, { source: path });
  try {
    const res = model.loadStateDict(sd, opts.strict ?? true);
    return { epoch: null, rngState: null, metadata: {}, ...res };
  } catch (e) {
    throw new Error(`loadWeights: '${path}' does not fit ${model.constructor.name}: ${(e as Error).message}`, { cause: e });
  }
}
