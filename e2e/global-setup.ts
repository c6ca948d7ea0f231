// Playwright's global setup: a directory for this run's shared demo-profile templates (demo-profile.ts), handed to
// every worker through the environment and removed when the run ends.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TEMPLATES_ENV } from './demo-profile.ts';

export default function globalSetup(): () => void {
  // In the temp dir, like the templates themselves (makeDemoProfile), so they can be renamed into it.
  const dir = mkdtempSync(join(tmpdir(), 'strata-e2e-templates-'));
  process.env[TEMPLATES_ENV] = dir;
  return () => rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
}
