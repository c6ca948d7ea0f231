// How much the browser lets Strata store, and how much it uses (StorageManager; absent in some browsers).

/** Bytes used and available to this origin, or null if the browser does not say. */
export async function storageEstimate(): Promise<{ usage: number; quota: number } | null> {
  if (!navigator.storage?.estimate) return null;
  const e = await navigator.storage.estimate();
  return { usage: e.usage ?? 0, quota: e.quota ?? 0 };
}

/** Ask the browser not to evict Strata's storage under pressure; resolves to whether it agreed. */
export async function requestPersistentStorage(): Promise<boolean> {
  if (!navigator.storage?.persist) return false;
  return (await navigator.storage.persisted()) || navigator.storage.persist();
}

const units = ['B', 'KB', 'MB', 'GB', 'TB'];
/** 1536 -> "1.5 KB". */
export function fmtBytes(n: number): string {
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return `${n.toFixed(n < 10 && i > 0 ? 1 : 0)} ${units[i]}`;
}
