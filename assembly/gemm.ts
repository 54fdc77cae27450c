// SGEMM for row-major float32: C = alpha * op(A) @ op(B) + beta * C.
// GotoBLAS-style blocking (NC x KC panels of B, MC x KC blocks of A) around a 4x8 register
// micro-kernel (see kernel4x8 for why not 6x8).
// All pointers are byte addresses in the (shared) linear memory; leading dimensions are in floats.

export const MR: i32 = 4;
export const NR: i32 = 8;
const KC: i32 = 256;
const MC: i32 = 72; // multiple of MR; MC*KC*4 = 72 KiB of packed A stays in L2
const NC: i32 = 512; // KC*NC*4 = 512 KiB packed B panel

// Offsets of the per-thread scratch regions (bytes).
const PACKA_BYTES: usize = <usize>(MC * KC * 4);
const PACKB_BYTES: usize = <usize>(KC * NC * 4);
const EDGEB_BYTES: usize = <usize>(KC * NR * 4);
const TILE_BYTES: usize = <usize>(MR * NR * 4);

/** Bytes of scratch one sgemm call needs (one region per concurrently running thread). */
export function sgemmScratchBytes(): i32 {
  return <i32>(PACKA_BYTES + PACKB_BYTES + EDGEB_BYTES + TILE_BYTES + 64);
}

// @ts-ignore: decorator
@inline export function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) {
    return f32x4.relaxed_madd(a, b, c);
  } else {
    return f32x4.add(f32x4.mul(a, b), c);
  }
}

// C[0..4, 0..8] += Apanel(4 x kc, k-major) @ Bstrip(kc x 8, row stride bs bytes).
// 8 f32x4 accumulators + 2 B vectors + 1 broadcast A. A 6x8 tile (15 live vectors) measured 30 %
// slower under V8 11.3 (it spills: V8 keeps one of the 16 xmm registers as scratch).
// With `store` the tile overwrites C instead of adding to it (beta = 0 and one K block: no zero-fill
// pass over C, no load of it).
function kernel4x8(kc: i32, pa: usize, pb: usize, bs: usize, c: usize, ldc: usize, store: bool): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(pb);
    const b1 = v128.load(pb, 16);
    let a = v128.load32_splat(pa);
    c00 = madd(a, b0, c00); c01 = madd(a, b1, c01);
    a = v128.load32_splat(pa, 4);
    c10 = madd(a, b0, c10); c11 = madd(a, b1, c11);
    a = v128.load32_splat(pa, 8);
    c20 = madd(a, b0, c20); c21 = madd(a, b1, c21);
    a = v128.load32_splat(pa, 12);
    c30 = madd(a, b0, c30); c31 = madd(a, b1, c31);
    pa += MR * 4;
    pb += bs;
  }
  let r = c;
  if (store) {
    v128.store(r, c00); v128.store(r, c01, 16); r += ldc;
    v128.store(r, c10); v128.store(r, c11, 16); r += ldc;
    v128.store(r, c20); v128.store(r, c21, 16); r += ldc;
    v128.store(r, c30); v128.store(r, c31, 16);
    return;
  }
  v128.store(r, f32x4.add(v128.load(r), c00)); v128.store(r, f32x4.add(v128.load(r, 16), c01), 16); r += ldc;
  v128.store(r, f32x4.add(v128.load(r), c10)); v128.store(r, f32x4.add(v128.load(r, 16), c11), 16); r += ldc;
  v128.store(r, f32x4.add(v128.load(r), c20)); v128.store(r, f32x4.add(v128.load(r, 16), c21), 16); r += ldc;
  v128.store(r, f32x4.add(v128.load(r), c30)); v128.store(r, f32x4.add(v128.load(r, 16), c31), 16);
}

