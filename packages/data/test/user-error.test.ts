import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { UserError as LightUserError } from '@cmcrd/data/user-error';
import { parseDependencyTree } from 'dpdm';
import {
  CacheFileError,
  DatasetNotImportedError,
  datasetSpec,
  ImportError,
  ProtocolError,
  parseProtocol,
  parseProtocolOptions,
  UnknownDatasetError,
  UserError,
} from '../src/index.js';
import { MatFileError, readMat } from '../src/import/mat5.js';
import { readCacheFile } from '../src/import/cache-file.js';

const pkg = join(dirname(fileURLToPath(import.meta.url)), '..');

function caught(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  assert.fail('expected a throw');
}

test('the subpath @cmcrd/data/user-error is the same class as the index export, and imports nothing', async () => {
  assert.equal(LightUserError, UserError);
  const tree = await parseDependencyTree('src/user-error.ts', { context: pkg, cwd: pkg, transform: false });
  assert.deepEqual(tree['src/user-error.ts'], []);
});

test('a UserError keeps its message and carries its location as data', () => {
  const e = new UserError('grids[0]: no method', { file: 'x.yaml', key: ['grids', 0, 'method'] });
  assert.equal(e.message, 'grids[0]: no method');
  assert.equal(e.name, 'UserError');
  assert.deepEqual(e.location, { file: 'x.yaml', key: ['grids', 0, 'method'] });
  assert.deepEqual(new UserError('bare').location, {});
});

test("data's refusals are UserErrors with their own names; protocol options name their key", () => {
  const unknown = caught(() => datasetSpec('seed-vi'));
  assert.ok(unknown instanceof UnknownDatasetError && unknown instanceof UserError);
  assert.equal(unknown.name, 'UnknownDatasetError');
  const protocol = caught(() => parseProtocol('across-subject'));
  assert.ok(protocol instanceof ProtocolError && protocol instanceof UserError);
  assert.equal(protocol.name, 'ProtocolError');
  const bad = caught(() => parseProtocolOptions({ normalisation: 'zscore' })) as ProtocolError;
  assert.deepEqual(bad.location.key, ['normalisation']);
  const unknownKey = caught(() => parseProtocolOptions({ normalization: 'train' })) as ProtocolError;
  assert.deepEqual(unknownKey.location.key, ['normalization']);
  const notImported = new DatasetNotImportedError('seed', '/nowhere/seed.arrow');
  assert.ok(notImported instanceof UserError);
  assert.equal(notImported.name, 'DatasetNotImportedError');
});

test('file errors carry the file and the variable as their location', () => {
  const imp = new ImportError('is not a matrix', '/d/1_1.mat', 'de_LDS1');
  assert.ok(imp instanceof UserError);
  assert.equal(imp.name, 'ImportError');
  assert.deepEqual(imp.location, { file: '/d/1_1.mat', parameter: 'de_LDS1' });
  const mat = caught(() => readMat(new Uint8Array(10), '/d/short.mat'));
  assert.ok(mat instanceof MatFileError && mat instanceof UserError);
  assert.equal(mat.name, 'MatFileError');
  assert.deepEqual(mat.location, { file: '/d/short.mat' });
  const dir = mkdtempSync(join(tmpdir(), 'cmcrd-user-error-'));
  try {
    const path = join(dir, 'seed.arrow');
    writeFileSync(path, 'not arrow');
    const cache = caught(() => readCacheFile(path, 'seed'));
    assert.ok(cache instanceof CacheFileError && cache instanceof UserError);
    assert.equal(cache.name, 'CacheFileError');
    assert.deepEqual(cache.location, { file: path });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
