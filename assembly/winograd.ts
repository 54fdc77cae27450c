// Winograd F(2x2, 3x3) convolution for 3x3, stride-1, undilated, ungrouped layers (most of
// ResNet's, GoogLeNet's and DenseNet's FLOPs). Each 2x2 output tile comes from a 4x4 input patch d:
//   Y = Aᵀ [ (G g Gᵀ) ⊙ (Bᵀ d B) ] A,
// so the 9 multiply-adds per output and input channel of a direct 3x3 become 16/4 = 4: the
// elementwise products over all channels are 16 GEMMs M[ξ] = U[ξ] · V[ξ] (ξ = one of the 16 patch
// positions), U[ξ] [O, I] from the weights, V[ξ] [I, tiles] from the input.
// The same kernel computes the input gradient of such a layer: for stride 1 it is the convolution of
// dy (padded by 2 - p) with the weights flipped in space and transposed [I, O] (winogradWeights'
// `flip`).
// Geometry: the convolution block at `gp` (src/backend/wasm/abi.ts), in the convolution's own terms
// (CONV_NB: images per block of tiles; one block's V and M live in the thread's scratch).
import { CONV_C, CONV_H, CONV_NB, CONV_O, CONV_OH, CONV_OW, CONV_PH, CONV_PW, CONV_W } from '../src/backend/wasm/abi';
import { gemm, packAll, packedABytes, sgemmPackedA, sgemmScratchBytes } from './gemm';
import { align64, gi } from './conv';

/** Padded plane [PH, PW] for tiles TH x TW: 2 rows/cols of overlap plus 4 floats of slack for vector over-reads. */
// @ts-ignore: decorator
@inline function planeH(th: i32): i32 { return 2 * th + 2; }
// @ts-ignore: decorator
@inline function planeW(tw: i32): i32 { return 2 * tw + 6; }

// Bytes between the 16 ξ matrices of V or M (rows x tb floats): a whole number of cache lines, and
// an odd one, so the 16 slots of one tile fall in 16 different L1 sets. With rows·tb·4 a multiple of
// 4 KiB (64 channels x 144 tiles) they would all alias one set and thrash it.
// @ts-ignore: decorator
@inline export function slotBytes(rows: i32, tb: i32): usize {
  let b = (<usize>(rows * tb) * 4 + 63) & ~(<usize>63);
  if (((b >> 6) & 1) == 0) b += 64;
  return b;
}

/** Scratch bytes one thread needs for geometry `gp` (the TypeScript side adds the GEMM's own scratch). */
export function winogradScratchBytes(gp: usize): i32 {
  const ci = gi(gp, CONV_C), co = gi(gp, CONV_O), th = (gi(gp, CONV_OH) + 1) >> 1, tw = (gi(gp, CONV_OW) + 1) >> 1, nb = gi(gp, CONV_NB);
  const tb = nb * th * tw;
  return 16 * (<i32>slotBytes(ci, tb) + <i32>slotBytes(co, tb)) + planeH(th) * planeW(tw) * 4 + 4 * 64;
}

// Weight-transform iteration `it` over rows [a0, a0 + na) x columns [0, wi) of w: ordered so that
// writes into U run along its rows (with flip, U's row index is the column b).
// @ts-ignore: decorator
@inline export function weightRowA(it: i32, flip: i32, a0: i32, na: i32, wi: i32): i32 { return flip ? a0 + it % na : a0 + it / wi; }
// @ts-ignore: decorator
@inline export function weightColB(it: i32, flip: i32, na: i32, wi: i32): i32 { return flip ? it / na : it % wi; }

/**
 * U[ξ][oo][ii] = (G g Gᵀ)[ξ] for weight rows a in [a0, a1) of w [wo, wi, 3, 3].
 * flip = 0: g = w[a][b], (oo, ii) = (a, b), U is [16, wo, wi]. flip = 1 (input gradient): g is
 * w[a][b] rotated by 180°, (oo, ii) = (b, a), U is [16, wi, wo].
 */
