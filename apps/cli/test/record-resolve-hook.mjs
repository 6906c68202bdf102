// A module.register resolve hook: appends every URL this process resolves to $CMCRD_RECORD_MODULES.
import { appendFileSync } from 'node:fs';

export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  appendFileSync(process.env.CMCRD_RECORD_MODULES, `${result.url}\n`);
  return result;
}
