import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { type MatArray, MatFileError, matAt, readMat } from '../src/import/mat5.js';

// Fixtures and expected values come from fixtures/mat5/make_mat5_fixtures.py (numpy + scipy).
const DIR = new URL('./fixtures/mat5/', import.meta.url);
const load = (file: string): Uint8Array => new Uint8Array(readFileSync(new URL(file, DIR)));

interface Expected {
  className: string;
  dims: number[];
  values: number[];
}
const EXPECTED = JSON.parse(readFileSync(new URL('expected.json', DIR), 'utf8')) as {
  files: Record<string, Record<string, Expected>>;
  unsupported: Record<string, string>;
  a3_numpy: number[][][];
};
const FILES = Object.keys(EXPECTED.files);
/** The variables each fixture's reader should return (the files also hold unsupported ones). */
const wanted = (file: string) => (name: string) => name in EXPECTED.files[file];

function plain(m: Map<string, MatArray>) {
  return Object.fromEntries([...m].map(([k, a]) => [k, { ...a, values: Array.from(a.values) }]));
}

/** Throws unless `fn` throws a MatFileError whose message contains every one of `parts`. */
function throwsMat(fn: () => unknown, ...parts: string[]): MatFileError {
  let caught: unknown;
  assert.throws(fn, (err: unknown) => {
    caught = err;
    assert.ok(err instanceof MatFileError, `expected MatFileError, got ${String(err)}`);
    for (const p of parts)
      assert.ok(err.message.includes(p), `message ${JSON.stringify(err.message)} lacks ${p}`);
    return true;
  });
  return caught as MatFileError;
}

describe('readMat: values', () => {
  for (const file of FILES) {
    it(`${file}: every variable has numpy's class, dims and column-major values`, () => {
      const got = readMat(load(file), file, wanted(file));
      assert.deepEqual([...got.keys()].sort(), Object.keys(EXPECTED.files[file]).sort());
      for (const [name, exp] of Object.entries(EXPECTED.files[file])) {
        const a = got.get(name)!;
        assert.equal(a.name, name);
        assert.equal(a.className, exp.className, name);
        assert.deepEqual(a.dims, exp.dims, name);
        assert.ok(a.values instanceof Float64Array);
        assert.deepEqual(Array.from(a.values), exp.values, name);
      }
    });
  }

  it("matAt(a3, i, j, k) equals numpy's a3[i, j, k] in every file", () => {
    for (const file of FILES) {
      const a3 = readMat(load(file), file, (n) => n === 'a3').get('a3')!;
      assert.deepEqual(a3.dims, [2, 3, 4]);
      EXPECTED.a3_numpy.forEach((plane, i) => {
        plane.forEach((row, j) => {
          row.forEach((v, k) => {
            assert.equal(matAt(a3, i, j, k), v, `${file} a3[${i}, ${j}, ${k}]`);
          });
        });
      });
    }
  });

  it('matAt handles singleton dimensions and rejects indices out of range', () => {
    const m = readMat(load('scipy_v5.mat'), 'scipy_v5.mat', (n) => n === 'a4' || n === 'i16');
    const a4 = m.get('a4')!; // numpy: np.arange(12).reshape(2, 1, 3, 2) * 0.5 - 3
    assert.equal(matAt(a4, 1, 0, 2, 1), (1 * 6 + 2 * 2 + 1) * 0.5 - 3);
    assert.equal(matAt(a4, 1, 0, 2, 1, 0), matAt(a4, 1, 0, 2, 1)); // trailing singleton index
    const i16 = m.get('i16')!; // 1 x 3 row vector
    assert.equal(matAt(i16, 0, 2), -1);
    assert.throws(() => matAt(i16, 0, 3), RangeError);
    assert.throws(() => matAt(i16, 1, 0), RangeError);
    assert.throws(() => matAt(i16, 0, 1, 1), RangeError);
    assert.throws(() => matAt(i16, 0, 0.5), RangeError);
    assert.throws(() => matAt(a4, 1, 0, 2), RangeError); // the last dimension has 2 entries: index needed
  });

  it('decodes double arrays stored as every smaller numeric type (as MATLAB writes them)', () => {
    const types = ['i8', 'u8', 'i16', 'u16', 'i32', 'u32', 'f32', 'i64', 'u64', 'f64'];
    for (const file of ['hand_le.mat', 'hand_be.mat']) {
      const got = readMat(load(file), file, wanted(file));
      for (const t of types) {
        const a = got.get(`d_${t}`)!;
        assert.equal(a.className, 'double');
        assert.deepEqual(Array.from(a.values), EXPECTED.files[file][`d_${t}`].values, `${file} d_${t}`);
      }
    }
  });

  it('decodes each numeric class as scipy stores it', () => {
    const got = readMat(load('scipy_v5.mat'), 'scipy_v5.mat', wanted('scipy_v5.mat'));
    const classes: Record<string, string> = {
      a3: 'double',
      f32: 'single',
      i8: 'int8',
      u8: 'uint8',
      i16: 'int16',
      u16: 'uint16',
      i32: 'int32',
      u32: 'uint32',
      i64: 'int64',
      u64: 'uint64',
      lg: 'logical',
      ch: 'char',
    };
    for (const [name, cls] of Object.entries(classes)) assert.equal(got.get(name)!.className, cls, name);
    assert.deepEqual(Array.from(got.get('i16')!.values), [1, 0, -1]);
    assert.deepEqual(Array.from(got.get('i64')!.values), [-(2 ** 53), -1, 0, 2 ** 53, 2 ** 62]);
    assert.equal(String.fromCharCode(...got.get('ch')!.values), 'axbycz'); // ['abc', 'xyz'] column-major
  });

  it('compressed and uncompressed files read the same', () => {
    const file = 'scipy_v5.mat';
    assert.deepEqual(
      plain(readMat(load('scipy_v5_z.mat'), 'z', wanted(file))),
      plain(readMat(load(file), 'u', wanted(file))),
    );
  });

  it('big-endian and little-endian files read the same', () => {
    const be = load('hand_be.mat');
    assert.equal(String.fromCharCode(be[126], be[127]), 'MI');
    assert.deepEqual(
      plain(readMat(be, 'hand_be.mat', wanted('hand_be.mat'))),
      plain(readMat(load('hand_le.mat'), 'hand_le.mat', wanted('hand_le.mat'))),
    );
  });

  it('reads from a view at an unaligned byte offset', () => {
    for (const file of ['scipy_v5.mat', 'hand_le.mat']) {
      const bytes = load(file);
      const shifted = new Uint8Array(bytes.length + 1);
      shifted.set(bytes, 1);
      assert.deepEqual(
        plain(readMat(shifted.subarray(1), file, wanted(file))),
        plain(readMat(bytes, file, wanted(file))),
      );
    }
  });
});

