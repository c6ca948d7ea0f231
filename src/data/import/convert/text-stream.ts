// A Blob as a stream of text (UTF-8, gunzipped when asked) that reports the file bytes read: the file is never
// one giant string, and progress counts what was read from disk (compressed bytes for .gz).
import type { ConvertSink } from './types.ts';

/** Report progress at most this often (as a share of the file): each report is a message between threads. */
const STEP = 0.005;

/** Stream `blob` as text; `sink.progress` hears the bytes read so far (throttled). */
export function textStream(blob: Blob, gzip: boolean, sink: Pick<ConvertSink, 'progress'>): ReadableStream<string> {
  const total = blob.size;
  let read = 0;
  let told = 0;
  const count = new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, out) {
      read += chunk.byteLength;
      if (read - told >= STEP * total || read === total) {
        told = read;
        sink.progress(read, total);
      }
      out.enqueue(chunk);
    },
  });
  let bytes = blob.stream().pipeThrough(count) as ReadableStream<Uint8Array>;
  if (gzip) bytes = bytes.pipeThrough(new DecompressionStream('gzip') as unknown as TransformStream<Uint8Array, Uint8Array>);
  return bytes.pipeThrough(new TextDecoderStream() as unknown as TransformStream<Uint8Array, string>);
}

/**
 * Call `fn` with every line of a text stream (without its line break) and its 1-based number; the last line may
 * lack a break. `fn` returns a promise only when it must wait (a full chunk being stored): no await per line.
 */
export async function eachLine(text: ReadableStream<string>, fn: (line: string, n: number) => void | Promise<void>): Promise<void> {
  const reader = text.getReader();
  let carry = '';
  let n = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      const buf = carry + value;
      let start = 0;
      for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n', start)) {
        const wait = fn(buf.slice(start, nl), ++n);
        if (wait) await wait;
        start = nl + 1;
      }
      carry = buf.slice(start);
    }
    if (carry) {
      const wait = fn(carry, ++n);
      if (wait) await wait;
    }
  } finally {
    await reader.cancel().catch(() => undefined); // stop reading the file when a line was bad
  }
}
