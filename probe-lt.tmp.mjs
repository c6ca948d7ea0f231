import { chromium } from '@playwright/test';
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox','--disable-gpu','--disable-quic','--no-first-run','--disable-background-networking','--disable-component-update','--disable-sync'] });
const ctx = await browser.newContext({ serviceWorkers: 'block', viewport: { width: 1400, height: 900 } });
await ctx.addInitScript(`globalThis.__lt=[];new PerformanceObserver((l)=>{for(const e of l.getEntries())globalThis.__lt.push([Math.round(e.startTime),Math.round(e.duration)])}).observe({type:'longtask',buffered:true});`);
const page = await ctx.newPage();
await page.goto(process.argv[2]);
await page.waitForFunction(() => globalThis.strata?.timings?.dashboardMs, null, { timeout: 120000 });
await page.waitForFunction(() => globalThis.strata.segmentsReady && !globalThis.strata.writing, null, { timeout: 120000 });
await page.waitForTimeout(2000);
const r = await page.evaluate(async () => {
  const s = globalThis.strata; const live = s.live;
  await live.configure({ intervalMs: 1000 });
  await live.start(); await new Promise((r) => setTimeout(r, 3000)); await live.pause(); await new Promise((r) => setTimeout(r, 3000));
  const t0 = performance.now(); const marks = []; const base = live.ticks;
  const p = live.start();
  let last = 0;
  while (live.ticks < base + 15) { await new Promise((r) => setTimeout(r, 20)); if (live.ticks !== last) { last = live.ticks; marks.push([last - base, Math.round(performance.now() - t0)]); } }
  await live.pause();
  return { t0: Math.round(t0), lt: globalThis.__lt.filter((x) => x[0] >= t0).map(([a, d]) => [a - Math.round(t0), d]), marks };
});
console.log(JSON.stringify(r));
await browser.close();
