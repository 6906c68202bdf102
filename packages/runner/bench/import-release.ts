// Issue 5's figures: import of a full-size SEED-IV release in the official layout (generated on the
// fly with Debian's python3-scipy, never committed), then loading it from the cache in a fresh
// process (time and memory). Run by bench/run.ts; also on its own:
//   node --conditions=@cmcrd/source --import tsx bench/import-release.ts [--keep <dir>]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { importDataset } from '@cmcrd/data';

const here = fileURLToPath(new URL('.', import.meta.url));
const script = join(here, '../../data/test/fixtures/official/make_official_fixtures.py');
const PYTHON = '/usr/bin/python3';

const probe = spawnSync(PYTHON, ['-c', 'import numpy, scipy'], { encoding: 'utf8' });
if (probe.status !== 0) {
  console.log('import benchmark skipped: it writes the release with Debian\'s python3-scipy (apt-get install python3-scipy python3-numpy)');
  process.exit(0);
}

const work = mkdtempSync(join(tmpdir(), 'cmcrd-import-bench-'));
try {
  const release = join(work, 'seed-iv');
  process.stderr.write('bench: writing a full-size SEED-IV release with scipy …\n');
  const gen = spawnSync(PYTHON, [script, '--full', release], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (gen.status !== 0) throw new Error(`fixture script failed with ${gen.status}`);
  process.env.CMCRD_DATA_DIR = join(work, 'cache');
  process.stderr.write('bench: importing it …\n');
  const s = importDataset('seed-iv', release);
  // A fresh process, so that the memory figures are the load's alone.
  const load = spawnSync(process.execPath, ['--expose-gc', ...process.execArgv, join(here, 'load-cache.ts'), 'seed-iv'], {
    encoding: 'utf8',
    env: process.env,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (load.status !== 0) throw new Error(`loading the cache failed with ${load.status}`);
  const l = JSON.parse(load.stdout.trim().split('\n').pop()!);
  const mib = (b: number) => `${(b / 2 ** 20).toFixed(1)} MiB`;
  const verdict = (ok: boolean, target: string) => (ok ? `≤ ${target} met` : `> ${target} MISSED`);
  console.log('\nimport of a full-size SEED-IV release (official layout, written by scipy; targets from issue 5)');
  console.log(`  release on disk        ${gen.stdout.trim().split('\n').pop()}`);
  console.log(`  import                 ${s.seconds.toFixed(1)} s for ${s.windows} windows of ${s.subjects.length} subjects  ${verdict(s.seconds <= 60, '60 s')}`);
  console.log(`  cache file             ${mib(s.bytes)}`);
  console.log(`  load from the cache    ${(l.ms / 1000).toFixed(2)} s  ${verdict(l.ms <= 1000, '1 s')}`);
  console.log(`  memory after the load  ${mib(l.retainedBytes)} retained (typed arrays + JS heap, after GC) = ${(l.retainedBytes / s.bytes).toFixed(2)}× the file  ${verdict(l.retainedBytes <= 2 * s.bytes, '2×')}`);
} finally {
  if (!process.argv.includes('--keep')) rmSync(work, { recursive: true, force: true });
}
