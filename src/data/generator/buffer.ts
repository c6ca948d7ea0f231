// Event rows accumulate in fixed-size typed-array chunks; a full chunk becomes one Arrow IPC message for the sink.
import { toIpc } from './arrow.ts';

/** Rows per emitted chunk (memory stays flat however many events are generated). */
export const CHUNK_ROWS = 500_000;

/** Column-wise event buffer; session-level fields are set once per session with `begin`. */
export class EventBuffer {
  private len = 0;
  private chunks = 0;
  total = 0;
  private user = new Int32Array(CHUNK_ROWS);
  private session = new Int32Array(CHUNK_ROWS);
  private seq = new Int16Array(CHUNK_ROWS);
  private type = new Int8Array(CHUNK_ROWS);
  private ts = new Float64Array(CHUNK_ROWS);
  private product = new Int16Array(CHUNK_ROWS);
  private quantity = new Int8Array(CHUNK_ROWS);
  private order = new Int32Array(CHUNK_ROWS);
  private channel = new Int8Array(CHUNK_ROWS);
  private campaign = new Int8Array(CHUNK_ROWS);
  private device = new Int8Array(CHUNK_ROWS);
  private cur = { user: 0, session: 0, seq: 0, channel: 0, campaign: -1, device: 0 };

  constructor(private readonly emit: (ipc: Uint8Array, append: boolean) => void) {}

  /** Start a session: the following `push`es belong to it. */
  begin(user: number, session: number, channel: number, campaign: number, device: number): void {
    this.cur = { user, session, seq: 0, channel, campaign, device };
  }

  /** Append one event of the current session (product -1 and order -1 for none, quantity 0 for none). */
  push(type: number, ts: number, product: number, quantity: number, order: number): void {
    if (this.len === CHUNK_ROWS) this.flush();
    const i = this.len++;
    const c = this.cur;
    this.user[i] = c.user;
    this.session[i] = c.session;
    this.seq[i] = c.seq++;
    this.type[i] = type;
    this.ts[i] = ts;
    this.product[i] = product;
    this.quantity[i] = quantity;
    this.order[i] = order;
    this.channel[i] = c.channel;
    this.campaign[i] = c.campaign;
    this.device[i] = c.device;
  }

  /** Emit buffered rows (the first chunk replaces stg_events, later ones append). Always emits at least once. */
  flush(): void {
    if (this.len === 0 && this.chunks > 0) return;
    const n = this.len;
    const cut = <T extends { slice(a: number, b: number): T }>(a: T): T => a.slice(0, n);
    this.emit(
      toIpc({
        user_idx: cut(this.user),
        session_idx: cut(this.session),
        seq: cut(this.seq),
        type: cut(this.type),
        ts_ms: cut(this.ts),
        product_idx: cut(this.product),
        quantity: cut(this.quantity),
        order_idx: cut(this.order),
        channel: cut(this.channel),
        campaign: cut(this.campaign),
        device: cut(this.device),
      }),
      this.chunks > 0,
    );
    this.chunks++;
    this.total += n;
    this.len = 0;
  }
}
