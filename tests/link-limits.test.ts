// Link limits (issue 11, part 4): every screen's link and every saved filter is held to LINK_LIMITS
// (src/analyses/limits.ts). At each limit the link is accepted, one over it is refused with a message naming the
// limit; the 2 MB "is any of" link and its 6-deep x 5-wide link are refused before they are parsed; every
// analysis binds a link's values once per statement (what the byte budget assumes); a pivot at every limit at once
// runs on native DuckDB. Run: TZ=UTC node --import tsx --test tests/link-limits.test.ts
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { StrataError } from '../src/errors.ts';
import { LINK_LIMITS, LinkBudget, checkJsonText } from '../src/analyses/limits.ts';
import { validateFilter, type FilterGroup } from '../src/analyses/filter/index.ts';
import { PIVOT_LIMITS, planPivot, pivotSql, runPivot, validatePivotSpec } from '../src/analyses/pivot/index.ts';
import { funnelSql, funnelUsersSql, validateFunnelSpec } from '../src/analyses/funnel/index.ts';
import { cohortCellUsersSql, cohortSql, lifecycleSql, validateCohortSpec } from '../src/analyses/cohort/index.ts';
import { pathsSankeySql, pathsTopSql, validatePathsSpec } from '../src/analyses/paths/index.ts';
import { decodeFields, fieldsSql, type Field } from '../src/analyses/fields.ts';
import type { Sql } from '../src/sql/quote.ts';
import { jsonParamProblem, readJsonParam } from '../src/state/url-json.ts';
import { pivotFromParams } from '../src/views/pivot/url-spec.ts';
import { funnelFromParams } from '../src/views/funnels/url-spec.ts';
import { retentionFromParams } from '../src/views/retention/url-spec.ts';
import { journeysFromParams } from '../src/views/journeys/url-spec.ts';
import { checkedFilter, readSaved } from '../src/state/saved-filters-codec.ts';
import { openNodeDb } from '../src/db/node-db.ts';
import type { Db } from '../src/db/types.ts';
import { loadShop } from '../src/data/generator/index.ts';
import { toRows } from '../src/lib/rows.ts';
import { KEEP_COND, anyOfFilter, atLimitsFilter, atLimitsPivot, nestedFilter, pivotWith } from './fixtures/big-links.ts';

/** Assert `fn` throws a StrataError with exactly `message`. */
function refuses(fn: () => unknown, message: string): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof StrataError, `expected a StrataError, got ${String(e)}`);
    assert.equal(e.message, message);
    return true;
  });
}

const age = (i = 0) => ({ field: 'u.age', op: '>', value: i });
const flat = (n: number) => ({ op: 'or', items: Array.from({ length: n }, (_, i) => age(i)) });
/** `levels` groups, the top one included, one inside the other; the deepest holds one condition. */
const chain = (levels: number): Record<string, unknown> => {
  let g: Record<string, unknown> = { op: 'and', items: [age()] };
  for (let i = 1; i < levels; i++) g = { op: 'and', items: [g] };
  return g;
};
/** One condition in each of `n` nested groups under the top group. */
const groups = (n: number) => ({ op: 'and', items: Array.from({ length: n }, () => ({ op: 'or', items: [age()] })) });
const list = (n: number, v: (i: number) => string | number = (i) => i) => ({ field: 'u.age', op: 'in', value: Array.from({ length: n }, (_, i) => v(i)) });
/** `n` values in all: full lists, then one list with the rest. */
const values = (n: number) => {
  const items = [];
  for (let left = n; left > 0; left -= LINK_LIMITS.listValues) items.push(list(Math.min(left, LINK_LIMITS.listValues)));
  return { op: 'and', items };
};
/** `n` characters of text values in all, in 1,000-character values (the last one shorter). */
const text = (n: number) => {
  const vals: string[] = [];
  for (let left = n; left > 0; left -= 1000) vals.push('t'.repeat(Math.min(left, 1000)));
  return { op: 'and', items: [{ field: 'u.country', op: 'in', value: vals }] };
};
const link = (key: string, x: unknown) => new URLSearchParams({ [key]: typeof x === 'string' ? x : JSON.stringify(x) });

