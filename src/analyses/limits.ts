// How much one view's settings may hold, in one place for every screen's link (#/pivot?p=…, ?r=, ?f=, ?j=) and
// for saved filters, which are just as untrusted. Measured, not guessed (2 shared cores, Chromium 156,
// DuckDB-WASM 1.32 / engine 1.4.3; details in tests/link-limits.test.ts and e2e/links.spec.ts):
// - DuckDB-WASM hands a prepared statement's parameters to the engine as one JSON string on its 1 MiB wasm stack.
//   Past ~1 MB of it the engine dies ("memory access out of bounds") for the rest of the page's life: 50,000
//   values of 10 characters ran, of 20 crashed; 30,000 x 30 ran, 25,000 x 40 crashed; 2,000 x 170 "€" ran, x 200
//   crashed. Native DuckDB runs the same 50,000 values (9 s) and 15,625 conditions (2 s): the WASM build and the
//   page are what limit. Every value a link binds comes from its own text, once per statement (checked for every
//   analysis), so 100,000 characters bind at most ~0.3 MB (3 UTF-8 bytes a character at worst).
// - Binding costs ~0.08 ms a value in WASM (50,000 values: 3-4.5 s a statement); 3,000 values ~0.3 s.
// - Each condition the filter builder shows costs ~4 ms of main thread: 625 conditions made a 2.8 s task (the
//   issue's 15,625 froze the page ~80 s); a view at every limit below renders with its longest task 0.2-1 s.
import { StrataError } from '../errors.ts';

/** The limits; changing one changes every screen's links and saved filters alike. */
export const LINK_LIMITS = {
  /** Characters of one link's JSON settings (or one saved filter), checked before it is parsed. */
  chars: 100_000,
  /** Levels of JSON objects and lists (the deepest valid view needs ~17), checked before it is parsed. */
  nesting: 32,
  /** Levels of AND / OR groups in one filter, the top group included. */
  depth: 6,
  /** Conditions across all the filters of one view. */
  conditions: 100,
  /** Nested groups across all the filters of one view (each filter's top group not counted). */
  groups: 50,
  /** Values in one "is one of" / "is none of" list. */
  listValues: 1000,
  /** Values across all the filters of one view (each a bound parameter). */
  values: 2000,
  /** Characters of text values across all the filters of one view. */
  text: 50_000,
} as const;

const fmt = (n: number) => n.toLocaleString('en-US');

/**
 * Refuse a link's JSON text that is too long or nests too deep, before JSON.parse and any recursive walk see it:
 * microseconds for a 2 MB link. Throws a StrataError naming the limit.
 */
export function checkJsonText(text: string): void {
  if (text.length > LINK_LIMITS.chars) {
    throw new StrataError(`It is ${fmt(text.length)} characters long; a link holds at most ${fmt(LINK_LIMITS.chars)}.`);
  }
  checkJsonNesting(text);
}

/** Refuse JSON text whose lists and objects nest deeper than LINK_LIMITS.nesting (any length; one linear scan). */
export function checkJsonNesting(text: string): void {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (inString) {
      if (ch === 92 /* \ */) i++;
      else if (ch === 34 /* " */) inString = false;
    } else if (ch === 34) {
      inString = true;
    } else if (ch === 123 /* { */ || ch === 91 /* [ */) {
      if (++depth > LINK_LIMITS.nesting) {
        throw new StrataError(`It nests lists and objects more than ${LINK_LIMITS.nesting} levels deep; a link nests at most ${LINK_LIMITS.nesting}.`);
      }
    } else if (ch === 125 /* } */ || ch === 93 /* ] */) {
      depth--;
    }
  }
}

/**
 * What one view's filters have used of the limits. A spec validator makes one and hands it to every filter it
 * validates, so a funnel's fifteen step filters share one allowance; each method throws once a limit is passed.
 */
export class LinkBudget {
  private conditions = 0;
  private groups = 0;
  private values = 0;
  private text = 0;

  /** One more condition. */
  condition(): void {
    if (++this.conditions > LINK_LIMITS.conditions) {
      throw new StrataError(`A view's filters hold at most ${fmt(LINK_LIMITS.conditions)} conditions in all.`);
    }
  }

  /** One more nested group. */
  group(): void {
    if (++this.groups > LINK_LIMITS.groups) {
      throw new StrataError(`A view's filters hold at most ${fmt(LINK_LIMITS.groups)} nested groups in all.`);
    }
  }

  /** A condition's values (one scalar or a list; the list's own length is checked where it is read). */
  value(v: string | number | boolean | readonly (string | number | boolean)[]): void {
    const list = Array.isArray(v) ? v : [v];
    this.values += list.length;
    if (this.values > LINK_LIMITS.values) {
      throw new StrataError(`A view's filters hold at most ${fmt(LINK_LIMITS.values)} values in all.`);
    }
    for (const x of list) if (typeof x === 'string') this.text += x.length;
    if (this.text > LINK_LIMITS.text) {
      throw new StrataError(`A view's filters hold at most ${fmt(LINK_LIMITS.text)} characters of text values in all.`);
    }
  }
}
