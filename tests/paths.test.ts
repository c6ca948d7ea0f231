// Journeys on a hand-made shop: every answer below is worked out by hand from the fixture.
// Run: TZ=UTC node --import tsx --test tests/paths.test.ts
//
// Types: S session_start, V product_view, C add_to_cart, K checkout, P purchase, X session_end, H the hostile
// type  o'dd"; --  . Sessions, events in time order (collapsed: consecutive repeats dropped):
//
// user country session  events                       collapsed
// A    DE      a1       S V V C P                    S V C P
// A    DE      a2       S V V C P   (same as a1)     S V C P
// B    FR      b1       S V C V X                    S V C V X
// B    FR      b2       V S V       (S not first)    V S V
// B    FR      NULL     S           (no session: never counted)
// C    DE      c1       S V V V                      S V
// D    FR      d1       S V C P     V and C share 10:05; the table holds V first, so V comes first (by name or
//                                   by event_id, C would; a stable sort on ts alone happens to agree, but the
//                                   engine promises none); the table also lists d1's P and S before the rest
// E    NULL    e1       V C         (no S)           V C
// F    DE      f1       S V V K X                    S V K X
// G    NULL    g1       H V                          H V
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { openNodeDb } from '../src/db/node-db.ts';
import type { Db } from '../src/db/types.ts';
import { openWasmDb } from './fixtures/import/wasm-db.ts';
import { decodeFields, fieldsSql, type Field } from '../src/analyses/fields.ts';
import {
  computePaths, DEFAULT_PATHS, decodePathsSankey, decodePathsTop, pathsSankeySql, pathsTopSql, validatePathsSpec,
  type PathsSankey, type PathsTop,
} from '../src/analyses/paths/index.ts';

const S = 'session_start', V = 'product_view', C = 'add_to_cart', K = 'checkout', P = 'purchase', X = 'session_end';
const H = `o'dd"; --`;

