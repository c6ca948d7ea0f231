// Messages of the Clusters screen that depend on what went wrong.

/** Out-of-memory errors from typed-array allocation, in words a user can act on. */
export function friendly(message: string, m: { rows: number; columns: readonly unknown[] }): string {
  if (/allocation failed|out of memory|invalid array length|Array buffer/i.test(message)) {
    return `Not enough memory in this tab to cluster ${m.rows.toLocaleString('en-US')} users × ${m.columns.length} features ` +
      '(the browser refused the memory). Try fewer features, mini-batch k-means, or a smaller dataset; nothing was changed.';
  }
  return message;
}
