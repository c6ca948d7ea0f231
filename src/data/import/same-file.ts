// The same file added twice to one import would count every row twice (revenue doubled, with no error anywhere):
// tell such pairs apart from different files before anything is read.
import { StrataError } from '../../errors.ts';
import type { ImportSource } from './types.ts';

/** How much of each end is compared (the head is already this long). */
const SAMPLE = 64 * 1024;

/**
 * True when `a` and `b` are the same file: the same DuckDB name, or the same size with the same first 64 KiB and,
 * when both files are at hand, the same last 64 KiB (an export's last rows differ when its dates do). Same-sized
 * exports whose first and last 64 KiB match but differ between them count as the same: that is vanishingly rare,
 * and the user can still import them one at a time.
 */
export async function sameFile(a: ImportSource, b: ImportSource): Promise<boolean> {
  if (a.name === b.name) return true;
  if (a.size !== b.size || !equalBytes(a.head, b.head)) return false;
  if (!a.blob || !b.blob || a.size <= a.head.length) return true;
  const tail = async (blob: Blob) => new Uint8Array(await blob.slice(Math.max(0, blob.size - SAMPLE)).arrayBuffer());
  return equalBytes(await tail(a.blob), await tail(b.blob));
}

/** The error for a file that is already in the import. */
export function sameFileError(first: ImportSource, second: ImportSource): StrataError {
  const same = first.displayName === second.displayName;
  return new StrataError(
    (same
      ? `${second.displayName} was added twice`
      : `${second.displayName} is the same file as ${first.displayName} (same size and content)`) +
      ': importing both would count every row twice and double the revenue. Remove one of them and import again.',
  );
}

function equalBytes(x: Uint8Array, y: Uint8Array): boolean {
  if (x.length !== y.length) return false;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}