/** Every case on a database from `open`: native DuckDB, and DuckDB-WASM (the browser's engine, no json extension). */
function pathsSuite(open: () => Promise<Db>) {
  let db: Db;
  let fields: Field[];
  before(async () => {
    db = await open();
    await db.exec(`
CREATE TABLE users(user_id VARCHAR, country VARCHAR);
INSERT INTO users VALUES ('A', 'DE'), ('B', 'FR'), ('C', 'DE'), ('D', 'FR'), ('E', NULL), ('F', 'DE'), ('G', NULL);
CREATE TABLE events(event_id INTEGER, user_id VARCHAR, session_id VARCHAR, event_type VARCHAR, ts TIMESTAMP);
INSERT INTO events VALUES
 (1, 'A', 'a1', '${S}', '2025-01-01 10:00'), (2, 'A', 'a1', '${V}', '2025-01-01 10:01'), (3, 'A', 'a1', '${V}', '2025-01-01 10:02'),
 (4, 'A', 'a1', '${C}', '2025-01-01 10:03'), (5, 'A', 'a1', '${P}', '2025-01-01 10:04'),
 (6, 'A', 'a2', '${S}', '2025-01-02 10:00'), (7, 'A', 'a2', '${V}', '2025-01-02 10:01'), (8, 'A', 'a2', '${V}', '2025-01-02 10:02'),
 (9, 'A', 'a2', '${C}', '2025-01-02 10:03'), (10, 'A', 'a2', '${P}', '2025-01-02 10:04'),
 (11, 'B', 'b1', '${S}', '2025-01-03 10:00'), (12, 'B', 'b1', '${V}', '2025-01-03 10:01'), (13, 'B', 'b1', '${C}', '2025-01-03 10:02'),
 (14, 'B', 'b1', '${V}', '2025-01-03 10:03'), (15, 'B', 'b1', '${X}', '2025-01-03 10:04'),
 (16, 'B', 'b2', '${V}', '2025-01-04 10:00'), (17, 'B', 'b2', '${S}', '2025-01-04 10:01'), (18, 'B', 'b2', '${V}', '2025-01-04 10:02'),
 (19, 'B', NULL, '${S}', '2025-01-05 10:00'),
 (20, 'C', 'c1', '${S}', '2025-01-06 10:00'), (21, 'C', 'c1', '${V}', '2025-01-06 10:01'), (22, 'C', 'c1', '${V}', '2025-01-06 10:02'),
 (23, 'C', 'c1', '${V}', '2025-01-06 10:03'),
 (40, 'D', 'd1', '${P}', '2025-01-07 10:06'), (41, 'D', 'd1', '${S}', '2025-01-07 10:00'),
 (43, 'D', 'd1', '${V}', '2025-01-07 10:05'), (42, 'D', 'd1', '${C}', '2025-01-07 10:05'),
 (50, 'E', 'e1', '${V}', '2025-01-08 10:00'), (51, 'E', 'e1', '${C}', '2025-01-08 10:01'),
 (60, 'F', 'f1', '${S}', '2025-01-09 10:00'), (61, 'F', 'f1', '${V}', '2025-01-09 10:01'), (62, 'F', 'f1', '${V}', '2025-01-09 10:02'),
 (63, 'F', 'f1', '${K}', '2025-01-09 10:03'), (64, 'F', 'f1', '${X}', '2025-01-09 10:04'),
 (70, 'G', 'g1', 'o''dd"; --', '2025-01-10 10:00'), (71, 'G', 'g1', '${V}', '2025-01-10 10:01');
CREATE TABLE user_metrics(user_id VARCHAR, orders BIGINT);
INSERT INTO user_metrics VALUES ('A', 2), ('B', 0), ('C', 0), ('D', 1), ('E', 0), ('F', 0), ('G', 0);`);
    const q = fieldsSql();
    fields = decodeFields(await db.query(q.text, q.params));
  });

  /** What the screens run (the one pass) for `x`; it must equal the statements' results, which the cases check. */
  async function shown(x: unknown, limit?: number) {
    const r = await computePaths((q) => db.query(q.text, q.params), validatePathsSpec(x), fields, undefined, limit);
    assert.equal(r.onePass, true);
    return r;
  }

  async function top(x: unknown, limit?: number): Promise<PathsTop> {
    const q = pathsTopSql(validatePathsSpec(x), fields, limit);
    const r = decodePathsTop(await db.query(q.text, q.params));
    assert.deepEqual((await shown(x, limit)).top, r, "the one pass gives the statement's top paths");
    return r;
  }
  /** The top paths as [steps, users, sessions, share]. */
  const table = (r: PathsTop) => r.rows.map((p) => [p.steps, p.users, p.sessions, p.share]);

  async function sankey(x: unknown): Promise<PathsSankey> {
    const q = pathsSankeySql(validatePathsSpec(x), fields);
    const r = decodePathsSankey(await db.query(q.text, q.params));
    assert.deepEqual((await shown(x)).sankey, r, "the one pass gives the statement's Sankey");
    return r;
  }
  /** Nodes as "step type users" and links as "source -> target users", "Other" nodes written as "step Other". */
  function flows(r: PathsSankey) {
    const name = (id: string) => {
      const n = r.nodes.find((x) => x.id === id);
      assert.ok(n, `a link names node ${id}, which is not among the nodes`);
      return `${n.step} ${n.type ?? 'Other'}`;
    };
    return {
      nodes: r.nodes.map((n) => `${name(n.id)} ${n.users}`),
      links: r.links.map((l) => `${name(l.source)} -> ${name(l.target)} ${l.users}`),
    };
  }

  describe('top paths', () => {
    test('starting at session_start, K=5, repeats collapsed (the default)', async () => {
      const r = await top({});
      // SVCP: A (a1, a2) and D (d1, with V before C by table order) -> 2 users, 3 sessions.
      // SV: B (b2 from its S) and C (c1 collapsed) -> 2 users, 2 sessions. SVCVX: B. SVKX: F.
      // Users with an S session: A B C D F = 5 (B's session-less S is not a session; E and G have no S).
      assert.deepEqual(table(r), [
        [[S, V, C, P], 2, 3, 2 / 5],
        [[S, V], 2, 2, 2 / 5],
        [[S, V, C, V, X], 1, 1, 1 / 5], // ties go by the path: add_to_cart < checkout
        [[S, V, K, X], 1, 1, 1 / 5],
      ]);
      assert.deepEqual([r.totalUsers, r.totalSessions, r.totalPaths], [5, 7, 4]);
    });

    test('K truncates the path after the event', async () => {
      const r = await top({ steps: 3 });
      // SVC: a1 a2 b1 d1 -> A B D, 4 sessions. SV: b2 c1 -> B C. SVK: f1.
      assert.deepEqual(table(r), [[[S, V, C], 3, 4, 3 / 5], [[S, V], 2, 2, 2 / 5], [[S, V, K], 1, 1, 1 / 5]]);
    });

    test('without collapsing, view, view stays two steps', async () => {
      const r = await top({ steps: 3, collapse: false });
      // SVV: a1 a2 c1 f1 -> A C F, 4 sessions. SVC: b1 d1 -> B D. SV: b2.
      assert.deepEqual(table(r), [[[S, V, V], 3, 4, 3 / 5], [[S, V, C], 2, 2, 2 / 5], [[S, V], 1, 1, 1 / 5]]);
    });

    test('ending at purchase: the event is the last step, the K-1 events before it precede', async () => {
      const r = await top({ anchor: 'end', eventType: P, steps: 3 });
      // a1 a2 d1 end SVCP: the last 3 are V C P. Only A and D purchased in a session.
      assert.deepEqual(table(r), [[[V, C, P], 2, 3, 1]]);
      assert.deepEqual([r.totalUsers, r.totalSessions, r.totalPaths], [2, 3, 1]);
    });

    test('ending at an event near the start of a session gives a shorter path', async () => {
      const r = await top({ anchor: 'end', eventType: C });
      // First C: a1 a2 b1 d1 after S V -> SVC (A B D, 4 sessions); e1 starts with V C -> VC (E).
      assert.deepEqual(table(r), [[[S, V, C], 3, 4, 3 / 4], [[V, C], 1, 1, 1 / 4]]);
    });

    test('the first occurrence of the event anchors the path; every session with it counts', async () => {
      const r = await top({ anchor: 'end', eventType: V, steps: 2, collapse: false });
      // First V: second event in a1 a2 b1 c1 d1 f1 (after S) -> SV, users A B C D F, 6 sessions;
      // first event in b2 and e1 -> V (B, E); after H in g1 -> H V (G). 7 users have a session with V.
      assert.deepEqual(table(r), [[[S, V], 5, 6, 5 / 7], [[V], 2, 2, 2 / 7], [[H, V], 1, 1, 1 / 7]]);
    });

    test('equal timestamps follow table order; a users filter keeps only its users', async () => {
      const r = await top({ users: { op: 'and', items: [{ field: 'u.country', op: '=', value: 'FR' }] } });
      // FR: B and D. b1 SVCVX, b2 SV, d1 SVCP (not S C V P: V is before C in the table). Ties go step by
      // step, a missing step first (SV), then product_view < purchase at step 4.
      assert.deepEqual(table(r), [[[S, V], 1, 1, 1 / 2], [[S, V, C, V, X], 1, 1, 1 / 2], [[S, V, C, P], 1, 1, 1 / 2]]);
    });

    test('a users filter on a user metric', async () => {
      const r = await top({ users: { op: 'and', items: [{ field: 'm.orders', op: '>=', value: 1 }] } });
      // A and D have orders: a1 a2 d1 all SVCP.
      assert.deepEqual(table(r), [[[S, V, C, P], 2, 3, 1]]);
    });

    test('the limit cuts the list, not the totals', async () => {
      const r = await top({}, 2);
      assert.equal(r.rows.length, 2);
      assert.deepEqual([r.totalUsers, r.totalSessions, r.totalPaths], [5, 7, 4]);
    });

    test('no session contains the event: no rows, totals zero', async () => {
      const r = await top({ eventType: 'refund' });
      assert.deepEqual([r.rows, r.totalUsers, r.totalSessions, r.totalPaths], [[], 0, 0, 0]);
    });
  });

  describe('hostile event types stay bound parameters', () => {
    test('a type with quotes and a semicolon in the data is found, and never written into the SQL', async () => {
      const spec = validatePathsSpec({ eventType: H, steps: 3 });
      for (const q of [pathsTopSql(spec, fields), pathsSankeySql(spec, fields)]) {
        assert.ok(!q.text.includes(H) && !q.text.includes("o'dd") && !q.text.includes('o\'\'dd'), 'the type is not in the SQL text');
        assert.ok(q.params.includes(H), 'the type is a parameter');
      }
      assert.deepEqual(table(await top({ eventType: H, steps: 3 })), [[[H, V], 1, 1, 1]]);
    });

    test('an injection attempt matches nothing and changes nothing', async () => {
      const evil = "x'); DROP TABLE events; --";
      assert.deepEqual((await top({ eventType: evil })).rows, []);
      assert.deepEqual((await sankey({ eventType: evil })).nodes, []);
      const n = await db.query('SELECT count(*)::DOUBLE AS n FROM events');
      assert.equal(Number(n.getChild('n')!.get(0)), 36);
    });
  });

  describe('Sankey', () => {
    test('starting at session_start, no collapsing, 2 types per step: the rest is "Other"', async () => {
      const r = await sankey({ collapse: false, nodesPerStep: 2 });
      // Paths: a1 a2 SVVCP, b1 SVCVX, b2 SV, c1 SVVV, d1 SVCP, f1 SVVKX.
      // Step 3: V (A C F) 3, C (B D) 2. Step 4: V (B C) 2, then C (A), K (F), P (D) with 1 each: C wins by name,
      // K and P make Other (F D) 2. Step 5 (c1 and d1 have ended): X (B F) 2, P (A) 1.
      assert.deepEqual(flows(r).nodes, [
        '1 session_start 5',
        '2 product_view 5',
        '3 product_view 3', '3 add_to_cart 2',
        '4 product_view 2', '4 Other 2', '4 add_to_cart 1',
        '5 session_end 2', '5 purchase 1',
      ]);
      // Links count distinct users: A's two sessions make one user on each of its links. Order: step, users,
      // then source and target by name with Other last.
      assert.deepEqual(flows(r).links, [
        '1 session_start -> 2 product_view 5',
        '2 product_view -> 3 product_view 3', // A C F
        '2 product_view -> 3 add_to_cart 2', // B D
        '3 add_to_cart -> 4 product_view 1', // B
        '3 add_to_cart -> 4 Other 1', // D: C -> P
        '3 product_view -> 4 add_to_cart 1', // A
        '3 product_view -> 4 product_view 1', // C
        '3 product_view -> 4 Other 1', // F: V -> K
        '4 add_to_cart -> 5 purchase 1', // A
        '4 product_view -> 5 session_end 1', // B (C's c1 ends at step 4)
        '4 Other -> 5 session_end 1', // F: K -> X
      ]);
    });

    test('ending at add_to_cart: the event is the last step and a short path starts later', async () => {
      const r = await sankey({ anchor: 'end', eventType: C });
      // a1 a2 b1 d1: S V C at steps 3 4 5; e1: V C at steps 4 5.
      assert.deepEqual(flows(r), {
        nodes: ['3 session_start 3', '4 product_view 4', '5 add_to_cart 4'],
        links: ['3 session_start -> 4 product_view 3', '4 product_view -> 5 add_to_cart 4'],
      });
    });

    test('a real event type named "Other" stays apart from the Other bucket', async () => {
      await db.exec(`INSERT INTO events VALUES (80, 'F', 'f2', '${S}', '2025-01-11 10:00'), (81, 'F', 'f2', 'Other', '2025-01-11 10:01'),
        (82, 'F', 'f3', '${S}', '2025-01-12 10:00'), (83, 'F', 'f3', '${K}', '2025-01-12 10:01')`);
      try {
        const r = await sankey({ steps: 2, nodesPerStep: 2 });
        // Step 2 after S: V (A B C D F) 5, then "Other" (F) and checkout (F) with 1 each: "Other" wins by name
        // ("O" sorts before "c"), checkout goes to the bucket.
        assert.deepEqual(r.nodes.map((n) => [n.step, n.type, n.users]), [[1, S, 5], [2, V, 5], [2, 'Other', 1], [2, null, 1]]);
        assert.equal(new Set(r.nodes.map((n) => n.id)).size, 4, 'four distinct nodes');
        assert.deepEqual(r.links.map((l) => [l.source, l.target, l.users]), [
          ['1=session_start', '2=product_view', 5], ['1=session_start', '2=Other', 1], ['1=session_start', '2:other', 1],
        ]);
      } finally {
        await db.exec('DELETE FROM events WHERE event_id >= 80');
      }
    });
  });
  after(async () => db?.close());
}

