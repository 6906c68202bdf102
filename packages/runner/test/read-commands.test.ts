import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { main } from '../src/cli.js';
import { DEFAULT_DB, DEMO_DB, decodeVariant, runIdOf } from '@cmcrd/store';
import { Store, StoreNotFoundError } from '@cmcrd/store';
import { fixtureRow, insertFolds, writeGoldenStore } from '@cmcrd/store/testing';

// Read commands never create a store: a missing or mistyped --db is exit 2, naming the path and
// the stores that do exist, and nothing is written (not the file, not its folder).
const work = mkdtempSync(join(tmpdir(), 'cmcrd-read-'));
after(() => rmSync(work, { recursive: true, force: true }));

/** Runs the CLI from `cwd` (as pnpm does, through INIT_CWD), capturing what it writes. */
async function cli(argv: string[], cwd: string): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  const writeErr = process.stderr.write.bind(process.stderr);
  const error = console.error;
  const log = console.log;
  const initCwd = process.env.INIT_CWD;
  process.env.INIT_CWD = cwd;
  // Text is the command's; the test runner's own messages to its parent are binary and pass through
  // (the command's actions load their modules as they run, which lets the runner write meanwhile).
  process.stdout.write = ((s: string | Uint8Array, ...rest: never[]) => (typeof s === 'string' ? out.push(s) > 0 : write(s, ...rest))) as typeof process.stdout.write;
  process.stderr.write = ((s: string | Uint8Array, ...rest: never[]) => (typeof s === 'string' ? err.push(s) > 0 : writeErr(s, ...rest))) as typeof process.stderr.write;
  console.error = (...a: unknown[]) => err.push(`${a.join(' ')}\n`);
  console.log = (...a: unknown[]) => out.push(`${a.join(' ')}\n`);
  try {
    const code = await main(['node', 'cmcrd', ...argv]);
    return { code, out: out.join(''), err: err.join('') };
  } finally {
    process.stdout.write = write;
    process.stderr.write = writeErr;
    console.error = error;
    console.log = log;
    if (initCwd === undefined) delete process.env.INIT_CWD;
    else process.env.INIT_CWD = initCwd;
  }
}

/** Every path under `dir` (files and folders), to show that a command added none. */
function tree(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort();
}

test('one default store for every command', () => {
  assert.equal(DEFAULT_DB, 'results/cmcrd.sqlite');
  assert.equal(DEMO_DB, DEFAULT_DB);
});

test('report on a mistyped --db: exit 2, names the path and the stores under results/, writes nothing', async () => {
  const project = join(work, 'project');
  mkdirSync(join(project, 'results'), { recursive: true });
  Store.open(join(project, 'results', 'cmcrd.sqlite')).close();
  Store.open(join(project, 'results', 'other.sqlite')).close();
  const before = tree(project);
  const r = await cli(['report', 'comparison', '--db', 'results/nope.sqlite'], project);
  assert.equal(r.code, 2, r.err);
  assert.match(r.err, /no store at .*results\/nope\.sqlite/);
  assert.match(r.err, /stores here: results\/cmcrd\.sqlite, results\/other\.sqlite/);
  assert.equal(r.out, '');
  assert.deepEqual(tree(project), before, 'nothing was created');
});

