import { existsSync, mkdirSync, readdirSync, realpathSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError } from './errors.js';

// `cmcrd plugin new`: a plugin package that type-checks, tests and runs against this CLI's own
// installation — no npm install, no symlinks: its tsconfig maps @cmcrd/core, zod and tfjs to the
// files this CLI uses, and its scripts call this CLI's TypeScript, tsx and cmcrd.

const require = createRequire(import.meta.url);
const fromSource = import.meta.url.endsWith('.ts');

/** A package's types entry, as a file, resolved from `from` (a module path). */
function typesOf(name: string, from: string): string {
  const manifest = createRequire(from).resolve(`${name}/package.json`);
  const pkg = require(manifest) as { exports?: Record<string, unknown>; types?: string; typings?: string };
  const dot = pkg.exports?.['.'] as { types?: string; import?: { types?: string } } | undefined;
  const entry = dot?.types ?? dot?.import?.types ?? pkg.types ?? pkg.typings ?? 'index.d.ts';
  return join(dirname(manifest), entry);
}

/** The folder of one of our own packages, from its entry (they do not export package.json). */
function workspaceDirOf(name: string): string {
  let d = dirname(fileURLToPath(import.meta.resolve(name)));
  while (!existsSync(join(d, 'package.json'))) d = dirname(d);
  return d;
}

/** Our own package's types: built declarations when present, else its TypeScript source. */
function workspaceTypesOf(name: string): string {
  const dir = workspaceDirOf(name);
  const dts = join(dir, 'dist/index.d.ts');
  return existsSync(dts) ? dts : join(dir, 'src/index.ts');
}

export interface CliTools {
  node: string;
  /** node arguments that run TypeScript (and, from source, against this CLI's sources). */
  loader: string[];
  cli: string;
  tsc: string;
  env: string;
  /** The tsconfig tsx should read (the runner's: the plugin folder's paths are for types only). */
  tsconfig: string | null;
}

/** The cmcrd running now (its entry file, e.g. with `serve` when run as `pnpm cmcrd`), and the tools beside it. */
export function cliTools(): CliTools {
  const here = fileURLToPath(import.meta.url);
  const ext = fromSource ? '.ts' : '.js';
  const entry = process.argv[1] && existsSync(process.argv[1]) ? realpathSync(process.argv[1]) : '';
  return {
    node: process.execPath,
    // The plugin is TypeScript: tsx runs it under the built CLI too (without the source condition).
    loader: fromSource ? ['--conditions=@cmcrd/source', '--import', import.meta.resolve('tsx')] : ['--import', import.meta.resolve('tsx')],
    cli: /\.[cm]?[jt]s$/.test(entry) ? entry : join(dirname(here), `cli${ext}`),
    tsc: require.resolve('typescript/bin/tsc'),
    env: join(dirname(here), `plugin-env${ext}`),
    tsconfig: join(dirname(dirname(here)), 'tsconfig.json'),
  };
}

const q = (s: string) => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, "'\\''")}'`);

function files(name: string, tools: CliTools): Record<string, string> {
  const core = join(workspaceDirOf('@cmcrd/core'), 'package.json');
  const paths = {
    '@cmcrd/core': [workspaceTypesOf('@cmcrd/core')],
    '@cmcrd/data': [workspaceTypesOf('@cmcrd/data')],
    zod: [typesOf('zod', core)],
    '@tensorflow/tfjs-core': [typesOf('@tensorflow/tfjs-core', core)],
  };
  const typeRoots = [dirname(dirname(require.resolve('@types/node/package.json')))];
  // tsx would apply this folder's tsconfig paths (types only) to the CLI's own imports: it reads the runner's.
  const run = [...(tools.tsconfig ? [`TSX_TSCONFIG_PATH=${q(tools.tsconfig)}`] : []), tools.node, ...tools.loader].map((a, i) => (i === 0 && tools.tsconfig ? a : q(a))).join(' ');
  const cmcrd = `${run} ${q(tools.cli)}`;
  const className = name.replace(/(^|-)(\w)/g, (_, __, c: string) => c.toUpperCase());
  return {
    'package.json': `${JSON.stringify(
      {
        name: `cmcrd-plugin-${name}`,
        version: '0.1.0',
        private: true,
        type: 'module',
        description: `The '${name}' distiller for cmcrd`,
        exports: { '.': { '@cmcrd/source': './src/index.ts', types: './dist/index.d.ts', default: './dist/index.js' } },
        scripts: {
          typecheck: `${q(tools.node)} ${q(tools.tsc)} --noEmit -p .`,
          test: `${run} --import ${q(tools.env)} --test test/*.test.ts`,
          check: `${cmcrd} plugin check .`,
          cmcrd: cmcrd,
        },
      },
      null,
      2,
    )}\n`,
    'tsconfig.json': `${JSON.stringify(
      {
        compilerOptions: {
          target: 'ES2022',
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          strict: true,
          noImplicitOverride: true,
          isolatedModules: true,
          esModuleInterop: true,
          skipLibCheck: true,
          noEmit: true,
          types: ['node'],
          typeRoots,
          paths,
        },
        include: ['src', 'test'],
      },
      null,
      2,
    )}\n`,
    'src/index.ts': `// The '${name}' distiller: L_s = CE + weight · L. The student's last feature tap, mapped by a
// trainable linear layer to the teacher's size, regresses the teacher's last tap (a FitNet-style hint).
// Replace the loss with yours; keep the shape: options → create(ctx, options) → { variables, loss, dispose }.
import { type DistillerPlugin, type Scalar, type Tensor2D, newVariable, tf, uniformInit } from '@cmcrd/core';
import { z } from 'zod';

const options = z
  .object({
    /** L_s = CE + weight · L. */
    weight: z.number().min(0).default(1),
  })
  .strict();

