import { chromium } from '@playwright/test';
const b = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox','--disable-gpu'] });
const p = await b.newPage();
p.on('console', m => console.log('console', m.type(), m.text().slice(0,300)));
p.on('pageerror', e => console.log('pageerror', String(e).slice(0,300)));
await p.goto('http://127.0.0.1:4192/');
for (let i=0;i<3;i++){ await p.waitForTimeout(5000); console.log(JSON.stringify(await p.evaluate(()=>{const s=globalThis.strata; return s && {phase:s.phase, seg:s.segmentsReady, w:s.writing, st:s.storage, n:s.datasets?.length};}))); }
await b.close();
