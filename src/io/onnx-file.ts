/** Node file I/O for ONNX: saveOnnx(path, model, inputShape) writes exportOnnx's bytes atomically. */
import type { Module } from '../nn/module.js';
import { writeFileAtomic } from './atomic.js';
import { onnxGraph, type ExportOnnxOptions } from './onnx/export.js';
import { encodeModel, type OnnxModel } from './onnx/onnx-proto.js';

/**
 * Export `model` for inputs of `inputShape` ([N, C, H, W]) and write the ONNX file to `path`
 * (temp file + rename: an old file survives any failure). Returns the graph written.
 */
export function saveOnnx(path: string, model: Module, inputShape: readonly number[], opts: ExportOnnxOptions = {}): OnnxModel {
  const graph = onnxGraph(model, inputShape, opts);
  writeFileAtomic(path, encodeModel(graph));
  return graph;
}