describe('readMat: want filter', () => {
  it('returns only wanted variables and asks once about every variable, in file order', () => {
    for (const file of ['scipy_v5.mat', 'scipy_v5_z.mat']) {
      const all = [...Object.keys(EXPECTED.files[file]), ...Object.keys(EXPECTED.unsupported)];
      // noise has a long zlib stream, so its name comes from a peek at a prefix (see mat5.ts).
      for (const keep of [['a3', 'u8'], ['noise'], []]) {
        const asked: string[] = [];
        const got = readMat(load(file), file, (n) => {
          asked.push(n);
          return keep.includes(n);
        });
        assert.deepEqual([...got.keys()], keep);
        assert.deepEqual(asked, all);
      }
    }
  });

  it('does not decode the data of unwanted variables', () => {
    const bytes = load('scipy_v5.mat');
    // a3 is the first element: matrix tag (8) + array flags (16) + dims, 3 x int32 (8 + 16) + name 'a3'
    // in small element format (8); then comes its data tag. Make the data type invalid.
    const dataTag = 128 + 8 + 16 + 24 + 8;
    const view = new DataView(bytes.buffer, bytes.byteOffset);
    assert.equal(view.getUint32(dataTag, true), 9); // miDOUBLE
    view.setUint32(dataTag, 18, true); // miUTF32: not numeric
    assert.equal(readMat(bytes, 'x.mat', (n) => n === 'm2').size, 1);
    throwsMat(() => readMat(bytes, 'x.mat', (n) => n === 'a3'), 'x.mat', "variable 'a3'", 'type 18');
  });

  it('skips unsupported variables that are not wanted, without error', () => {
    assert.equal(readMat(load('hand_le.mat'), 'hand_le.mat', (n) => n !== 'op').has('op'), false);
    assert.equal(readMat(load('scipy_v5_z.mat'), 'z.mat', wanted('scipy_v5.mat')).has('st'), false);
  });
});

