// Winograd F(3x3, 3x3): the F(2x2, 3x3) scheme of winograd.ts with 3x3 output tiles from 5x5 input
// patches, 25 multiply-adds per 9 outputs (2.8 per output and channel pair, against 4 for F(2x2) and
// 9 for im2col). Used for wide layers (the transforms here are scalar) and for 3x3 maps, which one
// tile covers exactly (F(2x2) would compute 16 outputs for 9). Interpolation points 0, 1, -1, 2, ∞;
// the matrices (checked exactly over the rationals when derived) are
//   Bᵀ = [[2 -1 -2 1 0] [0 2 1 -1 0] [0 -2 3 -1 0] [0 -1 0 1 0] [0 2 -1 -2 1]]
//   G  = [[1/2 0 0] [1/2 1/2 1/2] [1/6 -1/6 1/6] [1/6 1/3 2/3] [0 0 1]]
//   Aᵀ = [[1 1 1 1 0] [0 1 -1 2 0] [0 1 1 4 1]]
// Geometry block and conventions as in winograd.ts.
import { CONV_C, CONV_H, CONV_NB, CONV_O, CONV_OH, CONV_OW, CONV_PH, CONV_PW, CONV_W } from '../src/backend/wasm/abi';
import { gemm, packAll, packedABytes, sgemmPackedA, sgemmScratchBytes } from './gemm';
import { align64, gi } from './conv';
import { padPlane, slotBytes, weightColB, weightRowA } from './winograd';

// @ts-ignore: decorator
@inline function planeH(th: i32): i32 { return 3 * th + 2; }
// @ts-ignore: decorator
@inline function planeW(tw: i32): i32 { return 3 * tw + 2; }

// Five values at src (stride ss bytes) -> Bᵀ applied, five values at dst (stride ds bytes).
// @ts-ignore: decorator
@inline function bt5(src: usize, ss: usize, dst: usize, ds: usize): void {
  const d0 = load<f32>(src), d1 = load<f32>(src + ss), d2 = load<f32>(src + 2 * ss), d3 = load<f32>(src + 3 * ss), d4 = load<f32>(src + 4 * ss);
  store<f32>(dst, 2 * (d0 - d2) - d1 + d3);
  store<f32>(dst + ds, 2 * d1 + d2 - d3);
  store<f32>(dst + 2 * ds, 3 * d2 - 2 * d1 - d3);
  store<f32>(dst + 3 * ds, d3 - d1);
  store<f32>(dst + 4 * ds, 2 * (d1 - d3) - d2 + d4);
}

// Three values -> G applied (five values).
// @ts-ignore: decorator
@inline function g5(g0: f32, g1: f32, g2: f32, dst: usize, ds: usize): void {
  store<f32>(dst, <f32>0.5 * g0);
  store<f32>(dst + ds, <f32>0.5 * (g0 + g1 + g2));
  store<f32>(dst + 2 * ds, (g0 - g1 + g2) / 6);
  store<f32>(dst + 3 * ds, (g0 + 2 * g1 + 4 * g2) / 6);
  store<f32>(dst + 4 * ds, g2);
}

/** Bytes one thread needs for geometry `gp` besides the GEMM's scratch (V, M, padded plane, 2 small temporaries). */
export function winograd3ScratchBytes(gp: usize): i32 {
  const ci = gi(gp, CONV_C), co = gi(gp, CONV_O), th = (gi(gp, CONV_OH) + 2) / 3, tw = (gi(gp, CONV_OW) + 2) / 3, nb = gi(gp, CONV_NB);
  const tb = nb * th * tw;
  return 25 * (<i32>slotBytes(ci, tb) + <i32>slotBytes(co, tb)) + planeH(th) * planeW(tw) * 4 + 2 * 128 + 6 * 64;
}

