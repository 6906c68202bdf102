import { userPath } from '@cmcrd/store/paths';
import { scaffoldPlugin } from './plugin-scaffold.js';

/** `cmcrd plugin new <name> [--dir path]`: a plugin package to edit, check and run at once. */
export function cmdPluginNew(name: string, o: { dir?: string }): void {
  const dir = userPath(o.dir ?? name);
  const written = scaffoldPlugin(name, dir);
  console.log(`cmcrd plugin new: wrote ${written.length} files to ${dir}`);
  for (const f of written) console.log(`  ${f}`);
  console.log(`next: cd ${dir} && npm run check   (then: npm run cmcrd -- run --plugin . --method ${name} --dataset synthetic-seed-iv)`);
}
