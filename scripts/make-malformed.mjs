// The large files of the malformed-input corpus (tests/fixtures/malformed/), written on demand into a gitignored
// folder: a 5 MB field on line 12, 10 MB lines early and late, line ends switching from LF to CRLF after 64 KiB and
// after DuckDB's sniffing sample,
// a Parquet file with damaged bytes (parquet-wasm traps on it) and one cut in half. Same bytes on every run.
// Run: node scripts/make-malformed.mjs   (tests and e2e specs call makeMalformed() themselves)
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where the generated files go (listed in .gitignore). */
export const GENERATED = fileURLToPath(new URL('../tests/fixtures/malformed/generated/', import.meta.url));

const HEADER = 'user_id,ts,event,note';
const line = (i) => `u${i},2025-01-01 ${String(10 + (i % 12)).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}:00,view,n${i}`;

/** Lines 2.. of a CSV with `rows` data rows, the one at `at` (1-based data row) carrying a field of `size` x's. */
function csvWithLongField(rows, at, size) {
  const out = [HEADER];
  for (let i = 1; i <= rows; i++) out.push(i === at ? `u${i},2025-01-01 10:00:00,view,${'x'.repeat(size)}` : line(i));
  return out.join('\n') + '\n';
}

/** `rows` rows ending in LF up to row `from`, in CRLF after it. */
function lateCrlf(rows, from) {
  const all = Array.from({ length: rows }, (_, i) => line(i + 1));
  return HEADER + '\n' + all.slice(0, from).join('\n') + '\n' + all.slice(from).join('\r\n') + '\r\n';
}

/** A Parquet file of 20,000 events (snappy, 10 row groups), written by native DuckDB. */
async function parquetBytes() {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const tmp = mkdtempSync(join(tmpdir(), 'strata-malformed-'));
  const path = join(tmp, 'events.parquet');
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  try {
    await conn.run(`COPY (SELECT 'u' || (i % 300) AS user_id, TIMESTAMP '2025-03-01' + to_seconds(i * 97) AS event_time,
      CASE WHEN i % 7 = 0 THEN 'purchase' ELSE 'view' END AS event_type, (i * 7919 % 1000)::DOUBLE AS price
      FROM range(20000) t(i)) TO '${path}' (FORMAT parquet, ROW_GROUP_SIZE 2000, COMPRESSION snappy)`);
    return readFileSync(path);
  } finally {
    conn.closeSync();
    db.closeSync();
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** Damage 512 bytes at 30% of the file: the page data no longer decompresses (parquet-wasm panics, DuckDB errors). */
function damaged(bytes) {
  const out = Buffer.from(bytes);
  const at = Math.floor(out.length * 0.3);
  for (let i = at; i < at + 512; i++) out[i] = (i * 31 + 7) & 255;
  return out;
}

const FILES = {
  'bigfield.csv': () => csvWithLongField(12, 11, 5_000_000),
  'hugefield-start.csv': () => csvWithLongField(12, 11, 10_000_000),
  'hugefield-late.csv': () => csvWithLongField(25_000, 24_000, 10_000_000),
  // CRLF from ~100 KB: past the 64 KiB head, within DuckDB's sniffing sample (its strict sniffer gives up).
  'mixed-eol-late.csv': () => lateCrlf(4000, 2500),
  // CRLF from row 40,001: past the 20,480-line sniffing sample too (the strict read stops there).
  'mixed-eol-after-sample.csv': () => lateCrlf(60_000, 40_000),
};

/** Write every generated file that is missing; returns the folder. */
export async function makeMalformed(dir = GENERATED) {
  mkdirSync(dir, { recursive: true });
  const write = (name, content) => {
    const tmp = join(dir, `.${name}.${process.pid}.tmp`);
    writeFileSync(tmp, content);
    renameSync(tmp, join(dir, name)); // whole or nothing: a run stopped half-way leaves no short file behind
  };
  for (const [name, make] of Object.entries(FILES)) if (!existsSync(join(dir, name))) write(name, make());
  if (!existsSync(join(dir, 'corrupted.parquet')) || !existsSync(join(dir, 'cut.parquet'))) {
    const good = await parquetBytes();
    write('corrupted.parquet', damaged(good));
    write('cut.parquet', good.subarray(0, good.length >> 1));
  }
  return dir;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  makeMalformed().then((dir) => console.log(`malformed corpus: large files in ${dir}`));
}
