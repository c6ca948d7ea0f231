// Unconstrained minimisation for maximum-likelihood fits: Nelder–Mead (the simplex method, standard coefficients
// 1 / 2 / 0.5 / 0.5, as scipy's fmin), BFGS with central-difference gradients and a backtracking line search as the
// fallback, and a central-difference Hessian for standard errors. Pure functions on number arrays.

export interface Minimum {
  x: number[];
  f: number;
  iterations: number;
  converged: boolean;
  method: 'nelder-mead' | 'bfgs';
}

export interface NelderMeadOptions {
  /** Stop when the simplex's f values and points spread less than these (scipy's fatol / xatol). */
  fTol?: number;
  xTol?: number;
  maxIterations?: number;
  /** The first simplex: x0 plus `step` along each axis. */
  step?: number;
}

/** Minimise f from x0 by Nelder–Mead. A non-finite f counts as +Infinity (the simplex moves away from it). */
export function nelderMead(f: (x: number[]) => number, x0: readonly number[], o: NelderMeadOptions = {}): Minimum {
  const n = x0.length;
  const fTol = o.fTol ?? 1e-10, xTol = o.xTol ?? 1e-8, maxIt = o.maxIterations ?? 2000 * n, step = o.step ?? 0.5;
  const F = (x: number[]) => {
    const v = f(x);
    return Number.isFinite(v) ? v : Infinity;
  };
  const pts: number[][] = [x0.slice()];
  for (let i = 0; i < n; i++) {
    const p = x0.slice();
    p[i] = p[i] !== 0 ? p[i] * (1 + step) : step;
    pts.push(p);
  }
  let vals = pts.map(F);
  let it = 0;
  let converged = false;
  for (; it < maxIt; it++) {
    const order = vals.map((_, i) => i).sort((i, j) => vals[i] - vals[j]);
    const sp = order.map((i) => pts[i]);
    const sv = order.map((i) => vals[i]);
    pts.splice(0, pts.length, ...sp);
    vals = sv;
    let xSpread = 0;
    for (let i = 1; i <= n; i++) for (let j = 0; j < n; j++) xSpread = Math.max(xSpread, Math.abs(pts[i][j] - pts[0][j]));
    if (Math.abs(vals[n] - vals[0]) <= fTol && xSpread <= xTol) {
      converged = true;
      break;
    }
    const centroid = new Array<number>(n).fill(0);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) centroid[j] += pts[i][j] / n;
    const toward = (t: number) => centroid.map((c, j) => c + t * (pts[n][j] - c));
    const xr = toward(-1);
    const fr = F(xr);
    if (fr < vals[0]) {
      const xe = toward(-2);
      const fe = F(xe);
      if (fe < fr) [pts[n], vals[n]] = [xe, fe];
      else [pts[n], vals[n]] = [xr, fr];
    } else if (fr < vals[n - 1]) {
      [pts[n], vals[n]] = [xr, fr];
    } else {
      const outside = fr < vals[n];
      const xc = toward(outside ? -0.5 : 0.5);
      const fc = F(xc);
      if (fc < (outside ? fr : vals[n])) [pts[n], vals[n]] = [xc, fc];
      else {
        for (let i = 1; i <= n; i++) {
          pts[i] = pts[i].map((v, j) => pts[0][j] + 0.5 * (v - pts[0][j]));
          vals[i] = F(pts[i]);
        }
      }
    }
  }
  let best = 0;
  for (let i = 1; i <= n; i++) if (vals[i] < vals[best]) best = i;
  return { x: pts[best].slice(), f: vals[best], iterations: it, converged, method: 'nelder-mead' };
}

/** Central-difference gradient (step h·max(1, |x_i|)). */
export function gradient(f: (x: number[]) => number, x: readonly number[], h = 1e-6): number[] {
  return x.map((xi, i) => {
    const d = h * Math.max(1, Math.abs(xi));
    const a = x.slice(), b = x.slice();
    a[i] = xi + d;
    b[i] = xi - d;
    return (f(a) - f(b)) / (2 * d);
  });
}