// The last row panel when only 1-2 rows remain (m = 6 = 4 + 2 for LeNet's conv1).
function kernel2x8(kc: i32, pa: usize, pb: usize, bs: usize, c: usize, ldc: usize, store: bool): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(pb);
    const b1 = v128.load(pb, 16);
    let a = v128.load32_splat(pa);
    c00 = madd(a, b0, c00); c01 = madd(a, b1, c01);
    a = v128.load32_splat(pa, 4);
    c10 = madd(a, b0, c10); c11 = madd(a, b1, c11);
    pa += MR * 4;
    pb += bs;
  }
  let r = c;
  if (store) {
    v128.store(r, c00); v128.store(r, c01, 16); r += ldc;
    v128.store(r, c10); v128.store(r, c11, 16);
    return;
  }
  v128.store(r, f32x4.add(v128.load(r), c00)); v128.store(r, f32x4.add(v128.load(r, 16), c01), 16); r += ldc;
  v128.store(r, f32x4.add(v128.load(r), c10)); v128.store(r, f32x4.add(v128.load(r, 16), c11), 16);
}

// @ts-ignore: decorator
@inline function kernel(mr: i32, kc: i32, pa: usize, pb: usize, bs: usize, c: usize, ldc: usize): void {
  if (mr > 2) kernel4x8(kc, pa, pb, bs, c, ldc, false);
  else kernel2x8(kc, pa, pb, bs, c, ldc, false);
}

// Packs rows [i0, i0+mc) x cols [p0, p0+kc) of alpha*op(A) into MR-row panels, k-major,
// zero-padding the last panel so the micro-kernel never needs a row mask.
function packA(transA: i32, a: usize, lda: i32, i0: i32, mc: i32, p0: i32, kc: i32, alpha: f32, dst: usize): void {
  for (let s = 0; s < mc; s += MR) {
    const panel = dst + <usize>(s * kc * 4);
    const rows = min(MR, mc - s);
    if (rows < MR) memory.fill(panel, 0, <usize>(kc * MR * 4));
    for (let r = 0; r < rows; r++) {
      const i = i0 + s + r;
      let d = panel + <usize>(r * 4);
      if (transA) {
        let src = a + (<usize>p0 * <usize>lda + <usize>i) * 4;
        const step = <usize>lda * 4;
        for (let p = 0; p < kc; p++) { store<f32>(d, alpha * load<f32>(src)); src += step; d += MR * 4; }
      } else {
        let src = a + (<usize>i * <usize>lda + <usize>p0) * 4;
        for (let p = 0; p < kc; p++) { store<f32>(d, alpha * load<f32>(src)); src += 4; d += MR * 4; }
      }
    }
  }
}

// Transposed 8-column strip: B rows j..j+8 (each contiguous along k) become k-major 8-wide rows,
// 4x4 blocks at a time through lane shuffles instead of one scalar gather per element.
function packStripT(b: usize, ldb: i32, p0: i32, kc: i32, j: i32, dst: usize): void {
  const rs = <usize>ldb * 4;
  for (let half = 0; half < 2; half++) {
    const r0p = b + (<usize>(j + half * 4) * <usize>ldb + <usize>p0) * 4;
    const dh = dst + <usize>(half * 16);
    let p = 0;
    for (; p + 4 <= kc; p += 4) {
      const o = <usize>p * 4;
      const r0 = v128.load(r0p + o), r1 = v128.load(r0p + rs + o);
      const r2 = v128.load(r0p + 2 * rs + o), r3 = v128.load(r0p + 3 * rs + o);
      const t0 = f32x4.shuffle(r0, r1, 0, 4, 1, 5), t1 = f32x4.shuffle(r0, r1, 2, 6, 3, 7);
      const t2 = f32x4.shuffle(r2, r3, 0, 4, 1, 5), t3 = f32x4.shuffle(r2, r3, 2, 6, 3, 7);
      const d = dh + <usize>p * 32;
      v128.store(d, f32x4.shuffle(t0, t2, 0, 1, 4, 5));
      v128.store(d, f32x4.shuffle(t0, t2, 2, 3, 6, 7), 32);
      v128.store(d, f32x4.shuffle(t1, t3, 0, 1, 4, 5), 64);
      v128.store(d, f32x4.shuffle(t1, t3, 2, 3, 6, 7), 96);
    }
    for (; p < kc; p++) {
      const o = <usize>p * 4, d = dh + <usize>p * 32;
      for (let q = 0; q < 4; q++) store<f32>(d + <usize>q * 4, load<f32>(r0p + <usize>q * rs + o));
    }
  }
}

