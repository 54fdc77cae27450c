/** Node file I/O for ONNX: saveOnnx(path, model, inputShape) writes exportOnnx's bytes atomically. */
import type { Module } from '../nn/module.js';
import { writeFileAtomic } from './atomic.js';
import { exportOnnx, type ExportOnnxOptions } from './onnx/export.js';

/** Export `model` for inputs of `inputShape` ([N, C, H, W]) and write the ONNX file to `path` (temp file + rename). */
export function saveOnnx(path: string, model: Module, inputShape: readonly number[], opts: ExportOnnxOptions = {}): void {
  writeFileAtomic(path, exportOnnx(model, inputShape, opts));
}
