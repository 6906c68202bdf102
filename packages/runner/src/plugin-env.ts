// Imported with --import by a plugin package's own test script (made by `cmcrd plugin new`): its
// imports of @cmcrd/core, zod and TensorFlow.js reach this CLI's modules, as when the CLI loads it.
import { shareImportsBelow } from './plugins.js';

shareImportsBelow(process.cwd());
