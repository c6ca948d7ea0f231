// The one data shape every ML module takes: a dense row-major matrix of doubles (rows = users, cols = features),
// so features travel between DuckDB, workers and algorithms as one transferable buffer, never as number[][] rows.

/** rows × cols doubles, row-major: value (i, j) is data[i * cols + j]. */
export interface Matrix {
  data: Float64Array;
  rows: number;
  cols: number;
}

/** A matrix over `data` (its length must be rows × cols). */
export function matrix(data: Float64Array, rows: number, cols: number): Matrix {
  if (data.length !== rows * cols) throw new RangeError(`A ${rows} × ${cols} matrix needs ${rows * cols} values, got ${data.length}.`);
  return { data, rows, cols };
}

/** A matrix from rows of numbers (tests and small inputs). */
export function fromRows(rows: readonly (readonly number[])[]): Matrix {
  const cols = rows.length ? rows[0].length : 0;
  const data = new Float64Array(rows.length * cols);
  rows.forEach((r, i) => {
    if (r.length !== cols) throw new RangeError(`Row ${i} has ${r.length} values, not ${cols}.`);
    data.set(r, i * cols);
  });
  return { data, rows: rows.length, cols };
}

/** Row i as a view (no copy). */
export function row(m: Matrix, i: number): Float64Array {
  return m.data.subarray(i * m.cols, (i + 1) * m.cols);
}

/** The rows at `indexes`, copied into a new matrix (samples). */
export function takeRows(m: Matrix, indexes: ArrayLike<number>): Matrix {
  const out = new Float64Array(indexes.length * m.cols);
  for (let k = 0; k < indexes.length; k++) out.set(row(m, indexes[k]), k * m.cols);
  return { data: out, rows: indexes.length, cols: m.cols };
}

/** Squared Euclidean distance between row i of a and row j of b. */
export function sqDist(a: Matrix, i: number, b: Matrix, j: number): number {
  const d = a.cols;
  let s = 0;
  const ao = i * d;
  const bo = j * d;
  for (let c = 0; c < d; c++) {
    const x = a.data[ao + c] - b.data[bo + c];
    s += x * x;
  }
  return s;
}