export function winogradWeights(w: usize, wo: i32, wi: i32, flip: i32, a0: i32, a1: i32, u: usize): void {
  const O = flip ? wi : wo, I = flip ? wo : wi;
  const plane = <usize>(O * I) * 4;
  const na = a1 - a0, total = na * wi;
  for (let it = 0; it < total; it++) {
    const a = weightRowA(it, flip, a0, na, wi), b = weightColB(it, flip, na, wi);
    const g = w + <usize>((a * wi + b) * 9) * 4;
    // t = G g (4x3), one column at a time.
    let t00: f32, t01: f32, t02: f32, t10: f32, t11: f32, t12: f32;
    let t20: f32, t21: f32, t22: f32, t30: f32, t31: f32, t32: f32;
    // g[r][c] with the flip folded into the index.
    const r0 = flip ? 2 : 0, r2 = flip ? 0 : 2;
    const c0 = flip ? 2 : 0, c2 = flip ? 0 : 2;
    const g00 = load<f32>(g + <usize>(r0 * 3 + c0) * 4), g01 = load<f32>(g + <usize>(r0 * 3 + 1) * 4), g02 = load<f32>(g + <usize>(r0 * 3 + c2) * 4);
    const g10 = load<f32>(g + <usize>(3 + c0) * 4), g11 = load<f32>(g + 16), g12 = load<f32>(g + <usize>(3 + c2) * 4);
    const g20 = load<f32>(g + <usize>(r2 * 3 + c0) * 4), g21 = load<f32>(g + <usize>(r2 * 3 + 1) * 4), g22 = load<f32>(g + <usize>(r2 * 3 + c2) * 4);
    t00 = g00; t01 = g01; t02 = g02;
    t10 = 0.5 * (g00 + g10 + g20); t11 = 0.5 * (g01 + g11 + g21); t12 = 0.5 * (g02 + g12 + g22);
    t20 = 0.5 * (g00 - g10 + g20); t21 = 0.5 * (g01 - g11 + g21); t22 = 0.5 * (g02 - g12 + g22);
    t30 = g20; t31 = g21; t32 = g22;
    const oo = flip ? b : a, ii = flip ? a : b;
    let d = u + <usize>(oo * I + ii) * 4;
    // Row r of U = t[r] Gᵀ: [t0, (t0+t1+t2)/2, (t0-t1+t2)/2, t2].
    store<f32>(d, t00); d += plane;
    store<f32>(d, 0.5 * (t00 + t01 + t02)); d += plane;
    store<f32>(d, 0.5 * (t00 - t01 + t02)); d += plane;
    store<f32>(d, t02); d += plane;
    store<f32>(d, t10); d += plane;
    store<f32>(d, 0.5 * (t10 + t11 + t12)); d += plane;
    store<f32>(d, 0.5 * (t10 - t11 + t12)); d += plane;
    store<f32>(d, t12); d += plane;
    store<f32>(d, t20); d += plane;
    store<f32>(d, 0.5 * (t20 + t21 + t22)); d += plane;
    store<f32>(d, 0.5 * (t20 - t21 + t22)); d += plane;
    store<f32>(d, t22); d += plane;
    store<f32>(d, t30); d += plane;
    store<f32>(d, 0.5 * (t30 + t31 + t32)); d += plane;
    store<f32>(d, 0.5 * (t30 - t31 + t32)); d += plane;
    store<f32>(d, t32);
  }
}

// d B for one patch row of 4 consecutive tiles (row starts at p; tile q's columns are 2q..2q+3):
// stride-2 deinterleave into the 4 patch columns, then [c0 - c2, c1 + c2, c2 - c1, c1 - c3] stored
// at v + ξ·vs for ξ = 4r .. 4r + 3.
// @ts-ignore: decorator
@inline function rowTransform4(p: usize, v: usize, vs: usize): void {
  const a = v128.load(p), b = v128.load(p, 16), c = v128.load(p, 32);
  const c0 = f32x4.shuffle(a, b, 0, 2, 4, 6), c1 = f32x4.shuffle(a, b, 1, 3, 5, 7);
  const c2 = f32x4.shuffle(c0, c, 1, 2, 3, 4), c3 = f32x4.shuffle(c1, c, 1, 2, 3, 5);
  v128.store(v, f32x4.sub(c0, c2));
  v128.store(v + vs, f32x4.add(c1, c2));
  v128.store(v + 2 * vs, f32x4.sub(c2, c1));
  v128.store(v + 3 * vs, f32x4.sub(c1, c3));
}