/** U[ξ][oo][ii] = (G g Gᵀ)[ξ] over 25 ξ, as winogradWeights (flip = 1: rotated, transposed). */
export function winograd3Weights(w: usize, wo: i32, wi: i32, flip: i32, a0: i32, a1: i32, u: usize, tmp: usize): void {
  const O = flip ? wi : wo, I = flip ? wo : wi;
  const plane = <usize>(O * I) * 4;
  const na = a1 - a0, total = na * wi;
  for (let it = 0; it < total; it++) {
    const a = weightRowA(it, flip, a0, na, wi), b = weightColB(it, flip, na, wi);
    const g = w + <usize>((a * wi + b) * 9) * 4;
    // t = G g (5x3), column by column; the flip reads g rotated by 180°.
    for (let c = 0; c < 3; c++) {
      const cc = flip ? 2 - c : c;
      const r0 = flip ? 6 : 0, r2 = flip ? 0 : 6;
      g5(load<f32>(g + <usize>(r0 + cc) * 4), load<f32>(g + <usize>(3 + cc) * 4), load<f32>(g + <usize>(r2 + cc) * 4), tmp + <usize>c * 4, 12);
    }
    const oo = flip ? b : a, ii = flip ? a : b;
    const d = u + <usize>(oo * I + ii) * 4;
    // Row r of U = t[r] Gᵀ.
    for (let r = 0; r < 5; r++) {
      const t = tmp + <usize>(r * 12);
      g5(load<f32>(t), load<f32>(t, 4), load<f32>(t, 8), d + <usize>(r * 5) * plane, plane);
    }
  }
}

/** Bytes of the 25 packed GEMM A operands [O, I]. */
export function winograd3PackedBytes(O: i32, I: i32): i32 { return <i32>(25 * <i32>packedABytes(O, I)); }

// V[ξ][c][j] = (Bᵀ d B)[ξ] for the tiles of images [b, b + nb), through a zero-padded plane copy.
function inputTransformBlock3(x: usize, b: i32, nb: i32, I: i32, H: i32, W: i32, ph: i32, pw: i32,
                              TH: i32, TW: i32, plane: usize, tmp: usize, V: usize, vs: usize): void {
  const T1 = TH * TW, TB = nb * T1;
  const PH = planeH(TH), PW = planeW(TW);
  const rs = <usize>PW * 4;
  for (let bi = 0; bi < nb; bi++) {
    for (let c = 0; c < I; c++) {
      padPlane(x + (<usize>((b + bi) * I + c) * <usize>(H * W)) * 4, H, W, ph, pw, PH, PW, plane);
      const vc = V + <usize>(c * TB + bi * T1) * 4;
      for (let ty = 0; ty < TH; ty++) {
        for (let tx = 0; tx < TW; tx++) {
          const p = plane + <usize>(3 * ty) * rs + <usize>(3 * tx) * 4;
          // Bᵀ d down each column into tmp [5][5], then along each row into the 25 V slots.
          for (let j = 0; j < 5; j++) bt5(p + <usize>j * 4, rs, tmp + <usize>j * 4, 20);
          const v = vc + <usize>(ty * TW + tx) * 4;
          for (let i = 0; i < 5; i++) bt5(tmp + <usize>(i * 20), 4, v + <usize>(i * 5) * vs, vs);
        }
      }
    }
  }
}

