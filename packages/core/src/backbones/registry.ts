import { UserError } from '@cmcrd/data/user-error';
import { bihdmBackbone } from './bihdm.js';
import { dgcnnBackbone } from './dgcnn.js';
import { dnnBackbone } from './dnn.js';
import type { BackboneFactory } from './types.js';

export class UnknownBackboneError extends UserError {
  override name = 'UnknownBackboneError';
}

const BACKBONES = new Map<string, BackboneFactory>(
  [dnnBackbone, dgcnnBackbone, bihdmBackbone].map((f) => [f.name, f]),
);

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
