/** Reference GEMM: loop orders chosen so the innermost loop walks memory contiguously. */

/** C = alpha * op(A) @ op(B) + beta * C (row-major; see Backend.gemm). */
export function gemm(transA: boolean, transB: boolean, m: number, n: number, k: number, alpha: number,
                     a: Float32Array, aOff: number, b: Float32Array, bOff: number, beta: number,
                     c: Float32Array, cOff: number): void {
  if (beta !== 1) {
    for (let i = 0; i < m * n; i++) c[cOff + i] = beta === 0 ? 0 : beta * c[cOff + i]!;
  }
  if (!transB) {
    // C[i, :] += op(A)[i, p] * B[p, :]
    for (let i = 0; i < m; i++) {
      const ci = cOff + i * n;
      for (let p = 0; p < k; p++) {
        const av = alpha * (transA ? a[aOff + p * m + i]! : a[aOff + i * k + p]!);
        if (av === 0) continue;
        const bp = bOff + p * n;
        for (let j = 0; j < n; j++) c[ci + j] += av * b[bp + j]!;
      }
    }
    return;
  }
  // transB: C[i, j] = dot(op(A)[i, :], B[j, :]), B row j is contiguous.
  for (let i = 0; i < m; i++) {
    const ci = cOff + i * n;
    for (let j = 0; j < n; j++) {
      const bj = bOff + j * k;
      let acc = 0;
      if (!transA) {
        const ai = aOff + i * k;
        for (let p = 0; p < k; p++) acc += a[ai + p]! * b[bj + p]!;
      } else {
        for (let p = 0; p < k; p++) acc += a[aOff + p * m + i]! * b[bj + p]!;
      }
      c[ci + j] += alpha * acc;
    }
  }
}