test('report with the default store on a fresh checkout: exit 2, no results/ folder created', async () => {
  const fresh = join(work, 'fresh');
  mkdirSync(fresh);
  for (const table of ['comparison', 'significance', 'fusion', 'timing', 'ablation']) {
    const r = await cli(['report', table], fresh);
    assert.equal(r.code, 2, r.err);
    assert.match(r.err, /no store at .*results\/cmcrd\.sqlite/);
    assert.match(r.err, /no stores under results\/ yet \(`cmcrd demo`/);
  }
  assert.deepEqual(tree(fresh), []);
});

test('an empty file is no store either, and is left as it was', async () => {
  const dir = join(work, 'empty');
  mkdirSync(dir);
  const empty = join(dir, 'empty.sqlite');
  (await import('node:fs')).writeFileSync(empty, '');
  const r = await cli(['report', 'comparison', '--db', empty], dir);
  assert.equal(r.code, 2);
  assert.match(r.err, /no store at .*empty\.sqlite/);
  assert.deepEqual(tree(dir), ['empty.sqlite']);
  assert.equal((await import('node:fs')).statSync(empty).size, 0);
});

test('Store.openExisting refuses a missing store without creating it; Store.open still creates one', () => {
  const missing = join(work, 'missing', 'deeper', 'x.sqlite');
  assert.throws(() => Store.openExisting(missing), StoreNotFoundError);
  assert.equal(existsSync(join(work, 'missing')), false);
  const made = join(work, 'made.sqlite');
  Store.open(made).close();
  const s = Store.openExisting(made);
  s.close();
});

test('list reads no store and writes nothing', async () => {
  const dir = join(work, 'list');
  mkdirSync(dir);
  const r = await cli(['list'], dir);
  assert.equal(r.code, 0);
  assert.match(r.out, /methods: +eeg-only, em-only, fusion/);
  assert.deepEqual(tree(dir), []);
});

test('cmcrd --version: the package version, exit 0, nothing written', async () => {
  const dir = join(work, 'version');
  mkdirSync(dir);
  const { version } = JSON.parse((await import('node:fs')).readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  for (const flag of ['--version', '-V']) {
    const r = await cli([flag], dir);
    assert.equal(r.code, 0);
    assert.equal(r.out.trim(), version);
  }
  assert.deepEqual(tree(dir), []);
});

test('--help calls the workers processes, not threads, and shows one default', async () => {
  for (const command of ['run', 'demo', 'sweep']) {
    const r = await cli([command, '--help'], work);
    assert.equal(r.code, 0);
    assert.match(r.out, /--workers <n> +(parallel )?worker processes/);
    assert.doesNotMatch(r.out, /thread/);
    const workers = r.out.slice(r.out.indexOf('--workers'), r.out.indexOf('\n  -', r.out.indexOf('--workers') + 1));
    assert.equal(workers.match(/\(default:/g)?.length, 1, workers);
  }
  const run = await cli(['run', '--help'], work);
  assert.match(run.out, /\(default: the number of\s+cores\)/);
});

// ---------------------------------------------------------------- runs and folds

const golden = join(work, 'golden', 'store.sqlite');
mkdirSync(join(work, 'golden'));
writeGoldenStore(golden).close();
/** The golden store's runs and folds as the store itself gives them, to check the commands against. */
const expected = (() => {
  const s = Store.open(golden);
  try {
    return { runs: s.listRuns(), folds: s.listFolds(), failed: s.listFolds({ status: 'failed' }) };
  } finally {
    s.close();
  }
})();

test('cmcrd runs: one row per run with its id, cell, seed, done/failed, mean accuracy and last finished; a footer', async () => {
  const r = await cli(['runs', '--db', golden, '--dataset', 'seed-iv', '--protocol', 'within-subject', '--backbone', 'dgcnn'], work);
  assert.equal(r.code, 0, r.err);
  const lines = r.out.trimEnd().split('\n');
  assert.match(lines[1], /│ run +│ dataset +│ protocol +│ backbone +│ method +│ variant +│ seed │ done │ failed │ mean acc\. % │ last finished \(UTC\) │/);
  const runs = expected.runs.filter((x) => x.dataset === 'seed-iv' && x.protocol === 'within-subject' && x.backbone === 'dgcnn');
  assert.equal(lines.length, runs.length + 5, 'head, rules and footer; one line per run');
  const cmcrd = runs.find((x) => {
    const { options } = decodeVariant(x.variant);
    return x.method === 'cmcrd' && options.iew === false && options.mcc === false && options.us === true;
  });
  assert.ok(cmcrd?.meanAccuracy);
  const row = lines.find((l) => l.includes(runIdOf(cmcrd)));
  assert.ok(row, r.out);
  assert.deepEqual(
    row.split('│').slice(1, -1).map((c) => c.trim()),
    [runIdOf(cmcrd), 'seed-iv', 'within-subject', 'dgcnn', 'cmcrd em->eeg', 'iew=false, mcc=false', '1', '4', '0', (100 * cmcrd.meanAccuracy).toFixed(2), '2026-11-28 00:00:01'],
  );
  // The default variant keeps the bare name, as in the report's rows.
  const plain = runs.find((x) => x.method === 'cmcrd' && x.direction === 'eeg->em');
  assert.match(lines.find((l) => l.includes(runIdOf(plain!))) ?? '', /│ cmcrd eeg->em +│ +│ 1 /);
  assert.match(lines.at(-1) ?? '', new RegExp(`^${runs.length} run\\(s\\), ${runs.length * 4} done and 0 failed fold\\(s\\), in .*store\\.sqlite.*cmcrd folds --run <id> --db `));
});

test('cmcrd runs tells apart runs that differ in data revision, protocol options or student settings only', async () => {
  const db = join(work, 'golden', 'variants.sqlite');
  const s = Store.open(db);
  const base = { dataset: 'synthetic-seed-iv', protocol: 'within-subject', foldKey: 'subject-01', method: 'eeg-only', backbone: 'dnn', direction: 'none' };
  insertFolds(s, [
    fixtureRow({ ...base, dataRevision: 7 }),
    fixtureRow({ ...base, dataRevision: 8 }),
    fixtureRow({ ...base, dataRevision: 7, protocolOptions: { normalisation: 'paper', mccSource: 'train', epochSelection: 'last' } }),
    fixtureRow({ ...base, dataRevision: 7, student: { epochs: 5 } }),
  ]);
  s.close();
  const r = await cli(['runs', '--db', db], work);
  assert.equal(r.code, 0, r.err);
  const rows = r.out.split('\n').filter((l) => /^│ [0-9a-f]{16} /.test(l)).map((l) => l.split('│').slice(2, 7).map((c) => c.trim()));
  assert.deepEqual(rows, [
    // A setting that varies between the method's runs is shown on each (the report names its rows so).
    ['synthetic-seed-iv@7', 'within-subject (normalisation=train)', 'dnn', 'eeg-only', 'student.epochs=40'],
    ['synthetic-seed-iv@8', 'within-subject (normalisation=train)', 'dnn', 'eeg-only', 'student.epochs=40'],
    ['synthetic-seed-iv@7', 'within-subject (normalisation=paper)', 'dnn', 'eeg-only', 'student.epochs=40'],
    ['synthetic-seed-iv@7', 'within-subject (normalisation=train)', 'dnn', 'eeg-only', 'student.epochs=5'],
  ]);
});

test('cmcrd runs --format json: every run, the same ids as the store (and the API: runIdOf), filters applied', async () => {
  const all = await cli(['runs', '--db', golden, '--format', 'json'], work);
  assert.equal(all.code, 0, all.err);
  const runs = JSON.parse(all.out) as Record<string, unknown>[];
  assert.deepEqual(runs.map((x) => x.id), expected.runs.map(runIdOf));
  assert.deepEqual(Object.keys(runs[0]), [
    'id', 'dataset', 'dataRevision', 'synthetic', 'protocol', 'protocolOptions', 'backbone', 'method', 'direction', 'variant',
    'options', 'training', 'seed', 'done', 'failed', 'meanAccuracy', 'firstFoldId', 'lastFinishedAt', 'experiments',
  ]);
  const kd = runs.find((x) => x.method === 'kd' && x.dataset === 'seed-iv' && x.protocol === 'within-subject' && x.backbone === 'dnn' && x.direction === 'em->eeg');
  assert.deepEqual([kd?.done, kd?.failed, kd?.experiments], [3, 1, [1]]);
  assert.deepEqual(kd?.protocolOptions, { normalisation: 'train', mccSource: 'train', epochSelection: 'last' });
  assert.deepEqual(kd?.training, { student: { batchSize: 32, epochs: 40, lr: 0.001, warmupEpochs: 10, weightDecay: 0.001 }, teacherEpochs: 50, module: null });
  const seed2 = JSON.parse((await cli(['runs', '--db', golden, '--seed', '2', '--method', 'cmcrd', '--format', 'json'], work)).out) as { seed: number; method: string }[];
  assert.ok(seed2.length > 0 && seed2.every((x) => x.seed === 2 && x.method === 'cmcrd'));
  const none = await cli(['runs', '--db', golden, '--dataset', 'seed-v'], work);
  assert.equal(none.code, 0);
  assert.match(none.out, /^no run in .*store\.sqlite matches\n$/);
  assert.equal((await cli(['runs', '--db', golden, '--dataset', 'seed-v', '--format', 'json'], work)).out, '[]\n');
});

test('cmcrd folds: a page of folds with id, cell, status, accuracy and times; the footer says how to page', async () => {
  const r = await cli(['folds', '--db', golden, '--limit', '8', '--offset', '10'], work);
  assert.equal(r.code, 0, r.err);
  const lines = r.out.trimEnd().split('\n');
  assert.match(lines[1], /│ id │ dataset +│ fold +│ method +│ direction │ backbone │ seed │ status │ acc\. % │ train s │ test s │ finished \(UTC\) +│/);
  const rows = lines.filter((l) => /^│ \d/.test(l)).map((l) => l.split('│').slice(1, -1).map((c) => c.trim()));
  assert.deepEqual(rows.map((c) => Number(c[0])), expected.folds.slice(10, 18).map((f) => f.id));
  const failed = expected.failed[0];
  assert.ok(failed.id > 10 && failed.id <= 18, 'the golden store has a failed fold on this page');
  const f = expected.folds[10];
  assert.deepEqual(rows[0], [String(f.id), f.dataset, f.foldKey, f.method, f.direction, f.backbone, String(f.seed), 'done', (100 * f.accuracy!).toFixed(2), (f.trainMs! / 1000).toFixed(1), (f.testMs! / 1000).toFixed(2), '2026-11-28 00:00:01']);
  assert.deepEqual(rows.find((c) => c[0] === String(failed.id))?.slice(7), ['failed', '—', '—', '—', '2026-11-28 00:00:01']);
  assert.ok(lines.includes(`  fold ${failed.id} failed: fixture failure`), r.out);
  assert.match(lines.at(-1) ?? '', new RegExp(`^folds 11–18 of ${expected.folds.length} that match, oldest first; the next 8: --offset 18\\. A fold's model: cmcrd export --fold <id>`));
  // The last page says no next one; past the end, how many match.
  const last = await cli(['folds', '--db', golden, '--offset', String(expected.folds.length - 3)], work);
  assert.match(last.out, new RegExp(`folds ${expected.folds.length - 2}–${expected.folds.length} of ${expected.folds.length} that match, oldest first\\. A fold`));
  const past = await cli(['folds', '--db', golden, '--offset', '100000'], work);
  assert.equal(past.code, 0);
  assert.equal(past.out, `no folds from --offset 100000: ${expected.folds.length} match\n`);
  // 50 by default.
  const first = await cli(['folds', '--db', golden], work);
  assert.equal(first.out.split('\n').filter((l) => /^│ \d/.test(l)).length, 50);
});

test('cmcrd folds --run, --cell, --status, --fold-key --format json: the filtered page, with paging fields', async () => {
  const run = expected.runs.find((x) => x.method === 'kd' && x.failed === 1)!;
  const ids = expected.folds.filter((f) => runIdOf(f) === runIdOf(run)).map((f) => f.id);
  for (const id of [runIdOf(run), runIdOf(run).slice(0, 6).toUpperCase()]) {
    const r = await cli(['folds', '--db', golden, '--run', id, '--format', 'json'], work);
    assert.equal(r.code, 0, r.err);
    const page = JSON.parse(r.out);
    assert.deepEqual(Object.keys(page), ['items', 'total', 'limit', 'offset', 'nextOffset']);
    assert.deepEqual(page.items.map((x: { id: number }) => x.id), ids);
    assert.deepEqual([page.total, page.limit, page.offset, page.nextOffset], [4, 50, 0, null]);
    assert.ok(page.items.every((x: { run: string }) => x.run === runIdOf(run)));
  }
  const item = JSON.parse((await cli(['folds', '--db', golden, '--limit', '1', '--format', 'json'], work)).out);
  assert.deepEqual(Object.keys(item.items[0]), [
    'id', 'run', 'dataset', 'synthetic', 'protocol', 'foldKey', 'method', 'direction', 'backbone', 'seed', 'options', 'status',
    'accuracy', 'balancedAccuracy', 'trainMs', 'testMs', 'teacherMs', 'epochs', 'selectedEpoch', 'backend', 'error', 'experiment', 'startedAt', 'finishedAt',
  ]);
  assert.deepEqual([item.total, item.limit, item.offset, item.nextOffset], [expected.folds.length, 1, 0, 1]);

  const cell = 'dataset=seed-iv,protocol=within-subject,backbone=dnn,method=cmcrd,direction=em->eeg,seed=2';
  const byCell = JSON.parse((await cli(['folds', '--db', golden, '--cell', cell, '--format', 'json'], work)).out);
  assert.equal(byCell.total, 4);
  assert.ok(byCell.items.every((x: Record<string, unknown>) => x.method === 'cmcrd' && x.seed === 2 && x.backbone === 'dnn' && x.direction === 'em->eeg'));
  const oneKey = JSON.parse((await cli(['folds', '--db', golden, '--cell', cell, '--fold-key', 'subject-03', '--format', 'json'], work)).out);
  assert.deepEqual(oneKey.items.map((x: { foldKey: string }) => x.foldKey), ['subject-03']);
  const failed = JSON.parse((await cli(['folds', '--db', golden, '--status', 'failed', '--format', 'json'], work)).out);
  assert.deepEqual(failed.items.map((x: { id: number }) => x.id), expected.failed.map((f) => f.id));
  assert.equal(failed.items[0].error, 'fixture failure');
  const none = await cli(['folds', '--db', golden, '--cell', 'method=nst'], work);
  assert.equal(none.code, 0);
  assert.match(none.out, /^no fold in .*store\.sqlite matches\n$/);
});

test('the fold ids cmcrd folds shows are what cmcrd export --fold takes', async () => {
  const help = await cli(['folds', '--help'], work);
  assert.match(help.out, /A fold's id is what `cmcrd export --fold <id>`/);
  const page = JSON.parse((await cli(['folds', '--db', golden, '--cell', 'dataset=seed-iv,method=eeg-only,backbone=dnn', '--fold-key', 'subject-01', '--format', 'json'], work)).out);
  const out = join(work, 'golden', 'model');
  const r = await cli(['export', '--fold', String(page.items[0].id), '--out', out, '--db', golden], work);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, new RegExp(`exported fold ${page.items[0].id} \\(seed-iv within-subject subject-01, eeg-only dnn`));
  assert.ok(existsSync(join(out, 'model.json')));
});

test('cmcrd runs and folds refuse with exit 2 and one line: a missing store, an unknown run, a bad --cell, a cut direction', async () => {
  const project = join(work, 'lists');
  mkdirSync(join(project, 'results'), { recursive: true });
  Store.open(join(project, 'results', 'cmcrd.sqlite')).close();
  const before = tree(project);
  const refused = async (args: string[], re: RegExp) => {
    const r = await cli(args, project);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.out} ${r.err}`);
    assert.match(r.err, re);
    assert.equal(r.err.trim().split('\n').length, 1, r.err);
    assert.equal(r.out, '');
  };
  for (const command of ['runs', 'folds']) {
    await refused([command, '--db', 'results/nope.sqlite'], /^cmcrd: no store at .*results\/nope\.sqlite .*stores here: results\/cmcrd\.sqlite/);
  }
  await refused(['folds', '--db', golden, '--run', '0123456789abcdef'], /^cmcrd: no run 0123456789abcdef in .*store\.sqlite; `cmcrd runs --db .*` lists its runs/);
  await refused(['folds', '--db', golden, '--run', 'latest'], /--run takes a run id as `cmcrd runs` shows it \(16 hex digits, or a prefix of 4 or more\), got 'latest'/);
  await refused(['folds', '--db', golden, '--cell', 'colour=red'], /--cell: 'colour=red' is not key=value with a key among dataset, protocol/);
  await refused(['folds', '--db', golden, '--cell', 'seed=one'], /--cell: seed must be an integer, got 'one'/);
  await refused(['runs', '--db', golden, '--direction', 'em-'], /unknown direction 'em-'.*the shell cut em->eeg at '>'.*a file named 'eeg'.*quote it: --direction 'em->eeg'/);
  await refused(['folds', '--db', golden, '--cell', 'method=kd,direction=eeg-'], /unknown direction 'eeg-'.*quote it: --cell '…,direction=eeg->em'/);
  await refused(['report', 'comparison', '--db', golden, '--direction', 'em-'], /unknown direction 'em-'.*quote it: --direction 'em->eeg'/);
  await refused(['export', '--cell', 'direction=em-', '--out', join(project, 'm'), '--db', golden], /unknown direction 'em-'.*quote it: --cell/);
  assert.deepEqual(tree(project), before, 'nothing was written');
});