describe('native DuckDB', () => pathsSuite(() => openNodeDb({ threads: 1 })));
describe('DuckDB-WASM', () => pathsSuite(openWasmDb));

describe('the settings validator', () => {
  test('defaults, and a full spec round-trips', () => {
    assert.deepEqual(validatePathsSpec({}), DEFAULT_PATHS);
    const full = { anchor: 'end', eventType: 'purchase', steps: 10, collapse: false, nodesPerStep: 20, users: { op: 'or', items: [] } };
    assert.deepEqual(validatePathsSpec(full), full);
  });

  test('rejects unknown keys, out-of-range numbers and odd values with a message', () => {
    const bad: [unknown, RegExp][] = [
      [{ depth: 3 }, /Unknown journeys setting "depth"/],
      [{ steps: 1 }, /number of steps must be a whole number from 2 to 10; got 1/],
      [{ steps: 11 }, /from 2 to 10; got 11/],
      [{ steps: 2.5 }, /whole number/],
      [{ steps: '5' }, /whole number/],
      [{ nodesPerStep: 1 }, /event types per step must be a whole number from 2 to 20/],
      [{ nodesPerStep: 21 }, /from 2 to 20/],
      [{ anchor: 'middle' }, /path anchor must be one of start, end/],
      [{ eventType: '' }, /need an event type/],
      [{ eventType: 3 }, /need an event type/],
      [{ collapse: 'yes' }, /"collapse" must be true or false/],
      [{ users: { op: 'and', items: [{ field: 'e.category', op: '=', value: 'Toys' }] } }, /user columns/],
      [{ users: { op: 'xor', items: [] } }, /"and" or "or"/],
      [[], /must be an object/],
      [null, /must be an object/],
    ];
    for (const [x, re] of bad) assert.throws(() => validatePathsSpec(x), re, JSON.stringify(x));
  });
});

test('the default journeys fit the dataset: session_start when it has one, else paths to a purchase, else its first event', async () => {
  const { defaultPathsFor, DEFAULT_PATHS } = await import('../src/analyses/paths/index.ts');
  assert.deepEqual(defaultPathsFor(['purchase', 'session_start', 'view']), DEFAULT_PATHS);
  assert.deepEqual(defaultPathsFor([]), DEFAULT_PATHS);
  assert.deepEqual(defaultPathsFor(['add_to_cart', 'purchase']), { ...DEFAULT_PATHS, anchor: 'end', eventType: 'purchase' });
  assert.deepEqual(defaultPathsFor(['click', 'view']), { ...DEFAULT_PATHS, eventType: 'click' });
});
