// The one-pass analyses in the page (funnels, journeys): run on the main thread in slices, giving the event loop a
// turn between them (a MessageChannel task, not a timer: timers nested this deep are clamped to 4 ms each), so a
// pass over millions of rows never freezes the page; the rows already arrived as typed arrays, so a worker would
// add copies.
import { passWith, type PassRunner } from '../analyses/funnel/index.ts';
import { paced, taskTurn, type Pause } from '../analyses/pass-kit.ts';

/** A turn for the page once the current slice has run ~8 ms (pass-kit.ts, `paced`). */
export const yieldToPage: Pause = paced(taskTurn);

export const passInPage: PassRunner = passWith(yieldToPage);
