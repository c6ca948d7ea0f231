// The live shop's simulator in a worker (its set-up draws every user's traits: ~1 s at a million users), so ticks
// never hold the page's main thread. A thin Comlink shell over src/data/live/sim.ts; rows leave transferred.
import * as Comlink from 'comlink';
import { LiveSim, type LiveCounters, type LiveSettings, type TickRows } from '../src/data/live/sim.ts';
import type { GenParams } from '../src/data/generator/params.ts';
import type { LiveWorkerApi } from '../src/db/protocols.ts';

let sim: LiveSim | null = null;

const api: LiveWorkerApi = {
  /** Prepare the simulator for a shop (replaces any earlier one). */
  init(params: GenParams, settings: LiveSettings): void {
    sim = new LiveSim(params, settings);
  },
  /** The next tick after `counters`. */
  tick(counters: LiveCounters): TickRows {
    if (!sim) throw new Error('The live simulator is not set up.');
    const rows = sim.tick(counters);
    const buffers = [...Object.values(rows.events), ...Object.values(rows.users ?? {})]
      .filter((c): c is Int8Array | Int16Array | Int32Array | Float64Array => !Array.isArray(c))
      .map((c) => c.buffer as ArrayBuffer);
    return Comlink.transfer(rows, buffers);
  },
};

Comlink.expose(api);
