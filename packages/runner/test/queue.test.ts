import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Queue } from 'bullmq';
import { type ExecEvent, type RunInput, expandJobs, loadBuiltins, preparePlugins } from '../src/index.js';
import { Store } from '@cmcrd/store';
import { QUEUE_NAME, connectRedis, executeOnQueue } from '../src/queue.js';
import { type QueueWorker, runQueueWorker } from '../src/queue-worker.js';
import { alive, waitFor } from './process-helpers.js';

// Distributed sweeps against a real redis-server (started here on a free loopback port, one
// database per test), with workers as CLI processes that the tests kill.

loadBuiltins();
const here = fileURLToPath(new URL('.', import.meta.url));
const pkg = resolve(here, '..');
const dir = mkdtempSync(join(tmpdir(), 'cmcrd-queue-'));
const REDIS_SERVER = '/usr/bin/redis-server';
/**
 * The lock of the worker that the tests kill: short, so that its fold comes back after ~2 s rather
 * than 30 (the other workers keep the default, which no busy machine can make expire by mistake).
 */
const LOCK_MS = 2000;
const ALL_STATES = ['active', 'waiting', 'delayed', 'prioritized', 'completed', 'failed'] as const;

const tiny = (method: string, plugins?: string[]): RunInput => ({
  dataset: 'synthetic-seed-iv',
  protocol: 'within-subject',
  backbone: 'dnn',
  method,
  epochs: 2,
  warmupEpochs: 1,
  teacherEpochs: 2,
  folds: ['subject-01'],
  ...(plugins ? { plugins } : {}),
});

/** Every process started here, and the fold processes seen running: killed at the end, whatever happened. */
const children = new Set<ChildProcess>();
const foldPids = new Set<number>();
let redisPort: Promise<number> | undefined;


after(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const pid of foldPids) if (alive(pid)) process.kill(pid, 'SIGKILL');
});

/** A child process whose stdout lines are kept, to wait for. */
function start(args: string[], env: Record<string, string> = {}) {
  const child = spawn(args[0], args.slice(1), {
    cwd: pkg,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.add(child);
  const lines: string[] = [];
  createInterface({ input: child.stdout! }).on('line', (l) => lines.push(l));
  const line = async (pattern: RegExp) => {
    await waitFor(`${pattern} from ${args.slice(3).join(' ')}`, () => {
      if (child.exitCode !== null || child.signalCode !== null)
        throw new Error(`${args.join(' ')} exited:\n${lines.join('\n')}`);
      return lines.some((l) => pattern.test(l));
    });
  };
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return { child, lines, line, exited };
}

function redisUrl(db: number): Promise<string> {
  redisPort ??= (async () => {
    assert.ok(
      existsSync(REDIS_SERVER),
      `${REDIS_SERVER} is missing: these tests need Debian's redis-server (apt-get install redis-server)`,
    );
    const port = await new Promise<number>((r) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const { port } = s.address() as { port: number };
        s.close(() => r(port));
      });
    });
    const server = start([
      REDIS_SERVER,
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
    ]);
    await server.line(/Ready to accept connections/);
    return port;
  })();
  return redisPort.then((port) => `redis://127.0.0.1:${port}/${db}`);
}

const node = [process.execPath, '--conditions=@cmcrd/source', '--import', 'tsx'];

/** `cmcrd worker` in its own process. */
async function startWorker(url: string, env: Record<string, string> = {}) {
  const w = start([...node, '../../apps/cli/src/cmcrd.ts', 'worker', '--queue', url, '--backend', 'wasm'], env);
  await w.line(/taking folds from/);
  return w;
}

/** The coordinator in its own process (test/queue-coordinator.ts), to be killed. */
function startCoordinator(url: string, db: string, inputs: RunInput[]) {
  return start([...node, 'test/queue-coordinator.ts', url, db, JSON.stringify(inputs)]);
}

async function openQueue(url: string) {
  const redis = await connectRedis(url);
  const queue = new Queue(QUEUE_NAME, { connection: redis });
  return {
    redis,
    queue,
    ids: () => queue.getRanges([...ALL_STATES], 0, -1),
    close: async () => {
      await queue.close();
      redis.disconnect();
    },
  };
}

function record(events: ExecEvent[]) {
  return (e: ExecEvent) => {
    events.push(e);
    if (e.type === 'started' && e.pid) foldPids.add(e.pid);
  };
}

