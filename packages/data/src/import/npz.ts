import { unzipSync } from 'fflate';
import { NameRegistry, Parser } from 'pickleparser';
import { ImportError } from './import-error.js';

/** A numpy array out of a pickle or an .npy member: C-order values as numbers. */
export interface NdArray {
  shape: number[];
  /** Row-major (C order) values; object arrays keep their Python objects in `objects` instead. */
  values: Float64Array;
  objects?: unknown[];
}

/** The members of an .npz (a zip of .npy files), by name without the `.npy` suffix. */
export function npzMembers(bytes: Uint8Array, file: string): Map<string, Uint8Array> {
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(bytes);
  } catch (e) {
    throw new ImportError(`not a readable .npz (zip) file: ${(e as Error).message}`, file);
  }
  return new Map(Object.entries(entries).map(([name, data]) => [name.replace(/\.npy$/, ''), data]));
}

interface NpyHeader {
  descr: string;
  fortran: boolean;
  shape: number[];
  payload: Uint8Array;
}

const NPY_MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

/**
 * The header of an .npy member: a Python dict literal such as
 * `{'descr': '<f8', 'fortran_order': False, 'shape': (3, 310), }` (numpy's format spec, versions 1–3).
 */
function parseNpy(bytes: Uint8Array, file: string, member: string): NpyHeader {
  const bad = (what: string) => new ImportError(`member '${member}' is not a valid .npy array: ${what}`, file, member);
  if (bytes.length < 10 || NPY_MAGIC.some((b, i) => bytes[i] !== b)) throw bad('no \\x93NUMPY magic');
  const major = bytes[6];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const start = major === 1 ? 10 : 12;
  if (start + headerLength > bytes.length) throw bad('truncated header');
  const header = new TextDecoder(major >= 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(start, start + headerLength));
  const descr = /'descr':\s*'([^']*)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*(True|False)/.exec(header)?.[1];
  const shape = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shape === undefined) throw bad(`unreadable header ${header.trim()}`);
  return {
    descr,
    fortran: fortran === 'True',
    shape: shape
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s.length > 0)
      .map(Number),
    payload: bytes.subarray(start + headerLength),
  };
}

/** Numbers out of raw bytes in numpy dtype `descr` (e.g. '<f8', '<i8', '|u1'). */
function decodeRaw(raw: Uint8Array, descr: string, count: number, where: string): Float64Array {
  const m = /^([<>|=])([fiub])(\d+)$/.exec(descr);
  if (!m) throw new Error(`${where}: unsupported dtype '${descr}' (numeric arrays only)`);
  const [, order, kind, sizeText] = m;
  const size = Number(sizeText);
  const little = order !== '>';
  if (raw.length < count * size) throw new Error(`${where}: ${raw.length} bytes for ${count} values of '${descr}'`);
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const out = new Float64Array(count);
  const readers: Record<string, (o: number) => number> = {
    f4: (o: number) => view.getFloat32(o, little),
    f8: (o: number) => view.getFloat64(o, little),
    i1: (o: number) => view.getInt8(o),
    i2: (o: number) => view.getInt16(o, little),
    i4: (o: number) => view.getInt32(o, little),
    i8: (o: number) => Number(view.getBigInt64(o, little)),
    u1: (o: number) => view.getUint8(o),
    u2: (o: number) => view.getUint16(o, little),
    u4: (o: number) => view.getUint32(o, little),
    u8: (o: number) => Number(view.getBigUint64(o, little)),
    b1: (o: number) => view.getUint8(o),
  };
  const read = readers[`${kind}${size}`];
  if (!read) throw new Error(`${where}: unsupported dtype '${descr}'`);
  for (let i = 0; i < count; i++) out[i] = read(i * size);
  return out;
}

/** Fortran-ordered values → C order. */
function toCOrder(values: Float64Array, shape: number[]): Float64Array {
  if (shape.length < 2) return values;
  const out = new Float64Array(values.length);
  const rank = shape.length;
  const index = new Array<number>(rank).fill(0);
  for (let f = 0; f < values.length; f++) {
    let c = 0;
    for (let d = 0; d < rank; d++) c = c * shape[d] + index[d];
    out[c] = values[f];
    for (let d = 0; d < rank; d++) {
      if (++index[d] < shape[d]) break;
      index[d] = 0;
    }
  }
  return out;
}

const product = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

