/** Reference pooling kernels (NCHW). */
import type { Pool2dGeometry } from '../backend.js';

const todo = (what: string): never => {
  throw new Error(`reference backend: ${what} is not implemented yet`);
};

/** Max pooling forward. */
export function maxPool2d(_g: Pool2dGeometry, _x: Float32Array, _y: Float32Array, _argmax: Int32Array): void {
  todo('maxPool2d');
}
/** Max pooling backward. */
export function maxPool2dBackward(_g: Pool2dGeometry, _dy: Float32Array, _argmax: Int32Array, _dx: Float32Array): void {
  todo('maxPool2dBackward');
}
/** Average pooling forward. */
export function avgPool2d(_g: Pool2dGeometry, _x: Float32Array, _y: Float32Array): void { todo('avgPool2d'); }
/** Average pooling backward. */
export function avgPool2dBackward(_g: Pool2dGeometry, _dy: Float32Array, _dx: Float32Array): void {
  todo('avgPool2dBackward');
}
