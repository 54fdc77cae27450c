// The TypeScript <-> WebAssembly ABI of the kernel module: where each field of a parameter block
// sits. This one file is compiled twice, by tsc (src/backend/wasm/*.ts writes the blocks) and by
// AssemblyScript (assembly/*.ts reads them), so both sides name the same slots. Keep it to plain
// integer constants: the syntax both compilers accept.

// Convolution block: 18 i32s, in the terms of the convolution the kernel computes: it reads C
// channels of H x W and writes O channels of OH x OW. An input gradient run as a convolution of dy
// (Winograd, direct) fills it with the transposed view (C = the layer's output channels, ...).
export const CONV_N = 0;
export const CONV_C = 1;
export const CONV_H = 2;
export const CONV_W = 3;
export const CONV_O = 4;
export const CONV_KH = 5;
export const CONV_KW = 6;
export const CONV_OH = 7;
export const CONV_OW = 8;
export const CONV_SH = 9;
export const CONV_SW = 10;
export const CONV_PH = 11;
export const CONV_PW = 12;
export const CONV_DH = 13;
export const CONV_DW = 14;
export const CONV_GROUPS = 15;
/** Images per GEMM (im2col) or per block of tiles (Winograd): fixed per shape by the plan. */
export const CONV_NB = 16;
/** directForward: the weight is the forward layer's, read rotated by 180° and transposed (an input gradient). */
export const CONV_FLIP = 17;
export const CONV_SLOTS = 18;

// Pooling block: 11 i32s.
export const POOL_H = 0;
export const POOL_W = 1;
export const POOL_OH = 2;
export const POOL_OW = 3;
export const POOL_KH = 4;
export const POOL_KW = 5;
export const POOL_SH = 6;
export const POOL_SW = 7;
export const POOL_PH = 8;
export const POOL_PW = 9;
/** Average pooling: 1 counts padding in the divisor (PyTorch's count_include_pad). */
export const POOL_INCLUDE_PAD = 10;
export const POOL_SLOTS = 11;

// Activation codes (activationForward, activationBackward, fused conv activations).
export const ACT_NONE = -1;
export const ACT_RELU = 0;
export const ACT_SIGMOID = 1;
export const ACT_TANH = 2;