describe('the limits themselves', () => {
  test('are what the measurements in src/analyses/limits.ts support', () => {
    assert.deepEqual(LINK_LIMITS, { chars: 100_000, nesting: 32, depth: 6, conditions: 100, groups: 50, listValues: 1000, values: 2000, text: 50_000 });
    assert.equal(PIVOT_LIMITS.groupValues, 1000);
  });
});

describe('link text: refused before it is parsed', () => {
  test('100,000 characters are read, 100,001 are not', () => {
    const spaces = (n: number) => '{}' + ' '.repeat(n - 2);
    assert.doesNotThrow(() => checkJsonText(spaces(100_000)));
    refuses(() => checkJsonText(spaces(100_001)), 'It is 100,001 characters long; a link holds at most 100,000.');
  });

  test('32 levels of lists and objects are read, 33 are not; brackets inside text do not count', () => {
    const nest = (n: number) => '['.repeat(n) + ']'.repeat(n);
    assert.doesNotThrow(() => checkJsonText(nest(32)));
    refuses(() => checkJsonText(nest(33)), 'It nests lists and objects more than 32 levels deep; a link nests at most 32.');
    refuses(() => checkJsonText('{"a":' + nest(32) + '}'), 'It nests lists and objects more than 32 levels deep; a link nests at most 32.');
    assert.doesNotThrow(() => checkJsonText(JSON.stringify({ a: '['.repeat(100), b: '\\"[[[[' + '{'.repeat(50) })));
  });

  test("the issue's 2 MB link (200 OR'd \"is any of\" x 250 values) is refused in well under a second, the default pivot kept", () => {
    const spec = pivotWith(anyOfFilter(200, 250));
    const json = JSON.stringify(spec);
    assert.ok(encodeURIComponent(json).length > 1_900_000, 'about 2 MB in the URL');
    const t0 = performance.now();
    const r = pivotFromParams(link('p', spec));
    const ms = performance.now() - t0;
    assert.equal(r.error, `The link's pivot was ignored: It is ${json.length.toLocaleString('en-US')} characters long; a link holds at most 100,000.`);
    assert.deepEqual(r.spec, validatePivotSpec({}));
    assert.ok(ms < 500, `refused in ${ms.toFixed(1)} ms`);
  });

  test("the issue's 6-deep x 5-wide link (15,625 conditions) is refused before it is parsed", () => {
    const spec = pivotWith(nestedFilter(6, 5));
    const json = JSON.stringify(spec);
    const r = pivotFromParams(link('p', spec));
    assert.equal(r.error, `The link's pivot was ignored: It is ${json.length.toLocaleString('en-US')} characters long; a link holds at most 100,000.`);
  });

  test('a short link with the same shapes is refused by the filter limits instead', () => {
    // 6 levels of groups x 5 wide would need 664,825 characters; the filter limits still stop what fits in fewer.
    assert.equal(
      pivotFromParams(link('p', pivotWith(nestedFilter(3, 5)))).error,
      "The link's pivot was ignored: A view's filters hold at most 100 conditions in all.",
    );
    assert.equal(pivotFromParams(link('p', pivotWith(chain(7)))).error, "The link's pivot was ignored: Filters nest at most 6 groups deep.");
    const deep = '{"filter":' + '{"op":"and","items":['.repeat(40) + ']}'.repeat(40) + '}';
    assert.equal(pivotFromParams(link('p', deep)).error, "The link's pivot was ignored: It nests lists and objects more than 32 levels deep; a link nests at most 32.");
  });

  test('every screen reads its link through the same limits', () => {
    const big = 'x'.repeat(100_001);
    const why = 'It is 100,001 characters long; a link holds at most 100,000.';
    assert.equal(pivotFromParams(link('p', big)).error, `The link's pivot was ignored: ${why}`);
    assert.equal(funnelFromParams(link('f', big), ['a', 'b']).error, `The link's funnel settings were ignored: ${why}`);
    assert.equal(retentionFromParams(link('r', big)).error, `The link's retention settings were ignored: ${why}`);
    assert.equal(journeysFromParams(link('j', big)).error, `The link's journeys settings were ignored: ${why}`);
    const over = flat(LINK_LIMITS.conditions + 1);
    const conds = "A view's filters hold at most 100 conditions in all.";
    assert.equal(funnelFromParams(link('f', { users: over }), ['a', 'b']).error, `The link's funnel settings were ignored: ${conds}`);
    assert.equal(retentionFromParams(link('r', { users: over })).error, `The link's retention settings were ignored: ${conds}`);
    assert.equal(journeysFromParams(link('j', { users: over })).error, `The link's journeys settings were ignored: ${conds}`);
  });

  test('jsonParamProblem says what reading the link back would say (null for no parameter or a good one)', () => {
    assert.equal(jsonParamProblem(null, validatePivotSpec), null);
    assert.equal(jsonParamProblem(JSON.stringify(pivotWith(flat(100))), validatePivotSpec), null);
    assert.equal(jsonParamProblem(JSON.stringify(pivotWith(flat(101))), validatePivotSpec), "A view's filters hold at most 100 conditions in all.");
    assert.equal(jsonParamProblem('x'.repeat(100_001), validatePivotSpec), 'It is 100,001 characters long; a link holds at most 100,000.');
    assert.equal(readJsonParam(link('p', '{'), 'p', validatePivotSpec, () => null, 'Ignored').error, 'Ignored: it is not valid JSON');
  });
});

