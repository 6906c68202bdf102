import { hasDistiller, registerDistiller } from '@cmcrd/core';
import { builtinDistillers } from '@cmcrd/kd-baselines';

/** Registers the baseline distillers of @cmcrd/kd-baselines (CMCRD itself lives in core). */
export function loadBuiltins(): void {
  for (const plugin of builtinDistillers) if (!hasDistiller(plugin.name)) registerDistiller(plugin);
}
