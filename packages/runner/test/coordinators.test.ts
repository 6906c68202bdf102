import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { ClaimBoard } from '../src/claims.js';
import type { FoldJob } from '../src/jobs.js';
import { schema as schemaModule } from '@cmcrd/store';
import { Store } from '@cmcrd/store';
import { fixtureRow } from '@cmcrd/store/testing';
import { WorkSource } from '../src/work-source.js';
import { CLI as cli, writeTinySweep } from './fault-helpers.js';

const work = mkdtempSync(join(tmpdir(), 'cmcrd-coordinators-'));
after(() => rmSync(work, { recursive: true, force: true }));

/** A job that only needs an identity here: the claims never look inside it. */
const job = (hash: string, group: string): FoldJob => ({
  input: { dataset: 'synthetic-seed-iv', method: 'kd' } as FoldJob['input'],
  config: {} as FoldJob['config'],
  foldKey: hash,
  configHash: hash,
  teacherKey: null,
  groupKey: group,
});
const doneRow = (hash: string) => ({
  ...fixtureRow({ dataset: 'synthetic-seed-iv', protocol: 'within-subject', foldKey: hash, method: 'kd', backbone: 'dnn', direction: 'em->eeg' }),
  configHash: hash,
  finishedAt: new Date(Date.now() + 1).toISOString(),
});

describe('claims in the store', () => {
  it('a group claimed by a live coordinator is waited for, and counted as settled once it stores it', () => {
    const path = join(work, 'claims.sqlite');
    const a = Store.open(path);
    const b = Store.open(path);
    try {
      const groups = [[job('f1', 'g1'), job('f2', 'g1')], [job('f3', 'g2')]];
      const boardA = new ClaimBoard(a, { timeoutMs: 60_000 });
      const boardB = new ClaimBoard(b, { timeoutMs: 60_000 });
      const sourceB = new WorkSource(groups, boardB);
      assert.deepEqual((sourceB.next() as FoldJob[]).map((j) => j.configHash), ['f1', 'f2']);
      const sourceA = new WorkSource(groups, boardA);
      // A skips B's group and takes the next.
      assert.deepEqual((sourceA.next() as FoldJob[]).map((j) => j.configHash), ['f3']);
      assert.equal(sourceA.next(), 'wait');
      const claims = a.db.select().from(schemaModule.claims).all();
      assert.deepEqual(claims.map((c) => [c.configHash, c.owner === boardA.owner ? 'A' : 'B']).sort(), [['f1', 'B'], ['f2', 'B'], ['f3', 'A']]);
      // B stores f1 (done) and f2 (failed for good) and releases both: A has nothing left to run.
      b.recordFold(doneRow('f1'), []);
      b.recordFold({ ...doneRow('f2'), status: 'failed', accuracy: null, error: 'x' }, []);
      boardB.release(groups[0][0]);
      boardB.release(groups[0][1]);
      assert.equal(sourceA.next(), null);
      assert.equal(sourceA.settledElsewhere, 2);
      boardA.close();
      boardB.close();
    } finally {
      a.close();
      b.close();
    }
  });

  it('a stale claim (its coordinator killed) is taken over after the timeout', async () => {
    const path = join(work, 'stale.sqlite');
    const a = Store.open(path);
    const b = Store.open(path);
    try {
      const groups = [[job('s1', 'g1')]];
      const dead = new ClaimBoard(b, { timeoutMs: 300 });
      assert.equal((new WorkSource(groups, dead).next() as FoldJob[]).length, 1);
      // No heartbeat from here on, as after a kill -9 (close() would give the claim back).
      clearInterval((dead as unknown as { timer: NodeJS.Timeout }).timer);
      const boardA = new ClaimBoard(a, { timeoutMs: 300 });
      const sourceA = new WorkSource(groups, boardA);
      assert.equal(sourceA.next(), 'wait');
      await new Promise((r) => setTimeout(r, 400));
      assert.deepEqual((sourceA.next() as FoldJob[]).map((j) => j.configHash), ['s1']);
      const claim = a.db.select().from(schemaModule.claims).all()[0];
      assert.equal(claim.owner, boardA.owner);
      boardA.close();
      assert.equal(a.db.select().from(schemaModule.claims).all().length, 0, 'close gives every claim back');
    } finally {
      a.close();
      b.close();
    }
  });
});


describe('two `cmcrd sweep` processes on one store', { timeout: 300_000 }, () => {
  it('share the folds: each trained once, the summaries add up, the sweep row finished after both', async () => {
    const file = join(work, 'small.yaml');
    writeTinySweep(file, 4, 'small');
    const db = join(work, 'two.sqlite');
    Store.open(db).close();
    const start = () => {
      const child = spawn(process.execPath, [...process.execArgv, cli, 'sweep', file, '--db', db, '--workers', '1', '--backend', 'wasm'], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      child.stdout.on('data', (d) => {
        out += d;
      });
      child.stderr.on('data', (d) => {
        out += d;
      });
      return new Promise<{ code: number | null; out: string }>((resolve) => child.on('exit', (code) => resolve({ code, out })));
    };
    const [one, two] = await Promise.all([start(), start()]);
    assert.equal(one.code, 0, one.out);
    assert.equal(two.code, 0, two.out);
    const ran = (out: string) => Number(/(\d+) fold\(s\) run/.exec(out)?.[1]);
    const trained = (out: string) => out.split('\n').filter((l) => /^\[\s*\d+\/\d+\]/.test(l));
    assert.equal(ran(one.out) + ran(two.out), 8, `${one.out}\n---\n${two.out}`);
    assert.equal(trained(one.out).length + trained(two.out).length, 8);
    assert.ok(![...trained(one.out), ...trained(two.out)].some((l) => l.includes('already stored')), 'no fold trained twice');
    const sqlite = new Database(db, { readonly: true });
    try {
      const rows = sqlite.prepare("SELECT config_hash, count(*) n FROM folds WHERE status = 'done' GROUP BY config_hash").all() as { n: number }[];
      assert.equal(rows.length, 8);
      assert.ok(rows.every((r) => r.n === 1));
      assert.equal(sqlite.prepare('SELECT count(*) FROM claims').pluck().get(), 0);
      assert.equal(sqlite.prepare('SELECT status FROM sweeps').pluck().get(), 'finished');
      assert.equal(sqlite.pragma('integrity_check', { simple: true }), 'ok');
    } finally {
      sqlite.close();
    }
  });
});

describe('a claim of a coordinator gone from this machine', () => {
  it('is taken over at once, without waiting for the timeout', () => {
    const path = join(work, 'gone.sqlite');
    const store = Store.open(path);
    try {
      // A claim as a coordinator killed a moment ago would leave it: this host, a pid that no longer exists, a fresh heartbeat.
      const now = Date.now();
      store.db
        .insert(schemaModule.claims)
        .values({ configHash: 'g1', owner: 'gone', host: hostname(), pid: 2 ** 22 + 7, claimedAt: now, heartbeatAt: now })
        .run();
      const board = new ClaimBoard(store, { timeoutMs: 60_000 });
      assert.deepEqual((new WorkSource([[job('g1', 'g')]], board).next() as FoldJob[]).map((j) => j.configHash), ['g1']);
      // One on another machine with a fresh heartbeat is waited for.
      store.db
        .insert(schemaModule.claims)
        .values({ configHash: 'g2', owner: 'elsewhere', host: 'another-host', pid: 2 ** 22 + 7, claimedAt: now, heartbeatAt: now })
        .run();
      assert.equal(new WorkSource([[job('g2', 'g')]], board).next(), 'wait');
      board.close();
    } finally {
      store.close();
    }
  });
});
