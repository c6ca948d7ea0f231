// `npm start`: install when node_modules is missing or stale, build, serve dist/ on 4173 (or a free port), open it.
import { execSync, spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';

const root = new URL('..', import.meta.url).pathname;
const run = (cmd) => execSync(cmd, { cwd: root, stdio: 'inherit' });
const mtime = (p) => (existsSync(root + p) ? statSync(root + p).mtimeMs : 0);

const stamp = 'node_modules/.package-lock.json';
if (!existsSync(root + stamp) || mtime('package-lock.json') > mtime(stamp) || mtime('package.json') > mtime(stamp)) {
  console.log('Installing dependencies (node_modules is missing or older than package-lock.json)…');
  try {
    run(existsSync(root + 'package-lock.json') ? 'npm ci' : 'npm install');
  } catch {
    // Some registry mirrors lack other platforms' optional packages, so npm ci refuses the lock file.
    console.log('npm ci could not use the lock file as it is; installing with npm install instead…');
    run('npm install');
  }
}

console.log('Building the production bundle…');
run('npx vite build --logLevel warn');

const { preview } = await import('vite');
const wanted = Number(process.env.PORT ?? 4173);
const server = await preview({ root, preview: { port: wanted, strictPort: false, open: false } });
const url = server.resolvedUrls?.local?.[0] ?? `http://localhost:${wanted}/`;
const port = Number(new URL(url).port);
if (port !== wanted) console.log(`Port ${wanted} is busy, so Strata is served on port ${port} instead.`);
console.log(`\n  Strata is running at ${url}\n  (it generates the demo shop in your browser; Ctrl+C stops the server)\n`);

if (!process.env.CI && !process.env.STRATA_NO_OPEN) {
  const opener = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'cmd' : 'xdg-open';
  const args = process.platform === 'win32' ? ['/c', 'start', '', url] : [url];
  try {
    const child = spawn(opener, args, { stdio: 'ignore', detached: true });
    child.on('error', () => console.log(`Open ${url} in your browser.`));
    child.unref();
  } catch {
    console.log(`Open ${url} in your browser.`);
  }
}
