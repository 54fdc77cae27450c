/** Reference convolution kernels (NCHW input, OIHW weight). */
import type { Conv2dGeometry } from '../backend.js';

const todo = (what: string): never => {
  throw new Error(`reference backend: ${what} is not implemented yet`);
};

/** y = conv2d(x, w) + bias. */
export function conv2d(_g: Conv2dGeometry, _x: Float32Array, _w: Float32Array, _bias: Float32Array | null,
                       _y: Float32Array): void { todo('conv2d'); }
/** dx = conv2d input gradient. */
export function conv2dBackwardInput(_g: Conv2dGeometry, _dy: Float32Array, _w: Float32Array,
                                    _dx: Float32Array): void { todo('conv2dBackwardInput'); }
/** dw = conv2d weight gradient. */
export function conv2dBackwardWeight(_g: Conv2dGeometry, _x: Float32Array, _dy: Float32Array,
                                     _dw: Float32Array): void { todo('conv2dBackwardWeight'); }
