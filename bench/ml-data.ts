// The clustering benchmark's data: seeded Gaussian blobs (src/ml/blobs.ts makeBlobs, sklearn's make_blobs rule),
// standardised column by column (mean 0, population sd 1: StandardScaler), written once as raw little-endian files
// that the browser page fetches and bench/sklearn_ref.py reads with numpy.fromfile, so both sides cluster the very
// same matrix: NAME.f64 (rows × cols float64, row-major) and NAME.i32 (the blob each row came from, int32).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeBlobs } from '../src/ml/blobs.ts';

/** One benchmark matrix. */
export interface MlDataset {
  /** File stem: blobs-50k-8. */
  name: string;
  /** "50K × 8" for the table. */
  label: string;
  rows: number;
  cols: number;
}

/** Blobs: 8 centres in [-10, 10]^8 (make_blobs' center_box), sd 3 per feature, so the blobs overlap a little. */
export const BLOBS = { centres: 8, std: 3, seed: 0 } as const;

/** The matrix of `rows` × `cols` blobs, standardised; labels = the blob of each row. */
export function blobsMatrix(rows: number, cols: number): { data: Float64Array; labels: Int32Array } {
  const b = makeBlobs({ n: rows, centres: BLOBS.centres, d: cols, std: BLOBS.std, seed: BLOBS.seed });
  const data = b.x.data;
  for (let j = 0; j < cols; j++) {
    let mean = 0;
    for (let i = 0; i < rows; i++) mean += data[i * cols + j];
    mean /= rows;
    let v = 0;
    for (let i = 0; i < rows; i++) v += (data[i * cols + j] - mean) ** 2;
    const sd = Math.sqrt(v / rows) || 1;
    for (let i = 0; i < rows; i++) data[i * cols + j] = (data[i * cols + j] - mean) / sd;
  }
  return { data, labels: b.labels };
}

/** Write NAME.f64 and NAME.i32 into `dir`; returns their paths. */
export function writeDataset(dir: string, ds: MlDataset): { data: string; labels: string } {
  mkdirSync(dir, { recursive: true });
  const { data, labels } = blobsMatrix(ds.rows, ds.cols);
  const paths = { data: join(dir, `${ds.name}.f64`), labels: join(dir, `${ds.name}.i32`) };
  // Typed arrays are little-endian on every machine this runs on (x86, ARM); numpy reads them as '<f8' / '<i4'.
  writeFileSync(paths.data, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  writeFileSync(paths.labels, new Uint8Array(labels.buffer, labels.byteOffset, labels.byteLength));
  return paths;
}
