// Least-squares straight line through evenly spaced values: the trend overlaid on revenue over time.

/** y = intercept + slope * i for bucket index i, and the fitted value at every index. */
export interface LinearTrend {
  slope: number;
  intercept: number;
  values: number[];
}

/** Fit y = a + b*i over i = 0..n-1; one point gives a flat line through it, none gives an empty trend. */
export function linearTrend(ys: readonly number[]): LinearTrend {
  const n = ys.length;
  if (n === 0) return { slope: 0, intercept: 0, values: [] };
  const xMean = (n - 1) / 2;
  let yMean = 0;
  for (const y of ys) yMean += y;
  yMean /= n;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += (i - xMean) * (ys[i] - yMean);
    sxx += (i - xMean) * (i - xMean);
  }
  const slope = sxx === 0 ? 0 : sxy / sxx;
  const intercept = yMean - slope * xMean;
  return { slope, intercept, values: ys.map((_, i) => intercept + slope * i) };
}
