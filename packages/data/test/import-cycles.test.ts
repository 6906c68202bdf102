import assert from 'node:assert/strict';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseCircular, parseDependencyTree } from 'dpdm';

const pkg = join(dirname(fileURLToPath(import.meta.url)), '..');

// dpdm reads the sources with the TypeScript compiler and maps the `.js` specifiers to the `.ts`
// files. Type-only imports count: a cycle of types is still one module that cannot be read
// without the other (spec.ts ↔ imported.ts was one, through DatasetSpec).
test('packages/data/src has no import cycle (type-only imports included)', async () => {
  const tree = await parseDependencyTree('src/**/*.ts', { context: pkg, cwd: pkg, transform: false, skipDynamicImports: false });
  const files = Object.keys(tree).filter((f) => f.startsWith('src/'));
  assert.ok(files.includes('src/spec.ts') && files.includes('src/imported.ts'), `dpdm read the sources: ${files.join(', ')}`);
  const unresolved = Object.values(tree).flatMap((deps) => (deps ?? []).filter((d) => d.id === null && d.request.startsWith('.')));
  assert.deepEqual(unresolved.map((d) => `${d.issuer}: ${d.request}`), [], 'every relative import resolves to a file');
  assert.deepEqual(parseCircular(tree).map((cycle) => cycle.join(' → ')), []);
});
