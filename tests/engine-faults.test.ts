// Telling engine crashes, storage-full errors and ordinary SQL errors apart: the app restarts the engine on the
// first, shows STORAGE_FULL for the second, and the statement's own message for the rest.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isEngineFatal, isEngineStopped, isStorageFull, readableEngineError, ENGINE_STOPPED } from '../src/db/engine-faults.ts';

test('traps and invalidated databases are fatal; SQL errors, out-of-memory and cancels are not', () => {
  for (const m of [
    'RuntimeError: memory access out of bounds',
    'memory access out of bounds',
    'RuntimeError: table index is out of bounds',
    'RuntimeError: unreachable',
    'RuntimeError: null function',
    'Aborted(OOM)',
    'FATAL Error: Failed to write to WAL',
    'Invalid Input Error: database has been invalidated because of a previous fatal error',
  ]) assert.equal(isEngineFatal(m), true, m);
  for (const m of [
    'Catalog Error: Table with name x does not exist!',
    'Conversion Error: Could not convert string "abc" to INT32',
    'Out of Memory Error: failed to allocate data of size 16.0 MiB (3.1 GiB/3.1 GiB used)',
    'Parser Error: Max expression depth limit of 1000 exceeded',
    'Cancelled by the user',
    'Binder Error: Referenced column "unreachable_col" not found', // a word inside a name is not a trap
  ]) assert.equal(isEngineFatal(m), false, m);
  assert.equal(isEngineStopped(`${ENGINE_STOPPED} (the database worker stopped answering).`), true);
  assert.equal(isEngineStopped('Catalog Error: x'), false);
});

test('storage-full errors from OPFS and quota checks are recognised in every spelling the browser uses', () => {
  for (const m of [
    "QuotaExceededError: Failed to execute 'write' on 'FileSystemSyncAccessHandle'",
    "Could not import a.csv: Failed to execute 'write' on 'FileSystemSyncAccessHandle': No space available for this operation.",
    'IO Error: No space left on device',
    'The quota has been exceeded.',
  ]) assert.equal(isStorageFull(m), true, m);
  assert.equal(isStorageFull('Catalog Error: Table with name spaces does not exist!'), false);
});

test("DuckDB-WASM's JSON-wrapped errors read as their message", () => {
  const raw = 'Opening the database failed with error: {"exception_type":"IO","exception_message":"The file \\"opfs://strata.db\\" exists, but it is not a valid DuckDB database file!"}';
  assert.equal(readableEngineError(raw), 'The file "opfs://strata.db" exists, but it is not a valid DuckDB database file!');
  assert.equal(readableEngineError('plain words'), 'plain words');
  assert.equal(readableEngineError('{"exception_type": broken'), '{"exception_type": broken');
});
