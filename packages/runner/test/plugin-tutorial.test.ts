import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { tutorialScript } from './tutorial-script.js';

// docs/plugins.md's tutorial, run as written: its ```sh tutorial blocks in order, with its
// ```<lang> file=<path> blocks written where they appear, from the repository's root, in one
// shell, with a temporary home folder (the tutorial's ~/cmcrd-plugins).
const here = fileURLToPath(new URL('.', import.meta.url));
const repo = resolve(here, '../../..');

test('the tutorial of docs/plugins.md runs as written: scaffold, write, check, run, sweep, report', () => {
  const markdown = readFileSync(join(repo, 'docs/plugins.md'), 'utf8');
  const script = tutorialScript(markdown);
  assert.match(script, /plugin new my-at/);
  assert.match(script, /cat > src\/index\.ts/);
  const home = mkdtempSync(join(tmpdir(), 'cmcrd-tutorial-home-'));
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: home, npm_config_cache: process.env.npm_config_cache ?? join(homedir(), '.npm') };
  // A user's shell: not inside pnpm, not inside a test run.
  for (const k of ['INIT_CWD', 'NODE_TEST_CONTEXT', 'TSX_TSCONFIG_PATH', 'NODE_OPTIONS']) delete env[k];
  for (const k of Object.keys(env)) if (k.startsWith('npm_') && k !== 'npm_config_cache') delete env[k];
  const r = spawnSync('bash', ['-c', script], { cwd: repo, env, encoding: 'utf8', timeout: 900_000 });
  const out = `${r.stdout}${r.stderr}`;
  assert.equal(r.status, 0, out.slice(-6000));
  assert.match(out, /all checks passed/);
  assert.match(out, /# pass 1/);
  // The comparison table has the plugin's row beside the baselines'.
  assert.match(out, /│ my-at +│ \d+\.\d\d ± \d+\.\d\d \(n=2\)/);
  assert.match(out, /│ kd +│ \d+\.\d\d ± \d+\.\d\d \(n=2\)/);
  assert.match(out, /my-at against each baseline/);
  assert.match(out, /sweep 'my-at' .*: 3 cells, 6 folds/);
});
