import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { main } from '../src/cli.js';
import { loadBuiltins } from '../src/plugins.js';
import { MAX_SWEEP_CELLS, SweepFileError, countSweepCells, expandSweepCells, parseSweep } from '../src/sweep-file.js';

loadBuiltins();
const work = mkdtempSync(join(tmpdir(), 'cmcrd-sweep-size-'));
after(() => rmSync(work, { recursive: true, force: true }));
const repo = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../..');

const values = (n: number) => `[${Array.from({ length: n }, (_, i) => i + 1).join(', ')}]`;

/** The issue's anchor bomb: a few hundred bytes; `axes` 40-value axes joined by one anchor. */
export function anchorBomb(axes: number): string {
  const fields = ['seed', 'dataSeed', 'epochs', 'teacherEpochs'].slice(0, axes);
  return `name: bomb\ndefaults:\n  seed: &v ${values(40)}\ngrids:\n  - dataset: synthetic-seed-iv\n    method: kd\n${fields.map((f) => `    ${f}: *v`).join('\n')}\n`;
}

describe('bounded sweep expansion', () => {
  it('counts exactly the cells expansion builds, methods with their own axes included', () => {
    const text = [
      'name: count',
      'defaults:',
      '  dataset: [synthetic-seed-iv, synthetic-seed]',
      '  seed: [1, 2, 3]',
      'grids:',
      '  - protocol: [within-subject, cross-subject]',
      '    direction: [em->eeg, eeg->em]',
      '    method: [kd, cmcrd, fitnet]',
      '    methods:',
      '      kd:',
      '        options: { temperature: [2, 4, 8] }',
      '      cmcrd:',
      '        epochs: [10, 20]',
      '        protocolOptions: { normalisation: [train, per-subject] }',
      '  - backbone: [dnn, dgcnn]',
      '    method: kd',
      '    epochs: [15, 16, 17, 18]',
      '',
    ].join('\n');
    const spec = parseSweep(text, 'count.yaml');
    const count = countSweepCells(spec);
    // Grid 1: 2 datasets × 2 protocols × (kd 2·3·3 + cmcrd 2·3·2·2 + fitnet 2·3) = 4 × 48; grid 2: 2 datasets × 2 backbones × 3 seeds · 4 epochs.
    assert.equal(count.cells, 4 * 48 + 4 * 12);
    assert.equal(expandSweepCells(spec).length, count.cells);
    assert.deepEqual(count.axes[0], { key: 'grids[1].epochs', values: 4 });
  });

  it('counts at least the cells of the paper sweep (identical cells are merged after)', () => {
    const spec = parseSweep(readFileSync(join(repo, 'sweeps/paper.yaml'), 'utf8'), 'paper.yaml');
    const cells = expandSweepCells(spec).length;
    const count = countSweepCells(spec).cells;
    assert.ok(count >= cells && count < cells * 2, `${count} vs ${cells}`);
  });

  it(`refuses more than ${MAX_SWEEP_CELLS.toLocaleString('en-US')} cells before expanding, naming the count and the axes`, () => {
    const spec = parseSweep(anchorBomb(4), 'bomb.yaml');
    assert.ok(Buffer.byteLength(spec.text) < 600, `${Buffer.byteLength(spec.text)} bytes`);
    assert.throws(
      () => expandSweepCells(spec),
      (e: unknown) => {
        assert.ok(e instanceof SweepFileError);
        assert.match(e.message, /^bomb\.yaml: the sweep expands to 2,560,000 cells, more than the limit of 100,000/);
        assert.match(e.message, /grids\[0\]\.seed \(40\) × grids\[0\]\.dataSeed \(40\) × grids\[0\]\.epochs \(40\) × grids\[0\]\.teacherEpochs \(40\)/);
        return true;
      },
    );
    // Three such axes (64,000 cells) are under the limit: only counted here, not expanded.
    assert.equal(countSweepCells(parseSweep(anchorBomb(3), 'bomb.yaml')).cells, 64_000);
  });

  it('cmcrd sweep exits 2 on an oversized sweep and writes no store', async () => {
    const file = join(work, 'bomb.yaml');
    writeFileSync(file, anchorBomb(4));
    const db = join(work, 'bomb.sqlite');
    const errors: string[] = [];
    const original = console.error;
    console.error = (...a: unknown[]) => errors.push(a.join(' '));
    let code: number;
    try {
      code = await main(['node', 'cmcrd', 'sweep', file, '--db', db, '--workers', '1']);
    } finally {
      console.error = original;
    }
    assert.equal(code, 2);
    assert.match(errors.join('\n'), /2,560,000 cells.*seed \(40\)/);
    assert.equal(existsSync(db), false);
  });
});