describe('filter limits: at the limit accepted, one over refused', () => {
  test('conditions: 100', () => {
    assert.doesNotThrow(() => validateFilter(flat(100)));
    refuses(() => validateFilter(flat(101)), "A view's filters hold at most 100 conditions in all.");
  });

  test('nested groups: 50', () => {
    assert.doesNotThrow(() => validateFilter(groups(50)));
    refuses(() => validateFilter(groups(51)), "A view's filters hold at most 50 nested groups in all.");
  });

  test('depth: 6 levels of groups', () => {
    assert.doesNotThrow(() => validateFilter(chain(6)));
    refuses(() => validateFilter(chain(7)), 'Filters nest at most 6 groups deep.');
  });

  test('one list: 1,000 values', () => {
    assert.doesNotThrow(() => validateFilter({ op: 'and', items: [list(1000)] }));
    refuses(() => validateFilter({ op: 'and', items: [list(1001)] }), 'A filter list holds at most 1,000 values.');
  });

  test('values in all: 2,000 (scalars and lists alike)', () => {
    assert.doesNotThrow(() => validateFilter(values(2000)));
    refuses(() => validateFilter(values(2001)), "A view's filters hold at most 2,000 values in all.");
    const withScalar = (n: number) => ({ op: 'and', items: [...values(n).items, age()] });
    assert.doesNotThrow(() => validateFilter(withScalar(1999)));
    refuses(() => validateFilter(withScalar(2000)), "A view's filters hold at most 2,000 values in all.");
  });

  test('text in all: 50,000 characters', () => {
    assert.doesNotThrow(() => validateFilter(text(50_000)));
    refuses(() => validateFilter(text(50_001)), "A view's filters hold at most 50,000 characters of text values in all.");
  });

  test('every limit at once is accepted, and the fixture really is at each one', () => {
    const f = validateFilter(atLimitsFilter());
    let conds = 0;
    let nested = 0;
    let vals = 0;
    let chars = 0;
    let deepest = 0;
    const walk = (g: FilterGroup, depth: number) => {
      deepest = Math.max(deepest, depth + 1);
      for (const n of g.items) {
        if ('items' in n) {
          nested++;
          walk(n, depth + 1);
        } else if ('field' in n) {
          conds++;
          const vs = n.value === undefined ? [] : Array.isArray(n.value) ? n.value : [n.value];
          vals += vs.length;
          for (const v of vs) if (typeof v === 'string') chars += v.length;
        }
      }
    };
    walk(f, 0);
    assert.deepEqual({ conds, nested, vals, chars, deepest }, { conds: 100, nested: 50, vals: 2000, chars: 50_000, deepest: 6 });
    // One more of anything is refused.
    const plus = (item: unknown) => ({ ...atLimitsFilter(), items: [...(atLimitsFilter().items as unknown[]), item] });
    refuses(() => validateFilter(plus({ field: 'u.age', op: 'is_null' })), "A view's filters hold at most 100 conditions in all.");
    refuses(() => validateFilter(plus({ op: 'and', items: [] })), "A view's filters hold at most 50 nested groups in all.");
  });

  test("a view's filters share one allowance (funnel, retention, journeys, pivot)", () => {
    const steps = (a: number, b: number) => ({
      users: flat(a),
      steps: [{ eventType: 'product_view', filter: { op: 'and', items: Array.from({ length: b }, () => ({ field: 'e.price', op: '>', value: 1 })) } }, { eventType: 'purchase' }],
    });
    assert.doesNotThrow(() => validateFunnelSpec(steps(60, 40)));
    refuses(() => validateFunnelSpec(steps(60, 41)), "A view's filters hold at most 100 conditions in all.");
    const cohort = (a: number, b: number) => ({ users: flat(a), returns: { kind: 'event', eventType: 'purchase', filter: { op: 'and', items: Array.from({ length: b }, () => ({ field: 'e.price', op: '>', value: 1 })) } } });
    assert.doesNotThrow(() => validateCohortSpec(cohort(50, 50)));
    refuses(() => validateCohortSpec(cohort(50, 51)), "A view's filters hold at most 100 conditions in all.");
    assert.equal(retentionFromParams(link('r', { users: flat(50), compare: flat(50) })).error, null);
    assert.equal(retentionFromParams(link('r', { users: flat(50), compare: flat(51) })).error, "The link's retention settings were ignored: A view's filters hold at most 100 conditions in all.");
    assert.doesNotThrow(() => validatePathsSpec({ users: flat(100) }));
    // A budget spent elsewhere counts: the second filter validated against it has less room.
    const budget = new LinkBudget();
    validateFilter(flat(99), budget);
    refuses(() => validateFilter(flat(2), budget), "A view's filters hold at most 100 conditions in all.");
  });

  test('pivot custom groups: 1,000 values in all', () => {
    const pivot = (n: number) => ({ rows: [{ field: 'u.country', bucket: { kind: 'groups', groups: [{ name: 'A', values: Array.from({ length: n - 1 }, (_, i) => `a${i}`) }, { name: 'B', values: ['b'] }] } }] });
    assert.doesNotThrow(() => validatePivotSpec(pivot(1000)));
    refuses(() => validatePivotSpec(pivot(1001)), 'Custom groups hold at most 1,000 values in all.');
  });

  test('the at-the-limits pivot link is exactly 100,000 characters and is read', () => {
    const spec = atLimitsPivot();
    assert.equal(JSON.stringify(spec).length, 100_000);
    const r = pivotFromParams(link('p', spec));
    assert.equal(r.error, null);
    assert.equal(JSON.stringify(r.spec.filter), JSON.stringify(atLimitsFilter()));
  });
});

