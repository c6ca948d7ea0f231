// Whether a statement only reads (the threaded reader may answer it from its snapshot) or may change the database.
// Conservative by design: anything it is unsure of counts as a write, which costs only a fresh snapshot later.

/**
 * - `read`: one SELECT-like statement (SELECT, FROM, VALUES, WITH … SELECT, DESCRIBE, SHOW, SUMMARIZE, PIVOT);
 * - `neutral`: changes no table (CHECKPOINT): runs on the main engine and leaves the snapshot current;
 * - `write`: anything else, several statements included.
 */
export type StatementKind = 'read' | 'neutral' | 'write';

const READ_FIRST = new Set(['SELECT', 'FROM', 'VALUES', 'WITH', 'DESCRIBE', 'SHOW', 'SUMMARIZE', 'PIVOT', 'UNPIVOT']);

/** Words that, outside quotes, make a WITH statement a possible write (DuckDB runs `WITH … INSERT` and `WITH … DELETE`). */
const WRITE_WORDS = new Set([
  'INSERT', 'UPDATE', 'DELETE', 'MERGE', 'CREATE', 'DROP', 'ALTER', 'COPY', 'ATTACH', 'DETACH', 'TRUNCATE', 'SET', 'RESET',
  'PRAGMA', 'CALL', 'EXPORT', 'IMPORT', 'VACUUM', 'LOAD', 'INSTALL', 'USE', 'BEGIN', 'COMMIT', 'ROLLBACK', 'ABORT',
  'CHECKPOINT', 'EXECUTE', 'PREPARE', 'DEALLOCATE', 'COMMENT',
]);

/** The bare words of `sql` outside strings, quoted identifiers and comments; `;` as its own token. */
function words(sql: string): string[] {
  const out: string[] = [];
  let i = 0;
  const n = sql.length;
  while (i < n) {
    const c = sql[i];
    if (c === "'" || c === '"') {
      // A quoted string or identifier; a doubled quote stays inside it.
      i++;
      while (i < n) {
        if (sql[i] === c) {
          if (sql[i + 1] === c) i += 2;
          else break;
        } else i++;
      }
      i++;
    } else if (c === '-' && sql[i + 1] === '-') {
      while (i < n && sql[i] !== '\n') i++;
    } else if (c === '/' && sql[i + 1] === '*') {
      const end = sql.indexOf('*/', i + 2);
      i = end < 0 ? n : end + 2;
    } else if (c === '$') {
      // A dollar-quoted string ($$…$$ or $tag$…$tag$) would hide words: count the rest as unknown.
      out.push('$');
      return out;
    } else if (c === ';') {
      out.push(';');
      i++;
    } else if (/[A-Za-z_]/.test(c)) {
      let j = i + 1;
      while (j < n && /[A-Za-z0-9_$]/.test(sql[j])) j++;
      out.push(sql.slice(i, j).toUpperCase());
      i = j;
    } else i++;
  }
  return out;
}

/** Classify one statement text (see StatementKind). */
export function statementKind(sql: string): StatementKind {
  const w = words(sql);
  if (w.includes('$')) return 'write';
  // More than one statement: whatever the first one is, a later one may write.
  const semi = w.indexOf(';');
  if (semi >= 0 && w.slice(semi).some((x) => x !== ';')) return 'write';
  const first = w[0];
  if (first === 'CHECKPOINT' && (semi < 0 ? w.length === 1 : semi === 1)) return 'neutral';
  if (!first || !READ_FIRST.has(first)) return 'write';
  if (first === 'WITH' && w.some((x) => WRITE_WORDS.has(x))) return 'write';
  return 'read';
}

/**
 * Whether a connection has an explicit transaction open after running `sql` (one statement or a script), given
 * whether it had one before: the last BEGIN / START TRANSACTION or COMMIT / END / ROLLBACK / ABORT decides.
 */
export function transactionOpenAfter(sql: string, wasOpen: boolean): boolean {
  let open = wasOpen;
  let start = true; // at the start of a statement
  for (const w of words(sql)) {
    if (w === ';') {
      start = true;
      continue;
    }
    if (start) {
      if (w === 'BEGIN' || w === 'START') open = true;
      else if (w === 'COMMIT' || w === 'END' || w === 'ROLLBACK' || w === 'ABORT') open = false;
    }
    start = false;
  }
  return open;
}