// V = Bᵀ d B for 4 tiles whose patches start at p (row stride rs bytes): 16 vectors at v + ξ·vs
// (vs = I·TB·4 bytes between the ξ matrices). d B row by row, then Bᵀ down the columns in place.
// @ts-ignore: decorator
@inline function inputTransform4(p: usize, rs: usize, v: usize, vs: usize): void {
  rowTransform4(p, v, vs);
  rowTransform4(p + rs, v + 4 * vs, vs);
  rowTransform4(p + 2 * rs, v + 8 * vs, vs);
  rowTransform4(p + 3 * rs, v + 12 * vs, vs);
  for (let k = 0; k < 4; k++) {
    const q = v + <usize>k * vs;
    const t0 = v128.load(q), t1 = v128.load(q + 4 * vs), t2 = v128.load(q + 8 * vs), t3 = v128.load(q + 12 * vs);
    v128.store(q, f32x4.sub(t0, t2));
    v128.store(q + 4 * vs, f32x4.add(t1, t2));
    v128.store(q + 8 * vs, f32x4.sub(t2, t1));
    v128.store(q + 12 * vs, f32x4.sub(t1, t3));
  }
}

// One tile, scalar: patch at p (row stride rs bytes) -> 16 values at v + ξ·vs.
function inputTransform1(p: usize, rs: usize, v: usize, vs: usize): void {
  for (let k = 0; k < 4; k++) {
    const o = <usize>k * 4;
    const d0 = load<f32>(p + o), d1 = load<f32>(p + rs + o), d2 = load<f32>(p + 2 * rs + o), d3 = load<f32>(p + 3 * rs + o);
    store<f32>(v + <usize>k * vs, d0 - d2);
    store<f32>(v + <usize>(4 + k) * vs, d1 + d2);
    store<f32>(v + <usize>(8 + k) * vs, d2 - d1);
    store<f32>(v + <usize>(12 + k) * vs, d1 - d3);
  }
  for (let r = 0; r < 4; r++) {
    const q = v + <usize>(r * 4) * vs;
    const t0 = load<f32>(q), t1 = load<f32>(q + vs), t2 = load<f32>(q + 2 * vs), t3 = load<f32>(q + 3 * vs);
    store<f32>(q, t0 - t2);
    store<f32>(q + vs, t1 + t2);
    store<f32>(q + 2 * vs, t2 - t1);
    store<f32>(q + 3 * vs, t1 - t3);
  }
}

/** plane [PH, PW] = zeros with the input plane src [H, W] placed at (ph, pw), clipped to the plane. */
export function padPlane(src: usize, H: i32, W: i32, ph: i32, pw: i32, PH: i32, PW: i32, plane: usize): void {
  // Input rows/columns that land in the padded plane.
  const yLo = max(0, -ph), yHi = min(H, PH - ph);
  const xLo = max(0, -pw), xHi = min(W, PW - pw);
  memory.fill(plane, 0, <usize>(PH * PW) * 4);
  if (xHi <= xLo) return;
  const len = xHi - xLo;
  for (let iy = yLo; iy < yHi; iy++) {
    // Rows are a few dozen floats: an inline loop beats memory.copy's engine call.
    const d = plane + <usize>((iy + ph) * PW + xLo + pw) * 4, sp = src + <usize>(iy * W + xLo) * 4;
    let i = 0;
    for (; i + 4 <= len; i += 4) v128.store(d + <usize>i * 4, v128.load(sp + <usize>i * 4));
    for (; i < len; i++) store<f32>(d + <usize>i * 4, load<f32>(sp + <usize>i * 4));
  }
}

// V[ξ][c][j] = (Bᵀ d B)[ξ] for the tiles j of images [b, b + nb) of x [n, I, H, W], channel by
// channel through a zero-padded copy of the plane; j = image-in-block·TH·TW + ty·TW + tx.
function inputTransformBlock(x: usize, b: i32, nb: i32, I: i32, H: i32, W: i32, ph: i32, pw: i32,
                             TH: i32, TW: i32, plane: usize, V: usize, vs: usize): void {
  const T1 = TH * TW, TB = nb * T1;
  const PH = planeH(TH), PW = planeW(TW);
  const rs = <usize>PW * 4;
  for (let bi = 0; bi < nb; bi++) {
    for (let c = 0; c < I; c++) {
      padPlane(x + (<usize>((b + bi) * I + c) * <usize>(H * W)) * 4, H, W, ph, pw, PH, PW, plane);
      const vc = V + <usize>(c * TB + bi * T1) * 4;
      for (let ty = 0; ty < TH; ty++) {
        const prow = plane + <usize>(2 * ty) * rs;
        const vrow = vc + <usize>(ty * TW) * 4;
        let tx = 0;
        for (; tx + 4 <= TW; tx += 4) inputTransform4(prow + <usize>(2 * tx) * 4, rs, vrow + <usize>tx * 4, vs);
        for (; tx < TW; tx++) inputTransform1(prow + <usize>(2 * tx) * 4, rs, vrow + <usize>tx * 4, vs);
      }
    }
  }
}

