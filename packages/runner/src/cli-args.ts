import { InvalidArgumentError } from 'commander';

// The command line's argument parsers. They run while the arguments are parsed, before any
// action's module is loaded, so they import nothing but commander.

export function int(name: string) {
  return (v: string) => {
    if (!/^-?\d+$/.test(v)) throw new InvalidArgumentError(`${name} must be an integer, got '${v}'`);
    return Number(v);
  };
}

/** A non-negative integer (--workers of a sweep, --retries). */
export function count(name: string) {
  return (v: string) => {
    if (!/^\d+$/.test(v)) throw new InvalidArgumentError(`${name} must be a non-negative integer, got '${v}'`);
    return Number(v);
  };
}

export function positive(name: string) {
  return (v: string) => {
    if (!/^[1-9]\d*$/.test(v))
      throw new InvalidArgumentError(`${name} must be a positive integer, got '${v}'`);
    return Number(v);
  };
}

export function json(name: string) {
  return (v: string) => {
    try {
      const o = JSON.parse(v);
      if (o === null || typeof o !== 'object' || Array.isArray(o)) throw new Error('not an object');
      return o as Record<string, unknown>;
    } catch (e) {
      throw new InvalidArgumentError(`${name} must be a JSON object, got '${v}' (${(e as Error).message})`);
    }
  };
}

/** --protocol-option key=value, repeatable. */
export function keyValue(v: string, acc: Record<string, string> = {}) {
  const i = v.indexOf('=');
  if (i <= 0) throw new InvalidArgumentError(`expected key=value, got '${v}'`);
  return { ...acc, [v.slice(0, i)]: v.slice(i + 1) };
}

/** --plugin, repeatable. */
export const collectPlugin = (v: string, acc: string[] = []): string[] => [...acc, v];
