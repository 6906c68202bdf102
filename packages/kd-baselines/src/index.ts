import type { DistillerPlugin } from '@cmcrd/core';

/**
 * The seven baselines (KD, FitNet, NST, SP, RKD, PKT, CRD) arrive with their own issue, one
 * file each; the runner registers whatever this list holds.
 */
export const builtinDistillers: DistillerPlugin[] = [];
