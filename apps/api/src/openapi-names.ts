import { zodToOpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import type { ZodType } from 'zod';
import { NAMED_SCHEMAS } from './contract/index.js';

let named = false;

/**
 * Gives the contract's schemas their names in the OpenAPI document, so that each is one component
 * referenced wherever it appears. The contract is plain zod (the dashboard bundles it), so it
 * cannot call `.openapi('Name')`, which returns a copy anyway: the name is recorded on the schema
 * itself, in the registry the document generator reads.
 */
export function nameContractSchemas(): void {
  if (named) return;
  named = true;
  for (const [refId, schema] of Object.entries(NAMED_SCHEMAS) as [string, ZodType][]) {
    const current = zodToOpenAPIRegistry.get(schema) as { _internal?: object } | undefined;
    zodToOpenAPIRegistry.add(schema, { ...current, _internal: { ...current?._internal, refId } });
  }
}