// Packs op(B) rows [p0, p0+kc) x cols [j0, j0+nc) into NR-column strips (kc x 8, contiguous),
// zero-padding the last strip.
function packB(transB: i32, b: usize, ldb: i32, p0: i32, kc: i32, j0: i32, nc: i32, dst: usize): void {
  for (let t = 0; t < nc; t += NR) {
    const strip = dst + <usize>(t * kc * 4);
    const cols = min(NR, nc - t);
    if (!transB && cols == NR) {
      let src = b + (<usize>p0 * <usize>ldb + <usize>(j0 + t)) * 4;
      const step = <usize>ldb * 4;
      let d = strip;
      for (let p = 0; p < kc; p++) {
        v128.store(d, v128.load(src)); v128.store(d, v128.load(src, 16), 16);
        src += step; d += 32;
      }
      continue;
    }
    if (transB && cols == NR) {
      packStripT(b, ldb, p0, kc, j0 + t, strip);
      continue;
    }
    if (cols < NR) memory.fill(strip, 0, <usize>(kc * NR * 4));
    for (let q = 0; q < cols; q++) {
      const j = j0 + t + q;
      let d = strip + <usize>(q * 4);
      if (transB) {
        let src = b + (<usize>j * <usize>ldb + <usize>p0) * 4;
        for (let p = 0; p < kc; p++) { store<f32>(d, load<f32>(src)); src += 4; d += 32; }
      } else {
        let src = b + (<usize>p0 * <usize>ldb + <usize>j) * 4;
        const step = <usize>ldb * 4;
        for (let p = 0; p < kc; p++) { store<f32>(d, load<f32>(src)); src += step; d += 32; }
      }
    }
  }
}

// Applies beta to the m x n block of C once up front so the kernels only ever accumulate.
function scaleC(m: i32, n: i32, beta: f32, c: usize, ldc: i32): void {
  if (beta == 1) return;
  for (let i = 0; i < m; i++) {
    const row = c + <usize>i * <usize>ldc * 4;
    if (beta == 0) { memory.fill(row, 0, <usize>n * 4); continue; }
    const vb = f32x4.splat(beta);
    let j = 0;
    for (; j + 4 <= n; j += 4) {
      const p = row + <usize>j * 4;
      v128.store(p, f32x4.mul(v128.load(p), vb));
    }
    for (; j < n; j++) { const p = row + <usize>j * 4; store<f32>(p, beta * load<f32>(p)); }
  }
}

/** C[m,n] = alpha*op(A)@op(B) + beta*C; A is [m,k] ([k,m] if transA), B is [k,n] ([n,k] if transB). */
export function sgemm(transA: i32, transB: i32, m: i32, n: i32, k: i32, alpha: f32,
                      a: usize, lda: i32, b: usize, ldb: i32, beta: f32,
                      c: usize, ldc: i32, scratch: usize): void {
  gemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, scratch, 0);
}

/** Floats packAll writes for an m x k A: every KC block's panels, m rounded up to MR. */
// @ts-ignore: decorator
@inline export function packedABytes(m: i32, k: i32): usize {
  return <usize>(((m + MR - 1) / MR) * MR) * <usize>k * 4;
}

/**
 * Packs all of alpha*op(A) [m, k] once, in the order gemm reads it (KC blocks, each the MR-row
 * panels of all m rows), for an A that multiplies many B's (Winograd's transformed weights).
 */
export function packAll(transA: i32, a: usize, lda: i32, m: i32, k: i32, alpha: f32, dst: usize): void {
  const mp = ((m + MR - 1) / MR) * MR;
  for (let pc = 0; pc < k; pc += KC) packA(transA, a, lda, 0, m, pc, min(KC, k - pc), alpha, dst + <usize>(pc * mp) * 4);
}

