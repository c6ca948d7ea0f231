// The data model every analysis reads (see ARCHITECTURE.md): table names and the event vocabulary.

/** The standard event types; datasets may bring others. */
export const EVENT_TYPES = [
  'session_start',
  'product_view',
  'add_to_cart',
  'checkout',
  'purchase',
  'refund',
  'session_end',
] as const;

/** One of the standard event types. */
export type EventType = (typeof EVENT_TYPES)[number];

/** The tables of a loaded dataset. */
export const TABLES = { events: 'events', users: 'users', products: 'products', userMetrics: 'user_metrics' } as const;
