import type { Command } from 'commander';
import { userPath } from '@cmcrd/store';
import { scaffoldPlugin } from './plugin-scaffold.js';

/** `cmcrd plugin new <name> [--dir path]`: a plugin package to edit, check and run at once. */
export function registerPluginNewCommand(plugin: Command): void {
  plugin
    .command('new')
    .description('a new plugin package: src/index.ts from a template, a test that runs the checker, a tsconfig against this cmcrd, a README')
    .argument('<name>', "the method name, lowercase (e.g. 'my-loss')")
    .option('--dir <path>', 'where to write it (default: ./<name>); must not exist or be empty')
    .action((name: string, o: { dir?: string }) => {
      const dir = userPath(o.dir ?? name);
      const written = scaffoldPlugin(name, dir);
      console.log(`cmcrd plugin new: wrote ${written.length} files to ${dir}`);
      for (const f of written) console.log(`  ${f}`);
      console.log(`next: cd ${dir} && npm run check   (then: npm run cmcrd -- run --plugin . --method ${name} --dataset synthetic-seed-iv)`);
    });
}
