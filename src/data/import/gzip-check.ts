// A full decompression pass over a .gz file before it is read. DuckDB stops quietly where a cut-short gzip stream
// ends and loads the rows it got as if that were the whole file (half an export, a "missing columns" line and no
// word of the rest); the platform's DecompressionStream checks the stream's end, length and checksum instead.
import { StrataError, messageOf } from '../../errors.ts';

/** Throw a StrataError naming the problem when `blob` is not a complete, intact gzip stream. */
export async function checkGzip(blob: Blob, who: string): Promise<void> {
  const reader = blob.stream().pipeThrough(new DecompressionStream('gzip') as unknown as TransformStream<Uint8Array, Uint8Array>).getReader();
  try {
    for (;;) {
      const { done } = await reader.read();
      if (done) return;
    }
  } catch (err) {
    const raw = messageOf(err);
    // Bytes after the first gzip member: several members (cat a.gz b.gz) or padding. DuckDB reads every member,
    // and the first one ended intact, so this is not the damage this pass looks for.
    if (/junk|trailing/i.test(raw)) return;
    const cut = /truncat|unexpected end|premature|incomplete/i.test(raw);
    throw new StrataError(
      cut
        ? `${who} is cut short: its gzip data ends before the end of the compressed file, so part of the export is ` +
            'missing (an interrupted download or copy). Nothing was imported from it. Download or export it again.'
        : `${who} is damaged: its gzip data does not decompress (${raw.trim().replace(/[.\s]+$/, '')}). Nothing was ` +
            'imported from it. Download or export it again.',
      raw, { cause: err },
    );
  } finally {
    reader.releaseLock();
  }
}
