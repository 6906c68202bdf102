import { fileURLToPath } from 'node:url';

/**
 * How to start a module beside `from` (an `import.meta.url`) in a child process: its file and
 * Node's arguments. Running from source, the child needs tsx and the source conditions too (tsx
 * as a URL: a command run from a folder outside the repository would not find it by name);
 * running compiled, the `.js` beside it needs nothing.
 */
export function siblingModule(from: string, name: string): { file: string; execArgv: string[] } {
  const fromSource = from.endsWith('.ts');
  return {
    file: fileURLToPath(new URL(`./${name}.${fromSource ? 'ts' : 'js'}`, from)),
    execArgv: fromSource ? ['--conditions=@cmcrd/source', '--import', import.meta.resolve('tsx')] : [],
  };
}