/** Bytes of the packed transformed weights: 16 GEMM A operands [O, I] in packAll's layout. */
export function winogradPackedBytes(O: i32, I: i32): i32 { return <i32>(16 * <i32>packedABytes(O, I)); }

/** Packs U[ξ] [O, I] (from winogradWeights or winograd3Weights) for ξ in [x0, x1) into `dst` for the GEMMs of winogradConv / winograd3Conv. */
export function winogradPack(u: usize, O: i32, I: i32, x0: i32, x1: i32, dst: usize): void {
  const us = packedABytes(O, I);
  for (let xi = x0; xi < x1; xi++) packAll(0, u + <usize>(xi * O * I) * 4, I, O, I, 1, dst + <usize>xi * us);
}

/**
 * y[b] = conv3x3(x[b]) (+ bias) for images b in [b0, b1), by F(2x2, 3x3); u from winogradPack.
 * x [n, I, H, W], y [n, O, OH, OW]; bias [O] or 0.
 */
export function winogradConv(gp: usize, b0: i32, b1: i32, x: usize, u: usize, bias: usize, y: usize, scratch: usize): void {
  const I = gi(gp, CONV_C), H = gi(gp, CONV_H), W = gi(gp, CONV_W), O = gi(gp, CONV_O), OH = gi(gp, CONV_OH), OW = gi(gp, CONV_OW);
  const ph = gi(gp, CONV_PH), pw = gi(gp, CONV_PW), nbMax = gi(gp, CONV_NB);
  const TH = (OH + 1) >> 1, TW = (OW + 1) >> 1, T1 = TH * TW;
  const PH = planeH(TH), PW = planeW(TW);
  const tbMax = nbMax * T1;
  const V = align64(scratch);
  const M = align64(V + 16 * slotBytes(I, tbMax));
  const plane = align64(M + 16 * slotBytes(O, tbMax));
  const gs = align64(plane + <usize>(PH * PW) * 4);
  for (let b = b0; b < b1; b += nbMax) {
    const nb = min(nbMax, b1 - b), TB = nb * T1;
    const vs = slotBytes(I, TB), ms = slotBytes(O, TB);
    inputTransformBlock(x, b, nb, I, H, W, ph, pw, TH, TW, plane, V, vs);
    const us = packedABytes(O, I);
    for (let xi = 0; xi < 16; xi++) {
      sgemmPackedA(O, TB, I, u + <usize>xi * us, V + <usize>xi * vs, TB, 0, M + <usize>xi * ms, TB, gs);
    }
    // Output transform: y tile = Aᵀ m A with Aᵀ = [[1 1 1 0], [0 1 -1 -1]], plus bias.
    for (let bi = 0; bi < nb; bi++) {
      for (let k = 0; k < O; k++) {
        const bv: f32 = bias != 0 ? load<f32>(bias + <usize>k * 4) : 0;
        const vb = f32x4.splat(bv);
        const yp = y + (<usize>((b + bi) * O + k) * <usize>(OH * OW)) * 4;
        const mk = M + <usize>(k * TB + bi * T1) * 4;
        for (let ty = 0; ty < TH; ty++) {
          const oy = 2 * ty;
          const two = oy + 1 < OH;
          let tx = 0;
          for (; tx + 4 <= TW && 2 * tx + 8 <= OW; tx += 4) {
            const m = mk + <usize>(ty * TW + tx) * 4;
            // s0 = m0 + m1 + m2, s1 = m1 - m2 - m3 over the patch rows, per column c.
            const m00 = v128.load(m), m01 = v128.load(m + ms), m02 = v128.load(m + 2 * ms), m03 = v128.load(m + 3 * ms);
            const m10 = v128.load(m + 4 * ms), m11 = v128.load(m + 5 * ms), m12 = v128.load(m + 6 * ms), m13 = v128.load(m + 7 * ms);
            const m20 = v128.load(m + 8 * ms), m21 = v128.load(m + 9 * ms), m22 = v128.load(m + 10 * ms), m23 = v128.load(m + 11 * ms);
            const s00 = f32x4.add(f32x4.add(m00, m10), m20), s01 = f32x4.add(f32x4.add(m01, m11), m21);
            const s02 = f32x4.add(f32x4.add(m02, m12), m22), s03 = f32x4.add(f32x4.add(m03, m13), m23);
            const y00 = f32x4.add(f32x4.add(f32x4.add(s00, s01), s02), vb);
            const y01 = f32x4.add(f32x4.sub(f32x4.sub(s01, s02), s03), vb);
            const row0 = yp + <usize>(oy * OW + 2 * tx) * 4;
            v128.store(row0, f32x4.shuffle(y00, y01, 0, 4, 1, 5));
            v128.store(row0, f32x4.shuffle(y00, y01, 2, 6, 3, 7), 16);
            if (two) {
              const m30 = v128.load(m + 12 * ms), m31 = v128.load(m + 13 * ms), m32 = v128.load(m + 14 * ms), m33 = v128.load(m + 15 * ms);
              const s10 = f32x4.sub(f32x4.sub(m10, m20), m30), s11 = f32x4.sub(f32x4.sub(m11, m21), m31);
              const s12 = f32x4.sub(f32x4.sub(m12, m22), m32), s13 = f32x4.sub(f32x4.sub(m13, m23), m33);
              const y10 = f32x4.add(f32x4.add(f32x4.add(s10, s11), s12), vb);
              const y11 = f32x4.add(f32x4.sub(f32x4.sub(s11, s12), s13), vb);
              const row1 = row0 + <usize>OW * 4;
              v128.store(row1, f32x4.shuffle(y10, y11, 0, 4, 1, 5));
              v128.store(row1, f32x4.shuffle(y10, y11, 2, 6, 3, 7), 16);
            }
          }
          for (; tx < TW; tx++) {
            const m = mk + <usize>(ty * TW + tx) * 4;
            const m00 = load<f32>(m), m01 = load<f32>(m + ms), m02 = load<f32>(m + 2 * ms), m03 = load<f32>(m + 3 * ms);
            const m10 = load<f32>(m + 4 * ms), m11 = load<f32>(m + 5 * ms), m12 = load<f32>(m + 6 * ms), m13 = load<f32>(m + 7 * ms);
            const m20 = load<f32>(m + 8 * ms), m21 = load<f32>(m + 9 * ms), m22 = load<f32>(m + 10 * ms), m23 = load<f32>(m + 11 * ms);
            const m30 = load<f32>(m + 12 * ms), m31 = load<f32>(m + 13 * ms), m32 = load<f32>(m + 14 * ms), m33 = load<f32>(m + 15 * ms);
            const s00 = m00 + m10 + m20, s01 = m01 + m11 + m21, s02 = m02 + m12 + m22, s03 = m03 + m13 + m23;
            const s10 = m10 - m20 - m30, s11 = m11 - m21 - m31, s12 = m12 - m22 - m32, s13 = m13 - m23 - m33;
            const ox = 2 * tx;
            const twoX = ox + 1 < OW;
            const row0 = yp + <usize>(oy * OW + ox) * 4;
            store<f32>(row0, s00 + s01 + s02 + bv);
            if (twoX) store<f32>(row0, s01 - s02 - s03 + bv, 4);
            if (two) {
              const row1 = row0 + <usize>OW * 4;
              store<f32>(row1, s10 + s11 + s12 + bv);
              if (twoX) store<f32>(row1, s11 - s12 - s13 + bv, 4);
            }
          }
        }
      }
    }
  }
}

