// `cmcrd merge`, the real command: shard stores merged into one (exit 0, a line per shard and a
// total), and a foreign file refused (exit 2, naming it, the target not created).
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { Store } from '@cmcrd/store';
import { fixtureRow, goldenFolds, insertFolds } from '@cmcrd/store/testing';
import { runCli } from './fault-helpers.js';

const work = mkdtempSync(join(tmpdir(), 'cmcrd-merge-cli-'));
after(() => rmSync(work, { recursive: true, force: true }));

/** The golden folds dealt over `count` shard stores. */
function shards(name: string, count: number): string[] {
  const rows = goldenFolds().map(fixtureRow);
  return Array.from({ length: count }, (_, i) => {
    const file = join(work, `${name}-${i + 1}.sqlite`);
    const store = Store.open(file);
    insertFolds(
      store,
      rows.filter((_, k) => k % count === i),
    );
    store.close();
    return file;
  });
}

test('cmcrd merge: exit 0, one line per shard and a total; again: nothing added', async () => {
  const files = shards('shard', 3);
  const into = join(work, 'merged', 'paper.sqlite');
  const r = await runCli(['merge', ...files, '--into', into]);
  assert.equal(r.code, 0, r.out);
  const lines = r.out.trim().split('\n');
  assert.equal(lines.length, 4, r.out);
  for (const [i, line] of lines.slice(0, 3).entries()) assert.match(line, new RegExp(`^${files[i]}: \\+138 folds \\(\\d+ done, \\d+ failed\\)$`));
  assert.match(lines[3], /^total: \+414 folds \(413 done, 1 failed\) → .*paper\.sqlite \(created\), 3 shard\(s\) in [\d.]+ s$/);
  const store = Store.open(into);
  assert.equal(store.countFolds(), 414);
  store.close();

  const again = await runCli(['merge', ...files, '--into', into]);
  assert.equal(again.code, 0, again.out);
  assert.match(again.out, /total: \+0 folds \(0 done, 0 failed\), 414 already stored → /);
});

test('cmcrd merge: a foreign file is exit 2, named, and the target is not created', async () => {
  const [good] = shards('good', 1);
  const foreign = join(work, 'notes.sqlite');
  writeFileSync(foreign, 'not a store\n'.repeat(100));
  const into = join(work, 'never', 'merged.sqlite');
  const r = await runCli(['merge', good, foreign, '--into', into]);
  assert.equal(r.code, 2, r.out);
  assert.match(r.out, /^cmcrd: merge into .*merged\.sqlite refused, nothing was written \(1 problem\):\n {2}.*notes\.sqlite: not a CMCRD store \(not a SQLite database/);
  assert.doesNotMatch(r.out, /^\s+at /m, 'no stack');
  assert.ok(!existsSync(into));
});