/** y[b] = conv3x3(x[b]) (+ bias) for images b in [b0, b1) by F(3x3, 3x3); u packed by winogradPack. */
export function winograd3Conv(gp: usize, b0: i32, b1: i32, x: usize, u: usize, bias: usize, y: usize, scratch: usize): void {
  const I = gi(gp, CONV_C), H = gi(gp, CONV_H), W = gi(gp, CONV_W), O = gi(gp, CONV_O), OH = gi(gp, CONV_OH), OW = gi(gp, CONV_OW);
  const ph = gi(gp, CONV_PH), pw = gi(gp, CONV_PW), nbMax = gi(gp, CONV_NB);
  const TH = (OH + 2) / 3, TW = (OW + 2) / 3, T1 = TH * TW;
  const tbMax = nbMax * T1;
  const V = align64(scratch);
  const M = align64(V + 25 * slotBytes(I, tbMax));
  const plane = align64(M + 25 * slotBytes(O, tbMax));
  const tmp = align64(plane + <usize>(planeH(TH) * planeW(TW)) * 4);
  const gs = align64(tmp + 256);
  const us = packedABytes(O, I);
  for (let b = b0; b < b1; b += nbMax) {
    const nb = min(nbMax, b1 - b), TB = nb * T1;
    const vs = slotBytes(I, TB), ms = slotBytes(O, TB);
    inputTransformBlock3(x, b, nb, I, H, W, ph, pw, TH, TW, plane, tmp, V, vs);
    for (let xi = 0; xi < 25; xi++) {
      sgemmPackedA(O, TB, I, u + <usize>xi * us, V + <usize>xi * vs, TB, 0, M + <usize>xi * ms, TB, gs);
    }
    // y tile = Aᵀ m A (+ bias), clipped at the map's edge.
    for (let bi = 0; bi < nb; bi++) {
      for (let k = 0; k < O; k++) {
        const bv: f32 = bias != 0 ? load<f32>(bias + <usize>k * 4) : 0;
        const yp = y + (<usize>((b + bi) * O + k) * <usize>(OH * OW)) * 4;
        const mk = M + <usize>(k * TB + bi * T1) * 4;
        for (let ty = 0; ty < TH; ty++) {
          for (let tx = 0; tx < TW; tx++) {
            const m = mk + <usize>(ty * TW + tx) * 4;
            // s = Aᵀ m (3x5), column by column, into tmp [3][5].
            for (let j = 0; j < 5; j++) {
              const q = m + <usize>j * ms;
              const m0 = load<f32>(q), m1 = load<f32>(q + 5 * ms), m2 = load<f32>(q + 10 * ms), m3 = load<f32>(q + 15 * ms), m4 = load<f32>(q + 20 * ms);
              store<f32>(tmp + <usize>j * 4, m0 + m1 + m2 + m3);
              store<f32>(tmp + <usize>(5 + j) * 4, m1 - m2 + 2 * m3);
              store<f32>(tmp + <usize>(10 + j) * 4, m1 + m2 + 4 * m3 + m4);
            }
            for (let i = 0; i < 3; i++) {
              const oy = 3 * ty + i;
              if (oy >= OH) break;
              const t = tmp + <usize>(i * 20);
              const s0 = load<f32>(t), s1 = load<f32>(t, 4), s2 = load<f32>(t, 8), s3 = load<f32>(t, 12), s4 = load<f32>(t, 16);
              const ox = 3 * tx;
              const row = yp + <usize>(oy * OW + ox) * 4;
              store<f32>(row, s0 + s1 + s2 + s3 + bv);
              if (ox + 1 < OW) store<f32>(row, s1 - s2 + 2 * s3 + bv, 4);
              if (ox + 2 < OW) store<f32>(row, s1 + s2 + 4 * s3 + s4 + bv, 8);
            }
          }
        }
      }
    }
  }
}

/** Bytes of winograd3BackwardWeight's 25 [O, I] accumulators. */
export function winograd3WeightAccBytes(gp: usize): i32 {
  return 25 * <i32>slotBytes(gi(gp, CONV_O), gi(gp, CONV_C)) + 64;
}