// Z = A dY Aᵀ for one 2x2 tile [[a, b], [c, d]] of the output gradient (A = [[1,0],[1,1],[1,-1],[0,-1]]),
// scalar: 16 values at z + ξ·zs.
// @ts-ignore: decorator
@inline function dyTransform1(a: f32, b: f32, c: f32, d: f32, z: usize, zs: usize): void {
  const p1 = a + c, q1 = b + d, p2 = a - c, q2 = b - d;
  store<f32>(z, a); store<f32>(z + zs, a + b); store<f32>(z + 2 * zs, a - b); store<f32>(z + 3 * zs, -b);
  store<f32>(z + 4 * zs, p1); store<f32>(z + 5 * zs, p1 + q1); store<f32>(z + 6 * zs, p1 - q1); store<f32>(z + 7 * zs, -q1);
  store<f32>(z + 8 * zs, p2); store<f32>(z + 9 * zs, p2 + q2); store<f32>(z + 10 * zs, p2 - q2); store<f32>(z + 11 * zs, -q2);
  store<f32>(z + 12 * zs, -c); store<f32>(z + 13 * zs, -c - d); store<f32>(z + 14 * zs, d - c); store<f32>(z + 15 * zs, d);
}

/** Bytes winogradBackwardWeight needs per thread on top of winogradScratchBytes and the GEMM's scratch: the 16 [O, I] accumulators. */
export function winogradWeightAccBytes(gp: usize): i32 {
  return 16 * <i32>slotBytes(gi(gp, CONV_O), gi(gp, CONV_C)) + 64;
}

