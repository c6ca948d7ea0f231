// The stored database as files: for the recovery panel, which offers the raw file (and its write-ahead log) as a
// download when the engine cannot open it, so a damaged database is never lost, only set aside by the user.

/** The names DuckDB uses in the Origin Private File System for Strata's database (see OPFS_PATH). */
export const STORED_FILES = ['strata.db', 'strata.db.wal'] as const;

/** Every stored database file that exists, with its bytes (as a Blob, not read into memory). */
export async function storedFiles(): Promise<{ name: string; file: File }[]> {
  const root = await navigator.storage.getDirectory();
  const out: { name: string; file: File }[] = [];
  for (const name of STORED_FILES) {
    try {
      const handle = await root.getFileHandle(name);
      out.push({ name, file: await handle.getFile() });
    } catch {
      // Absent (no write-ahead log is normal after a checkpoint).
    }
  }
  return out;
}

/** Offer a Blob as a download named `filename` (nothing leaves the browser). */
export function downloadBlob(blob: Blob, filename: string): void {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = filename;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}

/**
 * True when this browser has Origin Private File System storage and no stored database file in it yet (a first
 * visit, or after the site's data was cleared); false when one exists or storage cannot be read.
 */
export async function noStoredDatabase(): Promise<boolean> {
  if (typeof navigator === 'undefined' || typeof navigator.storage?.getDirectory !== 'function') return false;
  try {
    await (await navigator.storage.getDirectory()).getFileHandle(STORED_FILES[0]);
    return false;
  } catch (err) {
    return err instanceof DOMException && err.name === 'NotFoundError';
  }
}
