/**
 * The parts of onnx.proto (ONNX IR version 7, opset 13) an inference graph needs, written with
 * ProtoWriter: ModelProto, GraphProto, NodeProto, AttributeProto, TensorProto, ValueInfoProto.
 * Field numbers are onnx.proto's.
 */
import { ProtoWriter } from './protobuf.js';

/** TensorProto.DataType values used here. */
export const ONNX_FLOAT = 1, ONNX_INT64 = 7;

/** An attribute value: an int, a float, a list of ints, or a tensor (Constant's `value`). */
export type AttrValue = number | { float: number } | readonly number[] | OnnxTensor;

/** One node of the graph, PyTorch-named (`/net/net.0/Conv`). */
export interface OnnxNode {
  name: string;
  opType: string;
  inputs: string[];
  outputs: string[];
  attrs: Record<string, AttrValue>;
}

/** An initializer or constant: float32 (raw little-endian bytes, or packed float_data when `packed`) or int64. */
export interface OnnxTensor {
  name: string;
  dims: readonly number[];
  data: Float32Array | BigInt64Array;
  /** Store float32 values in the packed float_data field instead of raw_data (small constants). */
  packed?: boolean;
}

/** A graph input or output: its name and static (number) or symbolic (string) dims. */
export interface OnnxValueInfo { name: string; dims: readonly (number | string)[] }

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Little-endian bytes of a typed array (a view on little-endian hosts; a swapped copy otherwise). */
function leBytes(a: Float32Array | BigInt64Array): Uint8Array {
  const view = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  if (LITTLE_ENDIAN) return view;
  const size = a.BYTES_PER_ELEMENT, out = new Uint8Array(view.length);
  for (let i = 0; i < view.length; i += size) for (let j = 0; j < size; j++) out[i + j] = view[i + size - 1 - j]!;
  return out;
}

/** TensorProto: dims (1), data_type (2), float_data (4, packed), name (8; omitted when empty, as for a Constant's value), raw_data (9). */
export function tensorProto(t: OnnxTensor): ProtoWriter {
  const w = new ProtoWriter();
  for (const d of t.dims) w.varint(1, d);
  w.varint(2, t.data instanceof Float32Array ? ONNX_FLOAT : ONNX_INT64);
  if (t.packed && t.data instanceof Float32Array) w.packedFloats(4, t.data);
  if (t.name !== '') w.string(8, t.name);
  if (!(t.packed && t.data instanceof Float32Array)) w.bytes(9, leBytes(t.data));
  return w;
}

/** AttributeProto: name (1), f (2), i (3), t (5), ints (8), type (20: FLOAT 1, INT 2, TENSOR 4, INTS 7). */
function attributeProto(name: string, v: AttrValue): ProtoWriter {
  const w = new ProtoWriter().string(1, name);
  if (typeof v === 'number') w.varint(3, v).varint(20, 2);
  else if (Array.isArray(v)) { for (const e of v as readonly number[]) w.varint(8, e); w.varint(20, 7); }
  else if ('float' in v) w.float(2, v.float).varint(20, 1);
  else w.message(5, tensorProto(v as OnnxTensor)).varint(20, 4);
  return w;
}

/** NodeProto: input (1), output (2), name (3), op_type (4), attribute (5), attributes sorted by name as PyTorch writes them. */
function nodeProto(n: OnnxNode): ProtoWriter {
  const w = new ProtoWriter();
  for (const i of n.inputs) w.string(1, i);
  for (const o of n.outputs) w.string(2, o);
  w.string(3, n.name).string(4, n.opType);
  for (const k of Object.keys(n.attrs).sort()) w.message(5, attributeProto(k, n.attrs[k]!));
  return w;
}

/** ValueInfoProto: name (1), type (2) → tensor_type (1) → elem_type (1) = FLOAT, shape (2) → dim (1) → dim_value (1) | dim_param (2). */
function valueInfoProto(v: OnnxValueInfo): ProtoWriter {
  const shape = new ProtoWriter();
  for (const d of v.dims) shape.message(1, typeof d === 'number' ? new ProtoWriter().varint(1, d) : new ProtoWriter().string(2, d));
  const tensorType = new ProtoWriter().varint(1, ONNX_FLOAT).message(2, shape);
  return new ProtoWriter().string(1, v.name).message(2, new ProtoWriter().message(1, tensorType));
}

/** Everything that goes into one model file. */
export interface OnnxModel {
  graphName: string;
  nodes: OnnxNode[];
  initializers: OnnxTensor[];
  inputs: OnnxValueInfo[];
  outputs: OnnxValueInfo[];
  opset: number;
  producerName: string;
  producerVersion?: string;
}

/**
 * ModelProto bytes: ir_version (1) = 7, producer_name (2), producer_version (3), graph (7),
 * opset_import (8); GraphProto: node (1), name (2), initializer (5), input (11), output (12).
 */
export function encodeModel(m: OnnxModel): Uint8Array {
  const g = new ProtoWriter();
  for (const n of m.nodes) g.message(1, nodeProto(n));
  g.string(2, m.graphName);
  for (const t of m.initializers) g.message(5, tensorProto(t));
  for (const i of m.inputs) g.message(11, valueInfoProto(i));
  for (const o of m.outputs) g.message(12, valueInfoProto(o));
  const model = new ProtoWriter().varint(1, 7).string(2, m.producerName);
  if (m.producerVersion !== undefined) model.string(3, m.producerVersion);
  model.message(7, g).message(8, new ProtoWriter().string(1, '').varint(2, m.opset));
  return model.finish();
}