/**
 * dw [O, I, 3, 3] += the weight gradient of the 3x3 stride-1 convolution over images [b0, b1): the
 * adjoint of winogradConv's formula in g, dW = Σ_tiles Gᵀ [ (A dY Aᵀ) ⊙ (Bᵀ d B) ] G. Per patch
 * position ξ the sum over tiles is a GEMM Acc[ξ] [O, I] += Z[ξ] [O, tiles] · V[ξ]ᵀ; the 4x4 → 3x3
 * transform runs once at the end. Scratch: winogradScratchBytes, then winogradWeightAccBytes.
 */
export function winogradBackwardWeight(gp: usize, b0: i32, b1: i32, x: usize, dy: usize, dw: usize, scratch: usize): void {
  const I = gi(gp, CONV_C), H = gi(gp, CONV_H), W = gi(gp, CONV_W), O = gi(gp, CONV_O), OH = gi(gp, CONV_OH), OW = gi(gp, CONV_OW);
  const ph = gi(gp, CONV_PH), pw = gi(gp, CONV_PW), nbMax = gi(gp, CONV_NB);
  const TH = (OH + 1) >> 1, TW = (OW + 1) >> 1, T1 = TH * TW;
  const tbMax = nbMax * T1;
  const V = align64(scratch);
  const Z = align64(V + 16 * slotBytes(I, tbMax));
  const plane = align64(Z + 16 * slotBytes(O, tbMax));
  const gs = align64(plane + <usize>(planeH(TH) * planeW(TW)) * 4);
  const acc = align64(gs + <usize>sgemmScratchBytes());
  const as = slotBytes(O, I);
  memory.fill(acc, 0, 16 * as);
  for (let b = b0; b < b1; b += nbMax) {
    const nb = min(nbMax, b1 - b), TB = nb * T1;
    const vs = slotBytes(I, TB), zs = slotBytes(O, TB);
    inputTransformBlock(x, b, nb, I, H, W, ph, pw, TH, TW, plane, V, vs);
    // Z[ξ][k][j] from dy, zero beyond the output's edge.
    for (let bi = 0; bi < nb; bi++) {
      for (let k = 0; k < O; k++) {
        const yp = dy + (<usize>((b + bi) * O + k) * <usize>(OH * OW)) * 4;
        const zk = Z + <usize>(k * TB + bi * T1) * 4;
        for (let ty = 0; ty < TH; ty++) {
          const oy = 2 * ty;
          const two = oy + 1 < OH;
          const row0 = yp + <usize>(oy * OW) * 4, row1 = row0 + <usize>OW * 4;
          let tx = 0;
          if (two) {
            for (; tx + 4 <= TW && 2 * tx + 8 <= OW; tx += 4) {
              const o = <usize>(2 * tx) * 4;
              const r0a = v128.load(row0 + o), r0b = v128.load(row0 + o, 16);
              const r1a = v128.load(row1 + o), r1b = v128.load(row1 + o, 16);
              const a = f32x4.shuffle(r0a, r0b, 0, 2, 4, 6), bb = f32x4.shuffle(r0a, r0b, 1, 3, 5, 7);
              const c = f32x4.shuffle(r1a, r1b, 0, 2, 4, 6), d = f32x4.shuffle(r1a, r1b, 1, 3, 5, 7);
              const p1 = f32x4.add(a, c), q1 = f32x4.add(bb, d), p2 = f32x4.sub(a, c), q2 = f32x4.sub(bb, d);
              const z = zk + <usize>(ty * TW + tx) * 4;
              v128.store(z, a); v128.store(z + zs, f32x4.add(a, bb)); v128.store(z + 2 * zs, f32x4.sub(a, bb)); v128.store(z + 3 * zs, f32x4.neg(bb));
              v128.store(z + 4 * zs, p1); v128.store(z + 5 * zs, f32x4.add(p1, q1)); v128.store(z + 6 * zs, f32x4.sub(p1, q1)); v128.store(z + 7 * zs, f32x4.neg(q1));
              v128.store(z + 8 * zs, p2); v128.store(z + 9 * zs, f32x4.add(p2, q2)); v128.store(z + 10 * zs, f32x4.sub(p2, q2)); v128.store(z + 11 * zs, f32x4.neg(q2));
              const nc = f32x4.neg(c);
              v128.store(z + 12 * zs, nc); v128.store(z + 13 * zs, f32x4.sub(nc, d)); v128.store(z + 14 * zs, f32x4.sub(d, c)); v128.store(z + 15 * zs, d);
            }
          }
          for (; tx < TW; tx++) {
            const ox = 2 * tx;
            const twoX = ox + 1 < OW;
            const a = load<f32>(row0 + <usize>ox * 4);
            const bq: f32 = twoX ? load<f32>(row0 + <usize>ox * 4, 4) : 0;
            const c: f32 = two ? load<f32>(row1 + <usize>ox * 4) : 0;
            const d: f32 = two && twoX ? load<f32>(row1 + <usize>ox * 4, 4) : 0;
            dyTransform1(a, bq, c, d, zk + <usize>(ty * TW + tx) * 4, zs);
          }
        }
      }
    }
    for (let xi = 0; xi < 16; xi++) {
      gemm(0, 1, O, I, TB, 1, Z + <usize>xi * zs, TB, V + <usize>xi * vs, TB, 1, acc + <usize>xi * as, I, gs, 0);
    }
  }
  // dw[k][c] += Gᵀ Acc G, Gᵀ = [[1, .5, .5, 0], [0, .5, -.5, 0], [0, .5, .5, 1]].
  for (let k = 0; k < O; k++) {
    for (let c = 0; c < I; c++) {
      const m = acc + <usize>(k * I + c) * 4;
      const q = dw + <usize>((k * I + c) * 9) * 4;
      for (let j = 0; j < 4; j++) {
        // Column j of Gᵀ M, kept in the scratch-free form below (three rows r0..r2).
        const m0 = load<f32>(m + <usize>j * as), m1 = load<f32>(m + <usize>(4 + j) * as);
        const m2 = load<f32>(m + <usize>(8 + j) * as), m3 = load<f32>(m + <usize>(12 + j) * as);
        const h = <f32>0.5 * (m1 + m2);
        // Stash t[r][j] in the acc slots of this (k, c): slot j holds row 0, 4 + j row 1, 8 + j row 2
        // (slot 12 + j is no longer needed).
        store<f32>(m + <usize>j * as, m0 + h);
        store<f32>(m + <usize>(4 + j) * as, <f32>0.5 * (m1 - m2));
        store<f32>(m + <usize>(8 + j) * as, h + m3);
      }
      for (let r = 0; r < 3; r++) {
        const t0 = load<f32>(m + <usize>(4 * r) * as), t1 = load<f32>(m + <usize>(4 * r + 1) * as);
        const t2 = load<f32>(m + <usize>(4 * r + 2) * as), t3 = load<f32>(m + <usize>(4 * r + 3) * as);
        const h = <f32>0.5 * (t1 + t2);
        const o = q + <usize>(r * 3) * 4;
        store<f32>(o, load<f32>(o) + t0 + h);
        store<f32>(o, load<f32>(o, 4) + <f32>0.5 * (t1 - t2), 4);
        store<f32>(o, load<f32>(o, 8) + h + t3, 8);
      }
    }
  }
}