/** numpy's pickled dtype: numpy.dtype('f8', False, True) then a state whose [1] is the byte order. */
class PickledDtype {
  order = '|';
  constructor(readonly code: string) {}
  __setstate__(state: unknown[]): void {
    if (typeof state[1] === 'string') this.order = state[1];
  }
  get descr(): string {
    const kind = this.code[0];
    if (kind === 'O') return 'O';
    return `${this.code.length > 1 && /\d/.test(this.code[1]) ? this.order : '|'}${this.code}`;
  }
}

/** numpy.core.multiarray._reconstruct(ndarray, (0,), b'b') then a state (version, shape, dtype, fortran, data). */
class PickledArray implements NdArray {
  shape: number[] = [];
  values: Float64Array = new Float64Array(0);
  objects?: unknown[];
  __setstate__(state: unknown[]): void {
    const [, shape, dtype, fortran, data] = state as [number, number[], PickledDtype, boolean, unknown];
    this.shape = [...shape];
    if (Array.isArray(data)) {
      this.objects = data;
      return;
    }
    const raw = data instanceof Uint8Array ? data : latin1Bytes(String(data));
    const values = decodeRaw(raw, dtype.descr, product(this.shape), 'pickled array');
    this.values = fortran ? toCOrder(values, this.shape) : values;
  }
}

function latin1Bytes(s: string): Uint8Array {
  return Uint8Array.from(s, (ch) => ch.charCodeAt(0));
}

/** The numpy (1.x and 2.x module names) and codecs globals that pickled arrays refer to. */
function numpyRegistry(): NameRegistry {
  const registry = new NameRegistry();
  for (const core of ['numpy.core', 'numpy._core']) {
    registry.register(`${core}.multiarray`, '_reconstruct', () => new PickledArray());
    // Protocol 5: the buffer in-band, then dtype, shape and order.
    registry.register(`${core}.numeric`, '_frombuffer', (buf: Uint8Array, dtype: PickledDtype, shape: number[], order: string) => {
      const a = new PickledArray();
      a.__setstate__([1, shape, dtype, order === 'F', buf]);
      return a;
    });
  }
  registry.register('numpy', 'dtype', (code: string) => new PickledDtype(code));
  // Python 3 pickles bytes as _codecs.encode(text, 'latin1') under protocol 2.
  registry.register('_codecs', 'encode', (text: string) => latin1Bytes(text));
  return registry;
}

/** Unpickles bytes written by Python's pickle, numpy arrays included; dicts come back as Maps. */
export function unpickle(bytes: Uint8Array, file: string, member: string): unknown {
  try {
    return new Parser({ nameResolver: numpyRegistry(), unpicklingTypeOfDictionary: 'Map' } as never).parse(bytes);
  } catch (e) {
    throw new ImportError(`member '${member}' is not a readable pickle: ${(e as Error).message}`, file, member);
  }
}

/**
 * A member that holds a pickled Python object: either a bytes scalar (`np.savez(data=pickle.dumps(d))`,
 * SEED-V's layout) or a 0-d object array (`np.save(allow_pickle=True)`).
 */
export function unpickleMember(npz: Map<string, Uint8Array>, member: string, file: string): unknown {
  const bytes = npz.get(member);
  if (!bytes) throw new ImportError(`has no member '${member}' (members: ${[...npz.keys()].join(', ') || 'none'})`, file, member);
  const npy = parseNpy(bytes, file, member);
  if (/^\|S\d+$/.test(npy.descr)) return unpickle(npy.payload, file, member);
  if (npy.descr === '|O') {
    const array = unpickle(npy.payload, file, member);
    if (array instanceof PickledArray && array.objects?.length === 1) return array.objects[0];
    throw new ImportError(`member '${member}' is an object array of shape (${npy.shape}), expected a single pickled object`, file, member);
  }
  throw new ImportError(`member '${member}' holds dtype '${npy.descr}', expected pickled bytes`, file, member);
}

export function isNdArray(x: unknown): x is NdArray {
  return x instanceof PickledArray;
}

/** A plain numeric .npy member (not pickled), in C order; null when the member holds pickled or non-numeric data. */
export function npyNumeric(npz: Map<string, Uint8Array>, member: string, file: string): NdArray | null {
  const bytes = npz.get(member);
  if (!bytes) return null;
  const npy = parseNpy(bytes, file, member);
  if (!/^[<>|=][fiub]\d+$/.test(npy.descr)) return null;
  let values: Float64Array;
  try {
    values = decodeRaw(npy.payload, npy.descr, product(npy.shape), `member '${member}'`);
  } catch (e) {
    throw new ImportError((e as Error).message, file, member);
  }
  return { shape: npy.shape, values: npy.fortran ? toCOrder(values, npy.shape) : values };
}
