import type { DistillerPlugin } from '@cmcrd/core';
import { crdPlugin } from './crd.js';
import { fitnetPlugin } from './fitnet.js';
import { kdPlugin } from './kd.js';
import { nstPlugin } from './nst.js';
import { pktPlugin } from './pkt.js';
import { rkdPlugin } from './rkd.js';
import { spPlugin } from './sp.js';

export { type CrdOptions, crdPlugin } from './crd.js';
export { type FitnetOptions, fitnetPlugin } from './fitnet.js';
export { type KdOptions, kdPlugin } from './kd.js';
export { type NstOptions, nstPlugin } from './nst.js';
export { type PktOptions, pktPlugin } from './pkt.js';
export { type RkdOptions, rkdPlugin } from './rkd.js';
export { type SpOptions, spPlugin } from './sp.js';

/**
 * The seven baselines of DESIGN.md §3, one file each; the runner registers whatever this list
 * holds (by `name`: 'kd', 'fitnet', 'nst', 'sp', 'rkd', 'pkt', 'crd').
 */
export const builtinDistillers: DistillerPlugin[] = [
  kdPlugin,
  fitnetPlugin,
  nstPlugin,
  spPlugin,
  rkdPlugin,
  pktPlugin,
  crdPlugin,
];