describe('saved filters: stored text is held to the same limits', () => {
  const entry = (name: string, filter: unknown) => ({ name, filter, savedAt: 1 });

  test('an entry over a limit is skipped, the others load', () => {
    const text = JSON.stringify([entry('ok', flat(100)), entry('too many', flat(101)), entry('too deep', chain(7)), entry('at limits', atLimitsFilter())]);
    assert.deepEqual(readSaved(text).map((s) => s.name), ['at limits', 'ok']);
  });

  test('a filter whose JSON would not fit in a link is skipped (text full of quotes doubles when written)', () => {
    const quotes = { op: 'and', items: [{ field: 'u.country', op: 'in', value: Array.from({ length: 50 }, () => '"'.repeat(1000)) }] };
    assert.doesNotThrow(() => validateFilter(quotes), 'within the filter limits');
    assert.deepEqual(readSaved(JSON.stringify([entry('quotes', quotes), entry('ok', flat(1))])).map((s) => s.name), ['ok']);
    assert.throws(() => checkedFilter(quotes), /a link holds at most 100,000/);
  });

  test('stored text nested deeper than a link may be is ignored whole, without blowing the stack', () => {
    const deep = '['.repeat(100_000) + ']'.repeat(100_000);
    assert.deepEqual(readSaved(deep), []);
  });
});