/** sgemm(0, 0, ...) with alpha = 1 for an A already packed by packAll. */
export function sgemmPackedA(m: i32, n: i32, k: i32, pa: usize, b: usize, ldb: i32, beta: f32,
                             c: usize, ldc: i32, scratch: usize): void {
  gemm(0, 0, m, n, k, 1, 0, k, b, ldb, beta, c, ldc, scratch, pa);
}

/** sgemm with an optional A already packed by packAll (`packed`, else 0). */
export function gemm(transA: i32, transB: i32, m: i32, n: i32, k: i32, alpha: f32,
              a: usize, lda: i32, b: usize, ldb: i32, beta: f32,
              c: usize, ldc: i32, scratch: usize, packed: usize): void {
  if (m <= 0 || n <= 0) return;
  // beta = 0 with a single K block: the kernels store C instead of zeroing it and adding.
  const fresh = beta == 0 && k > 0 && k <= KC && alpha != 0;
  if (!fresh) scaleC(m, n, beta, c, ldc);
  if (k <= 0 || alpha == 0) return;
  const pA = (scratch + 63) & ~(<usize>63);
  const pB = pA + PACKA_BYTES;
  const pE = pB + PACKB_BYTES;
  const tile = pE + EDGEB_BYTES;
  // Small-M GEMMs (conv layers with few output channels) reuse each B element only m times, so
  // copying B into panels costs about as much as the math; stream it from its rows instead.
  // Transposed B must be packed to get contiguous 8-wide rows.
  const pack = transB != 0 || m > 24;
  const ldcb = <usize>ldc * 4;
  for (let jc = 0; jc < n; jc += NC) {
    const nc = min(NC, n - jc);
    for (let pc = 0; pc < k; pc += KC) {
      const kc = min(KC, k - pc);
      if (pack) packB(transB, b, ldb, pc, kc, jc, nc, pB);
      for (let ic = 0; ic < m; ic += MC) {
        const mc = min(MC, m - ic);
        let pAb = pA;
        if (packed != 0) pAb = packed + <usize>(pc * (((m + MR - 1) / MR) * MR) + ic * kc) * 4;
        else packA(transA, a, lda, ic, mc, pc, kc, alpha, pA);
        for (let jr = 0; jr < nc; jr += NR) {
          const nr = min(NR, nc - jr);
          let strip: usize;
          let bs: usize = 32;
          if (pack) {
            strip = pB + <usize>(jr * kc * 4);
          } else if (nr == NR) {
            strip = b + (<usize>pc * <usize>ldb + <usize>(jc + jr)) * 4;
            bs = <usize>ldb * 4;
          } else {
            packB(0, b, ldb, pc, kc, jc + jr, nr, pE);
            strip = pE;
          }
          for (let ir = 0; ir < mc; ir += MR) {
            const mr = min(MR, mc - ir);
            const pa = pAb + <usize>(ir * kc * 4);
            const cp = c + (<usize>(ic + ir) * <usize>ldc + <usize>(jc + jr)) * 4;
            if (nr == NR && mr == MR) {
              kernel4x8(kc, pa, strip, bs, cp, ldcb, fresh);
            } else if (nr == NR && mr == 2) {
              kernel2x8(kc, pa, strip, bs, cp, ldcb, fresh);
            } else {
              memory.fill(tile, 0, TILE_BYTES);
              kernel(mr, kc, pa, strip, bs, tile, 32);
              for (let r = 0; r < mr; r++) {
                const crow = cp + <usize>r * ldcb;
                const trow = tile + <usize>(r * 32);
                for (let q = 0; q < nr; q++) {
                  const o = <usize>(q * 4);
                  store<f32>(crow + o, fresh ? load<f32>(trow + o) : load<f32>(crow + o) + load<f32>(trow + o));
                }
              }
            }
          }
        }
      }
    }
  }
}
