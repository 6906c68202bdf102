import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { Store } from '@cmcrd/store';
import { StoreFaultError } from '@cmcrd/store';
import { CLI_SHELL, foldsRun, inNamespace, inspectStore, runCli, seededStore, stackLines, writeTinySweep, zeroPages } from './fault-helpers.js';

const work = mkdtempSync(join(tmpdir(), 'cmcrd-store-faults-'));
after(() => rmSync(work, { recursive: true, force: true }));
const sweepFile = join(work, 'tiny.yaml');
const FOLDS = writeTinySweep(sweepFile, 4);
const seeded = join(work, 'seeded.sqlite');
const FIXTURE_ROWS = seededStore(seeded);

describe('store faults', { timeout: 600_000 }, () => {
  // A size-limited tmpfs in a private mount namespace where one can be made (root, unshare -m);
  // elsewhere SQLite's own cap (CMCRD_STORE_MAX_BYTES, max_page_count) fills up the same way.
  const namespaces = process.env.CMCRD_FAULTS_NO_NAMESPACE !== '1' && spawnSync('unshare', ['-m', 'true']).status === 0;
  it(`disk full (${namespaces ? 'a full tmpfs' : "SQLite's max_page_count"}): exit 2 with one paragraph, the sweep row stopped, nothing lost; the re-run runs exactly the missing folds`, async () => {
    const out = join(work, 'full');
    mkdirSync(join(out, 'mnt'), { recursive: true });
    mkdirSync(join(out, 'fault'));
    mkdirSync(join(out, 'final'));
    let first: string;
    let second: string;
    if (namespaces) {
      const r = inNamespace(
        `
        mount -t tmpfs -o size=16m tmpfs "$OUT/mnt"
        cp "$SEEDED" "$OUT/mnt/s.sqlite"
        used=$(du -sk "$OUT/mnt" | cut -f1)
        mount -o remount,size=$((used + 400))k "$OUT/mnt"
        ${CLI_SHELL} sweep "$SWEEP" --db "$OUT/mnt/s.sqlite" --workers 2 --backend wasm > "$OUT/first.log" 2>&1
        echo $? > "$OUT/first.code"
        cp "$OUT"/mnt/s.sqlite* "$OUT/fault/"
        mount -o remount,size=64m "$OUT/mnt"
        ${CLI_SHELL} sweep "$SWEEP" --db "$OUT/mnt/s.sqlite" --workers 2 --backend wasm > "$OUT/second.log" 2>&1
        echo $? > "$OUT/second.code"
        cp "$OUT"/mnt/s.sqlite* "$OUT/final/"
        `,
        { OUT: out, SEEDED: seeded, SWEEP: sweepFile },
      );
      assert.equal(r.code, 0, r.out);
      first = readFileSync(join(out, 'first.log'), 'utf8');
      assert.equal(readFileSync(join(out, 'first.code'), 'utf8').trim(), '2', first);
      second = readFileSync(join(out, 'second.log'), 'utf8');
      assert.equal(readFileSync(join(out, 'second.code'), 'utf8').trim(), '0', second);
    } else {
      const db = join(out, 'mnt', 's.sqlite');
      copyFileSync(seeded, db);
      const cap = String(statSync(db).size + 48 * 1024);
      const a = await runCli(['sweep', sweepFile, '--db', db, '--workers', '2', '--backend', 'wasm'], { CMCRD_STORE_MAX_BYTES: cap });
      first = a.out;
      assert.equal(a.code, 2, first);
      for (const f of ['s.sqlite', 's.sqlite-wal']) if (existsSync(join(out, 'mnt', f))) copyFileSync(join(out, 'mnt', f), join(out, 'fault', f));
      const b = await runCli(['sweep', sweepFile, '--db', db, '--workers', '2', '--backend', 'wasm']);
      second = b.out;
      assert.equal(b.code, 0, second);
      copyFileSync(db, join(out, 'final', 's.sqlite'));
    }
    assert.match(first, /cmcrd: \S+\/mnt\/s\.sqlite: the store cannot be written: the disk \(or the store's size limit\) is full .*Free space on that disk/);
    assert.deepEqual(stackLines(first), [], first);
    assert.doesNotMatch(first, /worker (process )?(exited|lost)|SIGKILL/, first);
    const fault = inspectStore(join(out, 'fault', 's.sqlite'));
    assert.equal(fault.integrity, 'ok');
    assert.equal(fault.fixtureRows, FIXTURE_ROWS, 'nothing stored before is lost');
    assert.deepEqual(fault.sweeps, ['stopped']);
    assert.ok([...fault.doneBySweepFold.values()].every((n) => n === 1));
    const doneAtFault = fault.doneBySweepFold.size;
    assert.ok(doneAtFault < FOLDS, 'the disk filled up before the end');

    assert.equal(foldsRun(second), FOLDS - doneAtFault, `exactly the missing folds run:\n${second}`);
    const final = inspectStore(join(out, 'final', 's.sqlite'));
    assert.equal(final.integrity, 'ok');
    assert.equal(final.doneBySweepFold.size, FOLDS);
    assert.ok([...final.doneBySweepFold.values()].every((n) => n === 1), 'one done row per fold');
    assert.equal(final.fixtureRows, FIXTURE_ROWS);
    assert.deepEqual(final.sweeps, ['finished']);
    assert.equal(final.claims, 0);
  });

  it('a read-only store: exit 2 with one paragraph, the file untouched', () => {
    const out = join(work, 'ro');
    mkdirSync(join(out, 'mnt'), { recursive: true });
    const r = inNamespace(
      `
      mount -t tmpfs -o size=16m tmpfs "$OUT/mnt"
      cp "$SEEDED" "$OUT/mnt/s.sqlite"
      mount -o remount,ro "$OUT/mnt"
      ${CLI_SHELL} sweep "$SWEEP" --db "$OUT/mnt/s.sqlite" --workers 1 --backend wasm > "$OUT/sweep.log" 2>&1
      echo $? > "$OUT/sweep.code"
      cp "$OUT/mnt/s.sqlite" "$OUT/after.sqlite"
      ls "$OUT/mnt" > "$OUT/files"
      `,
      { OUT: out, SEEDED: seeded, SWEEP: sweepFile },
    );
    assert.equal(r.code, 0, r.out);
    const log = readFileSync(join(out, 'sweep.log'), 'utf8');
    assert.equal(readFileSync(join(out, 'sweep.code'), 'utf8').trim(), '2', log);
    assert.match(log, /s\.sqlite: the store cannot be written: the file, its folder or its filesystem is read-only .*Make it writable/);
    assert.deepEqual(stackLines(log), []);
    assert.deepEqual(readFileSync(join(out, 'after.sqlite')), readFileSync(seeded));
    assert.equal(readFileSync(join(out, 'files'), 'utf8').trim(), 's.sqlite');
  });

  it('zeroed pages: report, sweep and the store refuse it with one paragraph (a stack only with --debug), writing nothing', async () => {
    const bad = join(work, 'zeroed.sqlite');
    copyFileSync(seeded, bad);
    zeroPages(bad, 40, 20);
    const before = readFileSync(bad);
    const report = await runCli(['report', 'comparison', '--db', bad]);
    assert.equal(report.code, 2, report.out);
    assert.match(report.out, /zeroed\.sqlite: the store is damaged: .*\.recover/);
    assert.deepEqual(stackLines(report.out), []);
    const sweep = await runCli(['sweep', sweepFile, '--db', bad, '--workers', '1', '--backend', 'wasm']);
    assert.equal(sweep.code, 2, sweep.out);
    assert.match(sweep.out, /zeroed\.sqlite: the store is damaged: .*quick_check found/);
    assert.equal(sweep.out.trim().split('\n').length, 1, `one paragraph: ${sweep.out}`);
    const debug = await runCli(['sweep', sweepFile, '--db', bad, '--workers', '1', '--debug']);
    assert.equal(debug.code, 2);
    assert.ok(stackLines(debug.out).length > 0, '--debug prints the stack');
    assert.throws(() => Store.open(bad, { verify: true }), (e: unknown) => e instanceof StoreFaultError && e.kind === 'damaged');
    assert.deepEqual(readFileSync(bad), before, 'nothing was written');
  });
});
