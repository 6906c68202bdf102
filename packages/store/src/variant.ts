import { canonicalJson } from './canonical.js';

/**
 * What sets a fold's result apart beyond its identity columns (dataset, protocol, backbone,
 * method, direction, fold, seed): the method's options, the student's settings, the teacher's
 * epochs and the module an outside plugin came from.
 */
export interface Variant {
  options: Record<string, unknown>;
  student: Record<string, unknown>;
  /** Null for the reference methods, which train no teacher. */
  teacherEpochs: number | null;
  /** The module an outside plugin was loaded from; null for built-ins. */
  module: string | null;
}

/**
 * The `folds.variant` column stores a variant as four fields joined by U+001F (a separator no
 * canonical JSON or module path contains): canonical JSON of the options and of the student
 * settings, the teacher's epochs ('' when none) and the module ('' for built-ins). Stores
 * written since migration 0002 hold exactly this text, and equal variants must compare equal
 * as text (SQL groups by it), so the encoding stays; only this module reads or writes it.
 */
const SEPARATOR = '\u001f';

export function encodeVariant(v: Variant): string {
  return [canonicalJson(v.options), canonicalJson(v.student), v.teacherEpochs === null ? '' : String(v.teacherEpochs), v.module ?? ''].join(SEPARATOR);
}

export function decodeVariant(text: string): Variant {
  const [options, student, teacherEpochs, module] = text.split(SEPARATOR);
  return {
    options: JSON.parse(options) as Record<string, unknown>,
    student: student ? (JSON.parse(student) as Record<string, unknown>) : {},
    teacherEpochs: teacherEpochs ? Number(teacherEpochs) : null,
    module: module || null,
  };
}

/** A fold identity's variant (`foldIdentity` in the runner): its teacher, if any, carries the epochs. */
export function variantOf(identity: {
  options: Record<string, unknown>;
  student: Record<string, unknown>;
  teacher?: { epochs: number } | null;
  module?: string | null;
}): string {
  return encodeVariant({
    options: identity.options,
    student: identity.student,
    teacherEpochs: identity.teacher ? identity.teacher.epochs : null,
    module: identity.module ?? null,
  });
}