test(
  'a coordinator and two workers run a sweep: each fold stored once, done; a stored teacher is reused',
  { timeout: 90_000 },
  async () => {
    const url = await redisUrl(1);
    // The worker of the second part, on a database of its own, starts meanwhile.
    const laterUrl = await redisUrl(5);
    const workers = await Promise.all(
      [url, url, laterUrl].map((u) => runQueueWorker({ url: u, backend: 'wasm' })),
    );
    const store = Store.open(join(dir, 'a.sqlite'));
    const q = await openQueue(url);
    try {
      const { jobs } = expandJobs(['eeg-only', 'kd', 'cmcrd'].map((m) => tiny(m)));
      const events: ExecEvent[] = [];
      assert.deepEqual(await executeOnQueue(jobs, store, { url, pollMs: 200, onEvent: record(events) }), {
        finished: 3,
        failed: 0,
        skipped: 0,
      });
      const folds = store.listFolds();
      assert.deepEqual(folds.map((f) => f.configHash).sort(), jobs.map((j) => j.configHash).sort());
      for (const f of folds) {
        assert.equal(f.status, 'done', f.error ?? '');
        assert.equal(f.attempts, 1);
        assert.equal(f.backend, 'wasm');
      }
      assert.equal(events[0].type, 'start');
      assert.equal(events.filter((e) => e.type === 'started').length, 3);
      assert.equal(events.filter((e) => e.type === 'finished').length, 3);
      assert.ok(events.some((e) => e.type === 'progress'));
      const teacherKey = jobs.find((j) => j.teacherKey)!.teacherKey!;
      assert.equal(store.countTeachers(), 1);
      for (const m of ['kd', 'cmcrd'])
        assert.equal(folds.find((f) => f.method === m)!.teacherKey, teacherKey);
      // Redis keeps nothing of stored folds; the teacher stays there for later folds.
      assert.deepEqual(await q.ids(), []);
      assert.equal(await q.redis.exists(`cmcrd:teacher:${teacherKey}`), 1);

      // A later fold with that teacher, on a worker that never saw it, through a Redis that does not
      // have it: the coordinator puts the stored teacher there and the worker restores it.
      const fitnet = expandJobs([tiny('fitnet')]).jobs;
      assert.deepEqual(
        await executeOnQueue(fitnet, store, { url: laterUrl, pollMs: 200, onEvent: record([]) }),
        { finished: 1, failed: 0, skipped: 0 },
      );
      const row = store.findByHash(fitnet[0].configHash)!;
      assert.equal(row.status, 'done', row.error ?? '');
      assert.equal(row.teacherKey, teacherKey);
      assert.equal(row.teacherMs, store.getTeacher(teacherKey)!.trainMs, 'the stored teacher, restored');
      assert.equal(store.countTeachers(), 1);
    } finally {
      await Promise.all(workers.map((w) => w.stop()));
      await q.close();
      store.close();
    }
  },
);

test(
  'a fold that fails is retried `retries` times, then stored failed with its error; the sweep goes on',
  { timeout: 60_000 },
  async () => {
    const url = await redisUrl(2);
    const worker = await runQueueWorker({ url, backend: 'wasm' });
    const store = Store.open(join(dir, 'e.sqlite'));
    try {
      const inputs = await preparePlugins(
        [tiny('broken-throws', ['./fixtures/broken-throwing.ts']), tiny('eeg-only')],
        here,
      );
      const { jobs } = expandJobs(inputs);
      const events: ExecEvent[] = [];
      assert.deepEqual(
        await executeOnQueue(jobs, store, { url, retries: 2, pollMs: 200, onEvent: record(events) }),
        { finished: 2, failed: 1, skipped: 0 },
      );
      const broken = store.listFolds({ method: 'broken-throws' });
      assert.equal(broken.length, 1);
      assert.equal(broken[0].status, 'failed');
      assert.equal(broken[0].attempts, 3);
      assert.match(broken[0].error ?? '', /distiller 'broken-throws': this plugin always throws/);
      const retries = events.flatMap((e) => (e.type === 'retry' ? [e] : []));
      assert.deepEqual(
        retries.map((e) => e.attempt),
        [1, 2],
      );
      for (const e of retries) assert.match(e.error, /this plugin always throws/);
      assert.equal(store.listFolds({ method: 'eeg-only' })[0].status, 'done');
      assert.equal(store.listFolds().length, 2);
      // The teacher trained before the student failed is kept.
      assert.equal(store.countTeachers(), 1);
    } finally {
      await worker.stop();
      store.close();
    }
  },
);

