/** Sweep files that cost much to expand, for the API's tests and its benchmark. */

const values = (n: number, from = 1) => `[${Array.from({ length: n }, (_, i) => i + from).join(', ')}]`;

/**
 * The issue's anchor bomb: a few hundred bytes; `axes` 40-value axes joined by one YAML anchor
 * (40^axes cells). `thenBadGrid` adds a grid with an unknown dataset, so that a bomb under the
 * limit is refused too, but only after all its cells are built (nothing gets trained).
 */
export function sweepBomb(axes: number, thenBadGrid = false): string {
  const fields = ['seed', 'dataSeed', 'epochs', 'teacherEpochs'].slice(0, axes);
  const bad = thenBadGrid ? '  - dataset: no-such-dataset\n    method: kd\n' : '';
  return `name: bomb\ndefaults:\n  seed: &v ${values(40, 11)}\ngrids:\n  - dataset: synthetic-seed-iv\n    method: kd\n${fields.map((f) => `    ${f}: *v`).join('\n')}\n${bad}`;
}

/** n³ valid cells (seed × dataSeed × epochs), then a grid whose dataset does not exist: refused only after every cell is built. */
export function lateInvalidSweep(n: number): string {
  return [
    'name: late',
    'grids:',
    '  - dataset: synthetic-seed-iv',
    '    method: kd',
    `    seed: ${values(n)}`,
    `    dataSeed: ${values(n)}`,
    `    epochs: ${values(n, 11)}`,
    '  - dataset: no-such-dataset',
    '    method: kd',
    '',
  ].join('\n');
}