describe('readMat: errors', () => {
  it('rejects a text file, a MAT v4 file and a v7.3 file', () => {
    const py = load('make_mat5_fixtures.py');
    throwsMat(() => readMat(py, 'script.py'), 'script.py', 'not a MAT v5 file');
    throwsMat(
      () => readMat(new TextEncoder().encode('hello'), 'short.txt'),
      'short.txt',
      'not a MAT v5 file',
    );
    throwsMat(() => readMat(load('scipy_v4.mat'), 'v4.mat'), 'v4.mat', 'not a MAT v5 file', 'MAT v4');

    // A v7.3 file: MATLAB's 128-byte header (version 0x0200) in the HDF5 user block, HDF5 data at 512.
    const v73 = new Uint8Array(1024);
    v73.set(
      new TextEncoder().encode('MATLAB 7.3 MAT-file, Platform: GLNXA64, HDF5 schema 1.00 .'.padEnd(116)),
    );
    v73.set([0x00, 0x02, 0x49, 0x4d], 124);
    v73.set([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a], 512);
    throwsMat(() => readMat(v73, 'new.mat'), 'new.mat', 'v7.3', 'HDF5', 'not supported', '-v7');
    throwsMat(() => readMat(v73.subarray(512), 'bare.h5'), 'bare.h5', 'v7.3');
  });

  it('reports any truncation as truncated, naming the file', () => {
    for (const file of ['scipy_v5.mat', 'scipy_v5_z.mat', 'hand_be.mat']) {
      const bytes = load(file);
      const full = plain(readMat(bytes, file, wanted(file)));
      let errors = 0;
      for (let n = 128; n < bytes.length; n++) {
        try {
          // A cut exactly between elements is a valid file holding fewer variables.
          const got = plain(readMat(bytes.subarray(0, n), 'cut.mat', wanted(file)));
          for (const [k, v] of Object.entries(got)) assert.deepEqual(v, full[k]);
        } catch (err) {
          assert.ok(err instanceof MatFileError, String(err));
          assert.match(err.message, /^cut\.mat: .*truncated/);
          errors++;
        }
      }
      assert.ok(errors > bytes.length - 200, `${file}: only ${errors} cuts detected`);
    }
  });

  it('names the variable when its data runs past the end of its element', () => {
    const bytes = load('scipy_v5.mat');
    const view = new DataView(bytes.buffer, bytes.byteOffset);
    view.setUint32(132, view.getUint32(132, true) - 8, true); // a3's element now ends inside its data
    const err = throwsMat(() => readMat(bytes, 'short.mat'), 'short.mat', "variable 'a3' is truncated");
    assert.equal(err.file, 'short.mat');
    assert.equal(err.variable, 'a3');
  });

  it('reports a corrupt zlib stream, naming the file', () => {
    // Top-level elements of the compressed file, in the order savemat wrote the variables.
    const original = load('scipy_v5_z.mat');
    const view = new DataView(original.buffer, original.byteOffset);
    const elements: { pos: number; size: number }[] = [];
    for (let pos = 128; pos < original.length; pos += 8 + view.getUint32(pos + 4, true)) {
      assert.equal(view.getUint32(pos, true), 15); // miCOMPRESSED
      elements.push({ pos, size: view.getUint32(pos + 4, true) });
    }
    const order = Object.keys(EXPECTED.files['scipy_v5_z.mat']);
    // a3 is inflated at once; noise's stream is long enough that its name is first read from a prefix.
    for (const name of ['a3', 'noise']) {
      const { pos, size } = elements[order.indexOf(name)];
      for (const at of [Math.floor(size / 2), size - 4]) {
        const bytes = original.slice();
        for (let i = 0; i < 4; i++) bytes[pos + 8 + at + i] ^= 0xff;
        throwsMat(() => readMat(bytes, 'bad.mat', (n) => n === name), 'bad.mat', 'corrupt compressed data');
        if (name === 'a3') throwsMat(() => readMat(bytes, 'bad.mat'), 'bad.mat', 'corrupt compressed data');
      }
    }
  });

  it('rejects wanted struct, complex, cell, sparse and opaque variables, naming file and variable', () => {
    for (const file of ['scipy_v5.mat', 'scipy_v5_z.mat']) {
      for (const [name, kind] of Object.entries(EXPECTED.unsupported)) {
        const err = throwsMat(
          () => readMat(load(file), file, (n) => n === name),
          file,
          `variable '${name}'`,
          kind,
        );
        assert.equal(err.variable, name);
      }
      // By default every variable is wanted, so the struct (the first unsupported one) fails.
      throwsMat(
        () => readMat(load(file), file),
        file,
        "variable 'st' is a struct array; expected a numeric array",
      );
    }
    throwsMat(() => readMat(load('hand_be.mat'), 'hand_be.mat'), 'hand_be.mat', "variable 'op'", 'opaque');
  });

  it('never fails with anything but MatFileError on corrupted bytes', () => {
    let seed = 12345;
    const rand = (n: number) => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed % n;
    };
    let errors = 0;
    let runs = 0;
    for (const file of FILES) {
      const original = load(file);
      for (let round = 0; round < 300; round++) {
        const bytes = original.slice(0, rand(8) === 0 ? 128 + rand(original.length - 128) : original.length);
        for (let k = 1 + rand(4); k > 0; k--) bytes[120 + rand(bytes.length - 120)] = rand(256);
        for (const want of [undefined, wanted(file)]) {
          runs++;
          try {
            readMat(bytes, 'fuzz.mat', want);
          } catch (err) {
            assert.ok(err instanceof MatFileError, `${file} round ${round}: ${String(err)}`);
            assert.ok(err.message.startsWith('fuzz.mat: '));
            errors++;
          }
        }
      }
    }
    assert.ok(errors > runs / 4, `only ${errors} of ${runs} corrupted files were rejected`);
  });
});