/** Central-difference Hessian (symmetric), step h·max(1, |x_i|). */
export function hessian(f: (x: number[]) => number, x: readonly number[], h = 1e-4): number[][] {
  const n = x.length;
  const d = x.map((xi) => h * Math.max(1, Math.abs(xi)));
  const at = (di: number, si: number, dj: number, sj: number) => {
    const p = x.slice();
    p[di] += si * d[di];
    p[dj] += sj * d[dj];
    return f(p);
  };
  const H = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      const v = (at(i, 1, j, 1) - at(i, 1, j, -1) - at(i, -1, j, 1) + at(i, -1, j, -1)) / (4 * d[i] * d[j]);
      H[i][j] = v;
      H[j][i] = v;
    }
  }
  return H;
}

/** Inverse of a symmetric positive-definite matrix by Gauss–Jordan with partial pivoting; null when singular. */
export function invert(m: readonly (readonly number[])[]): number[][] | null {
  const n = m.length;
  const a = m.map((r, i) => [...r, ...Array.from({ length: n }, (_, j) => (i === j ? 1 : 0))]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(a[r][c]) > Math.abs(a[p][c])) p = r;
    if (!(Math.abs(a[p][c]) > 1e-300)) return null;
    [a[c], a[p]] = [a[p], a[c]];
    const piv = a[c][c];
    for (let j = 0; j < 2 * n; j++) a[c][j] /= piv;
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const k = a[r][c];
      if (k !== 0) for (let j = 0; j < 2 * n; j++) a[r][j] -= k * a[c][j];
    }
  }
  return a.map((r) => r.slice(n));
}

export interface BfgsOptions {
  gTol?: number;
  maxIterations?: number;
}

/** Minimise f from x0 by BFGS (numerical gradients, Armijo backtracking). */
export function bfgs(f: (x: number[]) => number, x0: readonly number[], o: BfgsOptions = {}): Minimum {
  const n = x0.length;
  const gTol = o.gTol ?? 1e-6, maxIt = o.maxIterations ?? 500;
  let x = x0.slice();
  let fx = f(x);
  let g = gradient(f, x);
  let H: number[][] = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)));
  let it = 0;
  for (; it < maxIt; it++) {
    if (Math.max(...g.map(Math.abs)) < gTol) return { x, f: fx, iterations: it, converged: true, method: 'bfgs' };
    const p = H.map((r) => -r.reduce((s, v, j) => s + v * g[j], 0));
    let slope = p.reduce((s, v, i) => s + v * g[i], 0);
    if (!(slope < 0)) {
      // Not a descent direction: restart from steepest descent.
      H = H.map((r, i) => r.map((_, j) => (i === j ? 1 : 0)));
      for (let i = 0; i < n; i++) p[i] = -g[i];
      slope = -g.reduce((s, v) => s + v * v, 0);
    }
    let t = 1;
    let xn = x, fn = fx;
    for (let k = 0; k < 60; k++) {
      xn = x.map((v, i) => v + t * p[i]);
      fn = f(xn);
      if (Number.isFinite(fn) && fn <= fx + 1e-4 * t * slope) break;
      t /= 2;
    }
    if (!(Number.isFinite(fn) && fn <= fx)) return { x, f: fx, iterations: it, converged: false, method: 'bfgs' };
    const gn = gradient(f, xn);
    const s = xn.map((v, i) => v - x[i]);
    const y = gn.map((v, i) => v - g[i]);
    const sy = s.reduce((acc, v, i) => acc + v * y[i], 0);
    if (sy > 1e-12) {
      const Hy = H.map((r) => r.reduce((acc, v, j) => acc + v * y[j], 0));
      const yHy = y.reduce((acc, v, i) => acc + v * Hy[i], 0);
      H = H.map((r, i) => r.map((v, j) => v + ((sy + yHy) * s[i] * s[j]) / (sy * sy) - (Hy[i] * s[j] + s[i] * Hy[j]) / sy));
    }
    const done = Math.abs(fx - fn) <= 1e-14 * Math.max(1, Math.abs(fx));
    x = xn;
    fx = fn;
    g = gn;
    if (done) return { x, f: fx, iterations: it + 1, converged: Math.max(...g.map(Math.abs)) < gTol * 100, method: 'bfgs' };
  }
  return { x, f: fx, iterations: it, converged: false, method: 'bfgs' };
}