type Options = z.infer<typeof options>;

let instances = 0;

const ${className.charAt(0).toLowerCase()}${className.slice(1)}: DistillerPlugin<Options> = {
  name: '${name}',
  description: 'student last tap → linear map → mean squared error to the teacher last tap',
  options,
  // An option whose default depends on the run takes it from \`defaults\`, e.g. the dataset's K:
  // defaults: (ctx) => ({ negatives: ctx.negatives }),
  create(ctx, o) {
    const dS = ctx.student.featureDims[ctx.student.featureDims.length - 1];
    const dT = ctx.teacher.featureDims[ctx.teacher.featureDims.length - 1];
    // Variable names are global in TensorFlow.js: unique per instance. Every trainable variable
    // you make goes into \`variables\`, or the fold fails naming it.
    const w = newVariable(tf.tensor2d(uniformInit(dS * dT, dS, ctx.random), [dS, dT]), true, \`${name}\${instances++}/w\`);
    return {
      variables: [w],
      loss(batch) {
        const s = batch.student.features[batch.student.features.length - 1];
        const t = batch.teacher.features[batch.teacher.features.length - 1];
        const diff = tf.sub(tf.matMul(s, w), t) as Tensor2D;
        return tf.mul(tf.mean(tf.square(diff)), o.weight) as Scalar;
      },
      dispose() {
        w.dispose();
      },
    };
  },
};

export default ${className.charAt(0).toLowerCase()}${className.slice(1)};
`,
    'test/plugin.test.ts': `import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkDistillerPlugin, selectBackend } from '@cmcrd/core';
import plugin from '../src/index.js';

// The checks of \`cmcrd plugin check\` on the DNN's taps (the command itself tries every backbone).
// Add tests of your loss's values here, computed independently (e.g. with numpy).
test('${name} passes cmcrd plugin check on the DNN, both directions', async () => {
  await selectBackend();
  const report = await checkDistillerPlugin(plugin, { backbones: ['dnn'] });
  assert.ok(report.ok, JSON.stringify(report, null, 2));
});
`,
    'README.md': `# cmcrd-plugin-${name}

A distiller plugin for cmcrd (the method \`${name}\`), made by \`cmcrd plugin new\`. The tutorial is
the repository's \`docs/plugins.md\`.

| file | what |
|---|---|
| \`src/index.ts\` | the plugin: its options, \`create\`, \`loss\` |
| \`test/plugin.test.ts\` | runs the plugin checker on it; add tests of your loss's values |
| \`tsconfig.json\` | type-checks against the cmcrd that made this package (its own @cmcrd/core, zod and tfjs types) |

\`\`\`sh
npm run typecheck     # tsc against cmcrd's own types
npm test              # the checker on the DNN, through node:test
npm run check         # cmcrd plugin check: every backbone, both directions, a table
npm run cmcrd -- run --plugin . --method ${name} --dataset synthetic-seed-iv --folds subject-01
\`\`\`

The scripts call the cmcrd that made this package, by absolute path: nothing is installed here.
From the cmcrd repository, \`pnpm cmcrd … --plugin ${'<this folder>'}\` does the same.
`,
  };
}

/** Writes a new plugin package into dir (which must not exist, or be empty); returns the files written. */
export function scaffoldPlugin(name: string, dir: string, tools: CliTools = cliTools()): string[] {
  if (!/^[a-z][a-z0-9-]*$/.test(name)) throw new ConfigError(`plugin name '${name}' must be lowercase letters, digits and dashes, starting with a letter (e.g. 'my-loss')`);
  const target = resolve(dir);
  if (existsSync(target) && readdirSync(target).length > 0) throw new ConfigError(`${target} exists and is not empty: choose another --dir`);
  const out = files(name, tools);
  for (const [file, text] of Object.entries(out)) {
    mkdirSync(dirname(join(target, file)), { recursive: true });
    writeFileSync(join(target, file), text);
  }
  return Object.keys(out).map((f) => join(target, f));
}