describe('the engine takes a pivot at every limit at once (native DuckDB)', () => {
  let db: Db;
  before(async () => {
    db = await openNodeDb({ threads: 1 });
    await loadShop(db, { users: 500, days: 60, seed: 7 });
  });
  after(async () => db.close());

  let fields: Field[];
  before(async () => {
    const fq = fieldsSql();
    fields = decodeFields(await db.query(fq.text, fq.params));
  });

  test('every analysis binds each value of its link once per statement (the byte budget assumes it)', () => {
    const tagged = (tag: string, field = 'u.country') => ({ op: 'and', items: [{ field, op: 'in', value: [tag] }] });
    const once = (what: string, q: Sql, tags: string[]) => {
      for (const tag of tags) assert.equal(q.params.filter((p) => p === tag).length, 1, `${what}: ${tag}`);
    };
    const pv = validatePivotSpec({
      grain: 'events',
      rows: [{ field: 'u.country', bucket: { kind: 'groups', groups: [{ name: 'g', values: ['TAG-group'] }] } }],
      measures: [{ agg: 'users' }, { agg: 'revenue', pct: 'row' }],
      filter: { op: 'and', items: [...tagged('TAG-u').items, ...tagged('TAG-e', 'e.category').items] },
    });
    const plan = planPivot(pv, fields);
    once('pivot', pivotSql(pv, fields, plan, plan.stats.map(() => null)).sql, ['TAG-group', 'TAG-u', 'TAG-e']);
    const fs = validateFunnelSpec({
      steps: [{ eventType: 'TAG-step', filter: tagged('TAG-f1', 'e.category') }, { eventType: 'purchase', filter: tagged('TAG-f2', 'e.category') }, { eventType: 'checkout' }],
      exclusions: [{ eventType: 'refund', filter: tagged('TAG-x', 'e.category'), from: 1, to: 2 }],
      users: tagged('TAG-users'),
      breakdown: { kind: 'filter', name: 'b', filter: tagged('TAG-break') },
      hold: 'e.product_id',
    });
    once('funnel', funnelSql(fs, fields), ['TAG-step', 'TAG-f1', 'TAG-f2', 'TAG-x', 'TAG-users', 'TAG-break']);
    once('funnel users', funnelUsersSql(fs, fields, 2, 'dropped'), ['TAG-step', 'TAG-f1', 'TAG-f2', 'TAG-x', 'TAG-users']);
    const cs = validateCohortSpec({
      start: { by: 'event', event: { kind: 'event', eventType: 'TAG-start', filter: tagged('TAG-sf', 'e.category') } },
      returns: { kind: 'event', eventType: 'TAG-ret', filter: tagged('TAG-rf', 'e.category') },
      users: tagged('TAG-users'),
    });
    const all = ['TAG-start', 'TAG-sf', 'TAG-ret', 'TAG-rf', 'TAG-users'];
    once('cohort', cohortSql(cs, fields), all);
    once('cohort cell users', cohortCellUsersSql(cs, fields, 0, 1), all);
    once('lifecycle', lifecycleSql(cs, fields), ['TAG-ret', 'TAG-rf', 'TAG-users']);
    const ps = validatePathsSpec({ users: tagged('TAG-users'), eventType: 'TAG-ev' });
    once('paths top', pathsTopSql(ps, fields), ['TAG-users', 'TAG-ev']);
    once('paths sankey', pathsSankeySql(ps, fields), ['TAG-users', 'TAG-ev']);
  });

  test('it runs, binds every value, and keeps exactly the users with an age', async () => {
    const run = (q: { text: string; params: readonly (string | number | boolean | null)[] }) => db.query(q.text, q.params);
    const spec = validatePivotSpec(atLimitsPivot());
    const t0 = performance.now();
    const r = await runPivot(run, spec, fields);
    const ms = performance.now() - t0;
    assert.ok(r.sql.params.length >= LINK_LIMITS.values + PIVOT_LIMITS.groupValues, `${r.sql.params.length} bound parameters`);
    const want = toRows(await db.query(`SELECT count(*)::DOUBLE AS n FROM users WHERE age ${KEEP_COND.op} ${KEEP_COND.value}`))[0].n;
    const total = r.result.raw([], [], 0);
    assert.equal(total, want, `users kept (${ms.toFixed(0)} ms)`);
  });
});
