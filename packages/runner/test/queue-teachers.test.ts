import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { type ExecEvent, type RunInput, expandJobs, loadBuiltins } from '../src/index.js';
import { Store } from '@cmcrd/store';
import { connectRedis, executeOnQueue } from '../src/queue.js';
import { runQueueWorker } from '../src/queue-worker.js';
import { freePort, startRedis } from './redis-helpers.js';

loadBuiltins();
const dir = mkdtempSync(join(tmpdir(), 'cmcrd-queue-teachers-'));
let redis: ChildProcess | undefined;
after(() => {
  redis?.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

const tiny = (method: string): RunInput => ({
  dataset: 'synthetic-seed-iv',
  method,
  epochs: 2,
  warmupEpochs: 1,
  teacherEpochs: 2,
  folds: ['subject-01'],
});

test('two workers that start one group at once train its teacher once; teachers in Redis expire', { timeout: 120_000 }, async () => {
  const port = await freePort();
  redis = await startRedis(port);
  const url = `redis://127.0.0.1:${port}/2`;
  process.env.CMCRD_TEACHER_TTL_S = '600';
  const workers = await Promise.all([url, url].map((u) => runQueueWorker({ url: u, backend: 'wasm' })));
  const store = Store.open(join(dir, 'teachers.sqlite'));
  const client = await connectRedis(url);
  try {
    // kd and cmcrd of one fold share a teacher; the two idle workers take one each at once.
    const { jobs } = expandJobs([tiny('kd'), tiny('cmcrd')]);
    assert.equal(new Set(jobs.map((j) => j.teacherKey)).size, 1);
    const events: ExecEvent[] = [];
    const summary = await executeOnQueue(jobs, store, { url, pollMs: 200, onEvent: (e) => events.push(e) });
    assert.deepEqual(summary, { finished: 2, failed: 0, skipped: 0 });
    const finished = events.filter((e): e is Extract<ExecEvent, { type: 'finished' }> => e.type === 'finished');
    // Both workers run in this process (one name): their fold processes tell them apart.
    const workersUsed = new Set(events.filter((e) => e.type === 'started').map((e) => (e as { pid: number }).pid));
    assert.equal(workersUsed.size, 2, 'both workers took a fold');
    assert.equal(finished.filter((e) => e.outcome.newTeacher).length, 1, 'the teacher was trained once');
    const key = `cmcrd:teacher:${jobs[0].teacherKey}`;
    const ttl = await client.pttl(key);
    assert.ok(ttl > 0 && ttl <= 600_000, `TTL ${ttl} ms`);
    assert.equal(await client.exists(`cmcrd:teacher-claim:${jobs[0].teacherKey}`), 0, 'the claim is released');
    assert.equal(store.countTeachers(), 1);
    for (const f of store.listFolds()) assert.equal(f.teacherKey, jobs[0].teacherKey);
  } finally {
    delete process.env.CMCRD_TEACHER_TTL_S;
    await Promise.all(workers.map((w) => w.stop()));
    client.disconnect();
    store.close();
  }
});
