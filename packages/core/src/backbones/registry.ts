import { UserError } from '@cmcrd/data/user-error';
import { bihdmBackbone } from './bihdm.js';
import { dgcnnBackbone } from './dgcnn.js';
import { dnnBackbone } from './dnn.js';
import { BUILTIN_BACKBONE_NAMES } from '../names.js';
import type { BackboneFactory } from './types.js';

export class UnknownBackboneError extends UserError {
  override name = 'UnknownBackboneError';
}

const BUILTIN = [dnnBackbone, dgcnnBackbone, bihdmBackbone];
// The command line's help lists the names without loading this module: they must agree.
if (BUILTIN.map((f) => f.name).join() !== BUILTIN_BACKBONE_NAMES.join()) {
  throw new Error(`names.ts lists the backbones ${BUILTIN_BACKBONE_NAMES.join(', ')}, the registry has ${BUILTIN.map((f) => f.name).join(', ')}`);
}
const BACKBONES = new Map<string, BackboneFactory>(BUILTIN.map((f) => [f.name, f]));

export function registerBackbone(factory: BackboneFactory): void {
  BACKBONES.set(factory.name, factory);
}

export function getBackbone(name: string): BackboneFactory {
  const f = BACKBONES.get(name);
  if (!f) throw new UnknownBackboneError(`unknown backbone '${name}' (known: ${listBackbones().join(', ')})`);
  return f;
}

export function listBackbones(): string[] {
  return [...BACKBONES.keys()];
}