/** dw [O, I, 3, 3] += weight gradient over images [b0, b1): Σ_tiles Gᵀ [ (A dY Aᵀ) ⊙ (Bᵀ d B) ] G. */
export function winograd3BackwardWeight(gp: usize, b0: i32, b1: i32, x: usize, dy: usize, dw: usize, scratch: usize): void {
  const I = gi(gp, CONV_C), H = gi(gp, CONV_H), W = gi(gp, CONV_W), O = gi(gp, CONV_O), OH = gi(gp, CONV_OH), OW = gi(gp, CONV_OW);
  const ph = gi(gp, CONV_PH), pw = gi(gp, CONV_PW), nbMax = gi(gp, CONV_NB);
  const TH = (OH + 2) / 3, TW = (OW + 2) / 3, T1 = TH * TW;
  const tbMax = nbMax * T1;
  const V = align64(scratch);
  const Z = align64(V + 25 * slotBytes(I, tbMax));
  const plane = align64(Z + 25 * slotBytes(O, tbMax));
  const tmp = align64(plane + <usize>(planeH(TH) * planeW(TW)) * 4);
  const gs = align64(tmp + 256);
  const acc = align64(gs + <usize>sgemmScratchBytes());
  const as = slotBytes(O, I);
  memory.fill(acc, 0, 25 * as);
  for (let b = b0; b < b1; b += nbMax) {
    const nb = min(nbMax, b1 - b), TB = nb * T1;
    const vs = slotBytes(I, TB), zs = slotBytes(O, TB);
    inputTransformBlock3(x, b, nb, I, H, W, ph, pw, TH, TW, plane, tmp, V, vs);
    // Z = A dY Aᵀ per 3x3 tile of dy (zero past the edge); A's rows: [1 0 0] [1 1 1] [1 -1 1] [1 2 4] [0 0 1].
    for (let bi = 0; bi < nb; bi++) {
      for (let k = 0; k < O; k++) {
        const yp = dy + (<usize>((b + bi) * O + k) * <usize>(OH * OW)) * 4;
        const zk = Z + <usize>(k * TB + bi * T1) * 4;
        for (let ty = 0; ty < TH; ty++) {
          for (let tx = 0; tx < TW; tx++) {
            // A e for each of the 3 dy rows (e = the row's 3 values), into tmp [3][5].
            for (let i = 0; i < 3; i++) {
              const oy = 3 * ty + i, ox = 3 * tx;
              let e0: f32 = 0, e1: f32 = 0, e2: f32 = 0;
              if (oy < OH) {
                const row = yp + <usize>(oy * OW + ox) * 4;
                e0 = load<f32>(row);
                if (ox + 1 < OW) e1 = load<f32>(row, 4);
                if (ox + 2 < OW) e2 = load<f32>(row, 8);
              }
              const t = tmp + <usize>(i * 20);
              store<f32>(t, e0); store<f32>(t, e0 + e1 + e2, 4); store<f32>(t, e0 - e1 + e2, 8);
              store<f32>(t, e0 + 2 * e1 + 4 * e2, 12); store<f32>(t, e2, 16);
            }
            // Then down the columns: Z[r][j] = A[r] · (column j of tmp).
            const z = zk + <usize>(ty * TW + tx) * 4;
            for (let j = 0; j < 5; j++) {
              const e0 = load<f32>(tmp + <usize>j * 4), e1 = load<f32>(tmp + <usize>(5 + j) * 4), e2 = load<f32>(tmp + <usize>(10 + j) * 4);
              store<f32>(z + <usize>j * zs, e0);
              store<f32>(z + <usize>(5 + j) * zs, e0 + e1 + e2);
              store<f32>(z + <usize>(10 + j) * zs, e0 - e1 + e2);
              store<f32>(z + <usize>(15 + j) * zs, e0 + 2 * e1 + 4 * e2);
              store<f32>(z + <usize>(20 + j) * zs, e2);
            }
          }
        }
      }
    }
    for (let xi = 0; xi < 25; xi++) {
      gemm(0, 1, O, I, TB, 1, Z + <usize>xi * zs, TB, V + <usize>xi * vs, TB, 1, acc + <usize>xi * as, I, gs, 0);
    }
  }
  // dw[k][c] += Gᵀ Acc G; Gᵀ rows: [1/2 1/2 1/6 1/6 0] [0 1/2 -1/6 1/3 0] [0 1/2 1/6 2/3 1].
  for (let k = 0; k < O; k++) {
    for (let c = 0; c < I; c++) {
      const m = acc + <usize>(k * I + c) * 4;
      for (let j = 0; j < 5; j++) {
        const a0 = load<f32>(m + <usize>j * as), a1 = load<f32>(m + <usize>(5 + j) * as), a2 = load<f32>(m + <usize>(10 + j) * as);
        const a3 = load<f32>(m + <usize>(15 + j) * as), a4 = load<f32>(m + <usize>(20 + j) * as);
        store<f32>(tmp + <usize>j * 4, <f32>0.5 * (a0 + a1) + (a2 + a3) / 6);
        store<f32>(tmp + <usize>(5 + j) * 4, <f32>0.5 * a1 + (2 * a3 - a2) / 6);
        store<f32>(tmp + <usize>(10 + j) * 4, <f32>0.5 * a1 + (a2 + 4 * a3) / 6 + a4);
      }
      const q = dw + <usize>((k * I + c) * 9) * 4;
      for (let r = 0; r < 3; r++) {
        const t = tmp + <usize>(r * 20);
        const a0 = load<f32>(t), a1 = load<f32>(t, 4), a2 = load<f32>(t, 8), a3 = load<f32>(t, 12), a4 = load<f32>(t, 16);
        const o = q + <usize>(r * 3) * 4;
        store<f32>(o, load<f32>(o) + <f32>0.5 * (a0 + a1) + (a2 + a3) / 6);
        store<f32>(o, load<f32>(o, 4) + <f32>0.5 * a1 + (2 * a3 - a2) / 6, 4);
        store<f32>(o, load<f32>(o, 8) + <f32>0.5 * a1 + (a2 + 4 * a3) / 6 + a4, 8);
      }
    }
  }
}
