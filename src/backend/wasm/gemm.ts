/**
 * GEMM jobs. Each output element is a dot product over K in the same order whatever the split
 * (the micro-kernels accumulate k in order per KC block, and ragged tiles compute the same
 * multiply-adds), so splitting along N (strips of 8) or M (panels of 4) never changes a bit.
 */
import type { WasmContext } from './context.js';
import { call } from './kernels.js';
import { chunkCount, splitRange } from './partition.js';

/** C = alpha·op(A)·op(B) + beta·C (see Backend.gemm). */
export function gemm(ctx: WasmContext, transA: boolean, transB: boolean, m: number, n: number, k: number, alpha: number,
                     a: Float32Array, aOffset: number, b: Float32Array, bOffset: number, beta: number,
                     c: Float32Array, cOffset: number): void {
  if (m <= 0 || n <= 0) return;
  const io = ctx.io;
  const pa = io.in(a.subarray(aOffset, aOffset + m * k));
  const pb = io.in(b.subarray(bOffset, bOffset + k * n));
  const cv = c.subarray(cOffset, cOffset + m * n);
  const pc = beta !== 0 ? io.inout(cv) : io.out(cv);
  const lda = transA ? m : k, ldb = transB ? k : n;
  const ta = transA ? 1 : 0, tb = transB ? 1 : 0;
  // Split the larger output dimension: each task then re-packs only the smaller operand.
  const alongN = n >= m;
  const units = alongN ? Math.ceil(n / 8) : Math.ceil(m / 4);
  const ranges = splitRange(alongN ? n : m, chunkCount(m * n * k, units, 4 * ctx.grain), alongN ? 8 : 4);
  ctx.pool.run(ranges.map(([s, e]) => [alongN
    ? call('sgemm', ta, tb, m, e - s, k, alpha, pa, lda, pb + (transB ? s * ldb : s) * 4, ldb, beta, pc + s * 4, n, 0)
    : call('sgemm', ta, tb, e - s, n, k, alpha, pa + (transA ? s : s * lda) * 4, lda, pb, ldb, beta, pc + s * n * 4, n, 0)]),
  ctx.gemmScratch, m * n * k >= ctx.grain);
}
