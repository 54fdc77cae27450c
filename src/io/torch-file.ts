/** Node file I/O for torch.save files: loadTorch(path | bytes) → a state dict, saveTorch(path, model) (decodeTorch / encodeTorch do the bytes). */
import { readFileSync } from 'node:fs';
import type { Module, StateDict } from '../nn/module.js';
import { writeFileAtomic } from './atomic.js';
import { decodeTorch, type DecodeTorchOptions } from './torch.js';
import { encodeTorch } from './torch-writer.js';

/**
 * The state dict in a torch.save file (`torch.save(net.state_dict(), 'model.pt')`), ready for
 * `model.loadStateDict(...)`: from a path, or from the file's bytes. Errors name the file and the
 * byte (FormatError); `key` picks a state dict nested in a checkpoint dict.
 */
export function loadTorch(pathOrBytes: string | Uint8Array, opts: Omit<DecodeTorchOptions, 'source'> = {}): StateDict {
  if (typeof pathOrBytes !== 'string') return decodeTorch(pathOrBytes, opts);
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(pathOrBytes);
  } catch (e) {
    throw new Error(`loadTorch: cannot read '${pathOrBytes}': ${(e as Error).message}`, { cause: e });
  }
  return decodeTorch(bytes, { ...opts, source: pathOrBytes });
}

/**
 * Write `model`'s state dict (or a StateDict) as a torch.save file at `path`, atomically: PyTorch
 * continues from it with `net.load_state_dict(torch.load(path))`.
 */
export function saveTorch(path: string, modelOrStateDict: Module | StateDict): void {
  writeFileAtomic(path, encodeTorch(modelOrStateDict));
}
