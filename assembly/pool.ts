// 2-D max/avg pooling over NCHW planes. Work is split by plane (n*c index), so every function
// takes a plane range [q0, q1) and threads never write the same memory.
// Geometry at `gp` (12 i32s): h w oh ow kh kw sh sw ph pw countIncludePad _ .

// @ts-ignore: decorator
@inline function gi(gp: usize, i: i32): i32 { return load<i32>(gp + <usize>(i * 4)); }

/** y/argmax [planes, oh, ow] from x [planes, h, w]; argmax is the flat h*w index, -1 for an all-padding window. */
export function maxPoolForward(gp: usize, q0: i32, q1: i32, x: usize, y: usize, am: usize): void {
  const h = gi(gp, 0), w = gi(gp, 1), oh = gi(gp, 2), ow = gi(gp, 3), kh = gi(gp, 4), kw = gi(gp, 5);
  const sh = gi(gp, 6), sw = gi(gp, 7), ph = gi(gp, 8), pw = gi(gp, 9);
  for (let q = q0; q < q1; q++) {
    const xp = x + <usize>q * <usize>(h * w) * 4;
    let o = <usize>q * <usize>(oh * ow) * 4;
    for (let oy = 0; oy < oh; oy++) {
      const y0 = oy * sh - ph;
      const ya = max(y0, 0), yb = min(y0 + kh, h);
      for (let ox = 0; ox < ow; ox++) {
        const x0 = ox * sw - pw;
        const xa = max(x0, 0), xb = min(x0 + kw, w);
        let best: f32 = -Infinity;
        let idx = -1;
        for (let iy = ya; iy < yb; iy++) {
          for (let ix = xa; ix < xb; ix++) {
            const v = load<f32>(xp + <usize>(iy * w + ix) * 4);
            // First in-window element always wins the empty slot; as in PyTorch a later NaN replaces an earlier one.
            if (idx < 0 || v > best || isNaN(v)) { best = v; idx = iy * w + ix; }
          }
        }
        store<f32>(y + o, best);
        store<i32>(am + o, idx);
        o += 4;
      }
    }
  }
}

/** dx [planes, h, w] = scatter of dy [planes, oh, ow] onto argmax positions; dx is overwritten. */
export function maxPoolBackward(gp: usize, q0: i32, q1: i32, dy: usize, am: usize, dx: usize): void {
  const h = gi(gp, 0), w = gi(gp, 1), oh = gi(gp, 2), ow = gi(gp, 3);
  const hw = h * w, ohw = oh * ow;
  for (let q = q0; q < q1; q++) {
    const dxp = dx + <usize>q * <usize>hw * 4;
    memory.fill(dxp, 0, <usize>hw * 4);
    const base = <usize>q * <usize>ohw * 4;
    for (let i = 0; i < ohw; i++) {
      const off = base + <usize>i * 4;
      const idx = load<i32>(am + off);
      if (idx >= 0) {
        const p = dxp + <usize>idx * 4;
        store<f32>(p, load<f32>(p) + load<f32>(dy + off));
      }
    }
  }
}

// PyTorch's divisor: the window clipped to the padded extent (countIncludePad) or to the input.
// @ts-ignore: decorator
@inline function divisor(y0: i32, x0: i32, kh: i32, kw: i32, h: i32, w: i32, ph: i32, pw: i32, incl: i32): f32 {
  if (incl) {
    return <f32>((min(y0 + kh, h + ph) - y0) * (min(x0 + kw, w + pw) - x0));
  }
  return <f32>((min(y0 + kh, h) - max(y0, 0)) * (min(x0 + kw, w) - max(x0, 0)));
}

/** y [planes, oh, ow] = window means of x [planes, h, w]. */
export function avgPoolForward(gp: usize, q0: i32, q1: i32, x: usize, y: usize): void {
  const h = gi(gp, 0), w = gi(gp, 1), oh = gi(gp, 2), ow = gi(gp, 3), kh = gi(gp, 4), kw = gi(gp, 5);
  const sh = gi(gp, 6), sw = gi(gp, 7), ph = gi(gp, 8), pw = gi(gp, 9), incl = gi(gp, 10);
  for (let q = q0; q < q1; q++) {
    const xp = x + <usize>q * <usize>(h * w) * 4;
    let o = y + <usize>q * <usize>(oh * ow) * 4;
    for (let oy = 0; oy < oh; oy++) {
      const y0 = oy * sh - ph;
      const ya = max(y0, 0), yb = min(y0 + kh, h);
      for (let ox = 0; ox < ow; ox++) {
        const x0 = ox * sw - pw;
        const xa = max(x0, 0), xb = min(x0 + kw, w);
        let s: f32 = 0;
        for (let iy = ya; iy < yb; iy++) {
          for (let ix = xa; ix < xb; ix++) s += load<f32>(xp + <usize>(iy * w + ix) * 4);
        }
        const d = divisor(y0, x0, kh, kw, h, w, ph, pw, incl);
        store<f32>(o, d > 0 ? s / d : 0);
        o += 4;
      }
    }
  }
}

/** dx [planes, h, w] = adjoint of avgPoolForward applied to dy; dx is overwritten. */
export function avgPoolBackward(gp: usize, q0: i32, q1: i32, dy: usize, dx: usize): void {
  const h = gi(gp, 0), w = gi(gp, 1), oh = gi(gp, 2), ow = gi(gp, 3), kh = gi(gp, 4), kw = gi(gp, 5);
  const sh = gi(gp, 6), sw = gi(gp, 7), ph = gi(gp, 8), pw = gi(gp, 9), incl = gi(gp, 10);
  for (let q = q0; q < q1; q++) {
    const dxp = dx + <usize>q * <usize>(h * w) * 4;
    memory.fill(dxp, 0, <usize>(h * w) * 4);
    let o = dy + <usize>q * <usize>(oh * ow) * 4;
    for (let oy = 0; oy < oh; oy++) {
      const y0 = oy * sh - ph;
      const ya = max(y0, 0), yb = min(y0 + kh, h);
      for (let ox = 0; ox < ow; ox++) {
        const x0 = ox * sw - pw;
        const xa = max(x0, 0), xb = min(x0 + kw, w);
        const d = divisor(y0, x0, kh, kw, h, w, ph, pw, incl);
        const g: f32 = d > 0 ? load<f32>(o) / d : 0;
        for (let iy = ya; iy < yb; iy++) {
          for (let ix = xa; ix < xb; ix++) {
            const p = dxp + <usize>(iy * w + ix) * 4;
            store<f32>(p, load<f32>(p) + g);
          }
        }
        o += 4;
      }
    }
  }
}
