// What analysis screens need to know about the open dataset: its fields (columns of events / users /
// user_metrics), its event types, and value suggestions for the filter builder. Read through the coordinator's
// cache, so every screen shares one query per dataset version.
import { decodeFields, fieldById, fieldValuesSql, fieldsSql, type Field } from '../analyses/fields.ts';
import { toRows } from '../lib/rows.ts';
import { raw } from '../sql/quote.ts';
import { app } from './app.svelte.ts';
import { messageOf } from '../errors.ts';

/** The open dataset's event types, as every screen's catalog reads them (one cached query per dataset version). */
export const EVENT_TYPES_SQL = raw('SELECT DISTINCT event_type AS t FROM events WHERE event_type IS NOT NULL ORDER BY 1');

/** Fields and event types of the open dataset, kept current; create it while a component initialises. */
export class DatasetCatalog {
  fields = $state<Field[]>([]);
  eventTypes = $state<string[]>([]);
  /** Why the fields or event types could not be read (shown by the screen, never swallowed), or null. */
  error = $state<string | null>(null);

  constructor() {
    $effect(() => {
      const coordinator = app.coordinator;
      if (!coordinator || !app.dataset || app.version === 0) return;
      const fail = (what: string) => (err: unknown) => (this.error = `Could not read the dataset's ${what}: ${messageOf(err)}`);
      coordinator.cached(fieldsSql()).then((t) => {
        this.fields = decodeFields(t);
        this.error = null;
      }).catch(fail('columns'));
      coordinator.cached(EVENT_TYPES_SQL).then((t) => (this.eventTypes = toRows(t).map((r) => String(r.t)))).catch(fail('event types'));
    });
  }

  /** The most common values of a field, for the filter builder's suggestions. */
  suggest = async (fieldId: string): Promise<string[]> => {
    if (!app.coordinator) return [];
    return toRows(await app.coordinator.cached(fieldValuesSql(fieldById(this.fields, fieldId)))).map((r) => String(r.v));
  };
}
