// The currency of an import (src/data/import/currency.ts) and money shown in it (src/lib/format.ts).
// Run: TZ=UTC node --import tsx --test tests/import-currency.test.ts
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { openNodeDb } from '../src/db/node-db.ts';
import { detect, probe } from '../src/data/import/index.ts';
import { currencyCode, detectCurrency } from '../src/data/import/currency.ts';
import { fmtDay, fmtInt, fmtMoney, fmtMoney2, fmtMoneyAxis, fmtPct, moneyCurrency, setFormatLocale, setMoneyCurrency } from '../src/lib/format.ts';
import { scratchDir, sourceOf, writeFixture } from './fixtures/import/support.ts';
import { SHOPIFY_ORDERS } from './fixtures/exports/shopify.ts';
import { OLIST } from './fixtures/relational/olist.ts';

const RETAIL = new URL('../../shared/data/online_retail.csv.gz', import.meta.url).pathname;

async function guess(files: Record<string, string>, paths: string[] = []) {
  const tmp = scratchDir();
  const db = await openNodeDb();
  try {
    const all = [...Object.entries(files).map(([n, t]) => writeFixture(tmp.dir, n, t)), ...paths];
    const probes = [];
    for (const p of all) probes.push(await probe(db, sourceOf(p)));
    return detectCurrency(probes, probes.map(detect));
  } finally {
    await db.close();
    tmp.cleanup();
  }
}

test('a currency column wins; symbols in prices next; else the country most rows name; else none', async () => {
  assert.deepEqual(await guess({ 'orders_export.csv': SHOPIFY_ORDERS }), { code: 'GBP', from: 'the “Currency” column of orders_export.csv' });
  const euros = 'order_id,customer_id,order_date,sku,quantity,price\no1,c1,2024-01-01,A,1,€12.50\no2,c2,2024-01-02,B,2,€3.00\n';
  assert.equal((await guess({ 'eu.csv': euros }))?.code, 'EUR');
  const reais = 'order_id,customer_id,order_date,sku,quantity,price\no1,c1,2024-01-01,A,1,R$ 12.50\n';
  assert.equal((await guess({ 'br.csv': reais }))?.code, 'BRL', 'R$ is reais, not dollars');
  assert.equal(await guess(OLIST as unknown as Record<string, string>), null, 'Olist says nothing: the screen asks');
  if (!existsSync(RETAIL)) assert.fail(`Real-data test needs ${RETAIL}`);
  const uk = await guess({}, [RETAIL]);
  assert.equal(uk?.code, 'GBP', 'a UK retailer is never shown in dollars');
  assert.match(uk!.from, /United Kingdom/);
});

test('codes are checked; money is shown in the chosen currency', () => {
  assert.equal(currencyCode('gbp'), 'GBP');
  assert.equal(currencyCode('XX'), null);
  assert.equal(currencyCode('<b>'), null);
  assert.equal(currencyCode(null), null);
  try {
    assert.equal(fmtMoney(1234), '$1,234');
    setMoneyCurrency('GBP');
    assert.equal(moneyCurrency(), 'GBP');
    assert.deepEqual([fmtMoney(1234), fmtMoney2(12.5), fmtMoney(8_910_000), fmtMoneyAxis(12_300)], ['£1,234', '£12.50', '£8,910,000', '£12.3K']);
    setMoneyCurrency('EUR');
    assert.equal(fmtMoney(5), '€5');
    assert.throws(() => setMoneyCurrency('nope'), RangeError);
    assert.equal(moneyCurrency(), 'EUR', 'a bad code changes nothing');
  } finally {
    setMoneyCurrency('USD');
  }
});

test("numbers and dates follow the user's locale; money keeps the dataset's currency", () => {
  try {
    assert.equal(setFormatLocale('de-DE'), 'de-DE');
    setMoneyCurrency('GBP');
    assert.deepEqual([fmtInt(12345.6), fmtMoney2(1234.5), fmtDay(Date.UTC(2025, 2, 4)), fmtPct(0.123)],
      ['12.346', '1.234,50\u00a0£', '4. März 2025', '12,3\u00a0%']);
    assert.equal(setFormatLocale('not a locale!'), 'en-US', 'a bad tag falls back to en-US');
    assert.equal(setFormatLocale(undefined), 'en-US');
    assert.deepEqual([fmtInt(12345.6), fmtMoney2(1234.5), fmtDay(Date.UTC(2025, 2, 4))], ['12,346', '£1,234.50', 'Mar 4, 2025']);
  } finally {
    setFormatLocale('en-US');
    setMoneyCurrency('USD');
  }
});
