// Which currency an import's money is in, from what its files say, in this order: a currency column (Shopify's
// "Currency", Stripe's "currency": ISO 4217 codes), currency symbols in its price or amount columns (£ € ¥ R$ …),
// else the country most of its preview rows come from (a UK retailer's data is in pounds). Null when nothing says:
// the screen then asks, once per dataset. Pure: works on the probes' previews and the proposed mappings.
import type { FileMapping, FileProbe } from './types.ts';
import { normalizeName } from './targets.ts';

export interface CurrencyGuess {
  code: string;
  /** Where it came from, in words: 'the "Currency" column', 'the £ in "UnitPrice"', … */
  from: string;
}

/** A valid ISO 4217 code for Intl (upper-case, known to this browser), else null. */
export function currencyCode(x: unknown): string | null {
  if (typeof x !== 'string' || !/^[A-Za-z]{3}$/.test(x.trim())) return null;
  const code = x.trim().toUpperCase();
  try {
    new Intl.NumberFormat('en-US', { style: 'currency', currency: code });
    return code;
  } catch {
    return null;
  }
}

/** Currencies users pick from (the list grows with any code a file names). */
export const COMMON_CURRENCIES = ['USD', 'EUR', 'GBP', 'JPY', 'CNY', 'INR', 'BRL', 'CAD', 'AUD', 'CHF', 'SEK', 'NOK', 'DKK', 'PLN', 'MXN', 'ZAR', 'KRW', 'SGD', 'HKD', 'NZD', 'RUB', 'TRY'] as const;

/** Symbols in money text, longest first (R$ before $). A bare $ means US dollars. */
const SYMBOLS: readonly [string, string][] = [['R$', 'BRL'], ['A$', 'AUD'], ['C$', 'CAD'], ['HK$', 'HKD'], ['NZ$', 'NZD'], ['£', 'GBP'], ['€', 'EUR'], ['¥', 'JPY'], ['₹', 'INR'], ['₩', 'KRW'], ['₽', 'RUB'], ['₺', 'TRY'], ['zł', 'PLN'], ['$', 'USD']];

/** The currency of the country most preview rows name (normalised names and ISO 3166 alpha-2 codes). */
const COUNTRY_CURRENCY: Readonly<Record<string, string>> = {
  unitedkingdom: 'GBP', uk: 'GBP', gb: 'GBP', greatbritain: 'GBP', england: 'GBP', eire: 'EUR', ireland: 'EUR', ie: 'EUR',
  unitedstates: 'USD', usa: 'USD', us: 'USD', unitedstatesofamerica: 'USD', germany: 'EUR', de: 'EUR', france: 'EUR', fr: 'EUR',
  spain: 'EUR', es: 'EUR', italy: 'EUR', it: 'EUR', netherlands: 'EUR', nl: 'EUR', belgium: 'EUR', be: 'EUR', portugal: 'EUR', pt: 'EUR',
  austria: 'EUR', at: 'EUR', finland: 'EUR', fi: 'EUR', brazil: 'BRL', br: 'BRL', brasil: 'BRL', japan: 'JPY', jp: 'JPY', china: 'CNY', cn: 'CNY',
  india: 'INR', in: 'INR', canada: 'CAD', ca: 'CAD', australia: 'AUD', au: 'AUD', switzerland: 'CHF', ch: 'CHF', sweden: 'SEK', se: 'SEK',
  norway: 'NOK', no: 'NOK', denmark: 'DKK', dk: 'DKK', poland: 'PLN', pl: 'PLN', mexico: 'MXN', mx: 'MXN', southafrica: 'ZAR', za: 'ZAR',
  southkorea: 'KRW', kr: 'KRW', singapore: 'SGD', sg: 'SGD', newzealand: 'NZD', nz: 'NZD', russia: 'RUB', ru: 'RUB', turkey: 'TRY', tr: 'TRY',
};

/** The commonest value of `values` and its count. */
function mode(values: readonly string[]): [string, number] | null {
  const n = new Map<string, number>();
  for (const v of values) n.set(v, (n.get(v) ?? 0) + 1);
  let best: [string, number] | null = null;
  for (const e of n) if (!best || e[1] > best[1]) best = e;
  return best;
}

/** Guess the currency of an import (see the header). */
export function detectCurrency(probes: readonly FileProbe[], mappings: readonly FileMapping[]): CurrencyGuess | null {
  // 1. A currency column.
  for (const p of probes) {
    for (const c of p.columns) {
      if (!['currency', 'currencycode', 'ordercurrency', 'ordercurrencycode', 'presentmentcurrency', 'currencyiso'].includes(normalizeName(c.name))) continue;
      const codes = p.preview.map((r) => currencyCode(r[c.name])).filter((x): x is string => x !== null);
      const m = mode(codes);
      if (m) return { code: m[0], from: `the “${c.name}” column of ${p.source.displayName}` };
    }
  }
  // 2. Symbols in money columns.
  for (const [i, p] of probes.entries()) {
    const money = mappings[i]?.columns.filter((c) => ['price', 'revenue', 'shipping'].includes(c.target)).map((c) => c.column) ?? [];
    for (const col of money) {
      const found = p.preview.map((r) => r[col] ?? '').map((v) => SYMBOLS.find(([s]) => v.includes(s))?.[1]).filter((x): x is string => !!x);
      const m = mode(found);
      if (m) return { code: m[0], from: `the currency symbol in the “${col}” column of ${p.source.displayName}` };
    }
  }
  // 3. The country most rows name.
  const countries: string[] = [];
  for (const [i, p] of probes.entries()) {
    const col = mappings[i]?.columns.find((c) => c.target === 'country')?.column;
    if (!col) continue;
    for (const r of p.preview) {
      const v = r[col];
      const code = v ? COUNTRY_CURRENCY[normalizeName(v)] : undefined;
      if (code) countries.push(`${code}\u0000${v}`);
    }
  }
  const m = mode(countries);
  if (m) {
    const [code, name] = m[0].split('\u0000');
    return { code, from: `the country most rows name (${name}); change it if the shop priced in another currency` };
  }
  return null;
}
