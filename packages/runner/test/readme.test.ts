import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { BACKEND_NAMES } from '@cmcrd/core';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const readme = readFileSync(join(root, 'README.md'), 'utf8');

test("the README lists the backends in the order they are tried", () => {
  const listed = /`--backend ([a-z|-]+)`/.exec(readme)?.[1];
  assert.equal(listed, BACKEND_NAMES.join('|'));
});

test('README.md and docs/ link only to files inside the repository that exist', () => {
  const files = ['README.md', ...readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
  for (const file of files) {
    const text = readFileSync(join(root, file), 'utf8');
    for (const [, target] of text.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)) {
      if (/^[a-z]+:/.test(target)) continue; // http(s), mailto
      const path = resolve(dirname(join(root, file)), target);
      assert.ok(!relative(root, path).startsWith('..'), `${file} links ${target}, outside the repository`);
      assert.ok(existsSync(path), `${file} links ${target}, which does not exist`);
    }
  }
});