test(
  'a worker killed (SIGKILL) mid-fold: the fold returns to the queue when its lock expires, another worker runs it, it is stored once',
  { timeout: 60_000 },
  async () => {
    const url = await redisUrl(3);
    const first = await startWorker(url, { CMCRD_QUEUE_LOCK_MS: String(LOCK_MS) });
    let second = null as Promise<QueueWorker> | null;
    const store = Store.open(join(dir, 'c.sqlite'));
    try {
      const { jobs } = expandJobs([tiny('cmcrd')]);
      const events: ExecEvent[] = [];
      let orphan = 0;
      const onEvent = (e: ExecEvent) => {
        record(events)(e);
        // The CLI worker has the fold: a second worker starts meanwhile, in this process.
        if (e.type === 'started' && !second) {
          orphan = e.pid;
          // It looks for expired locks every 0.5 s.
          second = runQueueWorker({ url, backend: 'wasm', stalledMs: 500 });
        }
        // Mid-training, the BullMQ process is killed; its fold process is left to notice.
        if (e.type === 'progress' && first.child.signalCode === null) first.child.kill('SIGKILL');
      };
      assert.deepEqual(await executeOnQueue(jobs, store, { url, pollMs: 200, onEvent }), {
        finished: 1,
        failed: 0,
        skipped: 0,
      });
      assert.equal(first.child.signalCode, 'SIGKILL');
      assert.ok(
        first.lines.some((l) => l.includes('synthetic-seed-iv subject-01 cmcrd dnn')),
        'the CLI worker took the fold first',
      );
      const folds = store.listFolds();
      assert.equal(folds.length, 1);
      assert.equal(folds[0].status, 'done', folds[0].error ?? '');
      assert.equal(folds[0].attempts, 2);
      assert.ok(events.some((e) => e.type === 'worker-lost'));
      const started = events.flatMap((e) => (e.type === 'started' ? [e] : []));
      assert.equal(started.length, 2);
      assert.notEqual(started[0].worker, started[1].worker);
      // The fold process of the killed worker ends by itself.
      await waitFor(`fold process ${orphan} to exit`, () => !alive(orphan), 20_000);
    } finally {
      await (await second)?.stop();
      store.close();
    }
  },
);

test(
  'the coordinator, killed once a fold was taken and started again, stores what finished meanwhile, enqueues nothing twice, runs nothing twice',
  { timeout: 90_000 },
  async () => {
    const url = await redisUrl(4);
    const db = join(dir, 'd.sqlite');
    const inputs = ['eeg-only', 'kd'].map((m) => tiny(m));
    const { jobs } = expandJobs(inputs);
    const ids = jobs.map((j) => j.configHash).sort();
    const q = await openQueue(url);
    const worker = await startWorker(url);
    try {
      const first = startCoordinator(url, db, inputs);
      await first.line(/"type":"started"/);
      first.child.kill('SIGKILL');
      assert.deepEqual((await q.ids()).sort(), ids);
      // The worker goes on alone; the first result waits in Redis.
      await waitFor('a completed job', async () => (await q.queue.getJobCounts('completed')).completed >= 1);
      const restarted = new Date().toISOString();
      const store = Store.open(db);
      try {
        const events: ExecEvent[] = [];
        // Enqueues both folds again, one finished and one waiting or running: neither is added.
        const summary = await executeOnQueue(jobs, store, { url, pollMs: 200, onEvent: record(events) });
        assert.deepEqual(summary, { finished: 2, failed: 0, skipped: 0 });
        const folds = store.listFolds();
        assert.deepEqual(folds.map((f) => f.configHash).sort(), ids);
        for (const f of folds) {
          assert.equal(f.status, 'done', f.error ?? '');
          assert.equal(f.attempts, 1, 'started once');
        }
        const eegOnly = folds.find((f) => f.method === 'eeg-only')!;
        assert.ok(eegOnly.startedAt < restarted, 'the first fold ran while the coordinator was away');
        assert.deepEqual(await q.ids(), []);
        // Once more: everything is stored, nothing is enqueued.
        assert.deepEqual(await executeOnQueue(jobs, store, { url, pollMs: 200 }), {
          finished: 0,
          failed: 0,
          skipped: 2,
        });
        assert.deepEqual(await q.ids(), []);
      } finally {
        store.close();
      }
      // An idle CLI worker stops on SIGTERM.
      worker.child.kill('SIGTERM');
      assert.equal(await worker.exited, 0, worker.lines.join('\n'));
    } finally {
      await q.close();
    }
  },
);
