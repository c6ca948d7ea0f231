// A list of users a screen shows on demand (a funnel step's converted or dropped users, a retention cell's users):
// rows, loading and error, with a newer pick superseding an older one. The screens' components hold no queries.
import type { QueryCoordinator } from '../db/coordinator.ts';
import { Superseded } from '../db/coordinator.ts';
import { toRows, type Row } from '../lib/rows.ts';
import { messageOf } from '../errors.ts';
import type { Sql } from '../sql/quote.ts';

export class UserList {
  rows = $state.raw<Row[]>([]);
  error = $state<string | null>(null);
  loading = $state(false);

  /** Run `sql` under the coordinator's `key` (a newer load of the same key supersedes this one). */
  async load(coordinator: QueryCoordinator, key: string, sql: Sql): Promise<void> {
    this.rows = [];
    this.error = null;
    this.loading = true;
    try {
      const rows = toRows(await coordinator.run(key, sql));
      this.rows = rows;
      this.loading = false;
    } catch (err) {
      if (err instanceof Superseded) return; // another pick meanwhile: its load owns the list
      this.error = messageOf(err);
      this.loading = false;
    }
  }
}
