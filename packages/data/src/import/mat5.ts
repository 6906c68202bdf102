/**
 * Reader for MATLAB Level 5 MAT-files (`save -v6` / `-v7`, scipy.io.savemat format='5'), limited to
 * real numeric, logical and char arrays. Layout per MathWorks' "MAT-File Format", Level 5 section.
 */
import { inflateSync, constants as zlibConstants } from 'node:zlib';
import { UserError } from '../user-error.js';

export type MatClass =
  | 'double'
  | 'single'
  | 'int8'
  | 'uint8'
  | 'int16'
  | 'uint16'
  | 'int32'
  | 'uint32'
  | 'int64'
  | 'uint64'
  | 'char'
  | 'logical';

export interface MatArray {
  name: string;
  className: MatClass;
  /** MATLAB dimensions, e.g. [62, 235, 5]; at least 2 entries. */
  dims: number[];
  /** Every element as a number, in MATLAB's column-major order (first index fastest). For 'char' the UTF-16 code units. */
  values: Float64Array;
}

/** Anything wrong with a MAT-file; the message names the file, the variable when known, and the problem. */
export class MatFileError extends UserError {
  readonly file: string;
  readonly variable?: string;
  constructor(file: string, problem: string, variable?: string) {
    // Same shape as the importer's messages: "<file>: variable 'x' is ..." or "<file>: <problem>".
    super(variable === undefined ? `${file}: ${problem}` : `${file}: variable '${variable}' ${problem}`, {
      file,
      ...(variable === undefined ? {} : { parameter: variable }),
    });
    this.name = 'MatFileError';
    this.file = file;
    if (variable !== undefined) this.variable = variable;
  }
}

// Data types (miXXX) and array classes (mxXXX_CLASS) from the specification.
const miUINT16 = 4;
const miINT32 = 5;
const miUINT32 = 6;
const miINT64 = 12;
const miUINT64 = 13;
const miMATRIX = 14;
const miCOMPRESSED = 15;
const miUTF8 = 16;
const miUTF16 = 17;
const mxOPAQUE = 17;
const FLAG_COMPLEX = 0x08;
const FLAG_LOGICAL = 0x02;

type Reader = (v: DataView, p: number, le: boolean) => number;
type ViewCtor = new (
  buffer: ArrayBufferLike,
  byteOffset?: number,
  length?: number,
) => ArrayLike<number | bigint>;
/** Per numeric data type: spec name, element size, native typed array (fast path), DataView reader (other byte order). */
const MI: Record<number, { name: string; size: number; array: ViewCtor; read: Reader }> = {
  1: { name: 'miINT8', size: 1, array: Int8Array, read: (v, p) => v.getInt8(p) },
  2: { name: 'miUINT8', size: 1, array: Uint8Array, read: (v, p) => v.getUint8(p) },
  3: { name: 'miINT16', size: 2, array: Int16Array, read: (v, p, le) => v.getInt16(p, le) },
  4: { name: 'miUINT16', size: 2, array: Uint16Array, read: (v, p, le) => v.getUint16(p, le) },
  5: { name: 'miINT32', size: 4, array: Int32Array, read: (v, p, le) => v.getInt32(p, le) },
  6: { name: 'miUINT32', size: 4, array: Uint32Array, read: (v, p, le) => v.getUint32(p, le) },
  7: { name: 'miSINGLE', size: 4, array: Float32Array, read: (v, p, le) => v.getFloat32(p, le) },
  9: { name: 'miDOUBLE', size: 8, array: Float64Array, read: (v, p, le) => v.getFloat64(p, le) },
  12: { name: 'miINT64', size: 8, array: BigInt64Array, read: (v, p, le) => Number(v.getBigInt64(p, le)) },
  13: { name: 'miUINT64', size: 8, array: BigUint64Array, read: (v, p, le) => Number(v.getBigUint64(p, le)) },
};
const CLASSES: Record<number, MatClass> = {
  4: 'char',
  6: 'double',
  7: 'single',
  8: 'int8',
  9: 'uint8',
  10: 'int16',
  11: 'uint16',
  12: 'int32',
  13: 'uint32',
  14: 'int64',
  15: 'uint64',
};
const UNSUPPORTED: Record<number, string> = {
  1: 'a cell array',
  2: 'a struct array',
  3: 'an object',
  5: 'a sparse array',
  16: 'a function handle',
  17: 'an opaque object (string, table, ...)',
};

const HOST_LE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const utf8 = new TextDecoder('utf-8', { fatal: true });
const HDF5_MAGIC = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];
/** Compressed bytes inflated to learn an unwanted variable's name, growing until the header fits. */
const PEEK_START = 256;

/** A byte range in one byte order: the file itself, or one inflated miCOMPRESSED element. */
interface Src {
  bytes: Uint8Array;
  view: DataView;
  le: boolean;
  file: string;
  /** File offset of the miCOMPRESSED element these bytes were inflated from, for messages. */
  inflatedFrom?: number;
}
interface Tag {
  type: number;
  size: number;
  data: number;
  next: number;
}
/** What precedes the data: enough to decide whether to decode and how. */
interface Header {
  cls: number;
  flags: number;
  dims?: Tag;
  name: string;
  next: number;
}

function source(bytes: Uint8Array, le: boolean, file: string, inflatedFrom?: number): Src {
  return {
    bytes,
    view: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength),
    le,
    file,
    inflatedFrom,
  };
}

function fail(s: Src, problem: string, variable?: string): never {
  throw new MatFileError(s.file, problem, variable);
}

function where(s: Src, pos: number): string {
  return s.inflatedFrom === undefined
    ? `byte ${pos}`
    : `byte ${pos} of the compressed element at byte ${s.inflatedFrom}`;
}

/**
 * Reads the tag at `pos`; the element must end by `end`. Subelements are padded to 8 bytes; top-level
 * elements are not, as MATLAB and scipy write miCOMPRESSED elements back to back.
 */
function readTag(s: Src, pos: number, end: number, padded: boolean, variable?: string): Tag {
  const is = variable === undefined ? '' : 'is '; // messages about a variable read "variable 'x' is ..."
  if (end - pos < 8) {
    fail(s, `${is}truncated: ${where(s, pos)} is ${end - pos} bytes before the end`, variable);
  }
  const word = s.view.getUint32(pos, s.le);
  if (word >>> 16 !== 0) {
    // Small data element: byte count in the upper half, up to 4 data bytes in the tag's second word.
    const size = word >>> 16;
    if (size > 4) fail(s, `${is}malformed: ${size}-byte small data element at ${where(s, pos)}`, variable);
    return { type: word & 0xffff, size, data: pos + 4, next: pos + 8 };
  }
  const size = s.view.getUint32(pos + 4, s.le);
  const data = pos + 8;
  if (size > end - data) {
    fail(s, `${is}truncated: element at ${where(s, pos)} has ${size} bytes, ${end - data} remain`, variable);
  }
  return { type: word, size, data, next: padded ? Math.min(end, data + size + (-size & 7)) : data + size };
}

function checkHeader(bytes: Uint8Array, file: string): boolean {
  const v73 = 'it is a MATLAB v7.3 (HDF5) file; v7.3/HDF5 files are not supported, re-save it with -v7';
  const bad = (why: string): never => {
    throw new MatFileError(file, `not a MAT v5 file: ${why}`);
  };
  // MATLAB's v7.3 files carry a MAT header (version 0x0200) before the HDF5 data; check for bare HDF5 too.
  if (bytes.length >= 8 && HDF5_MAGIC.every((b, i) => bytes[i] === b)) bad(v73);
  const others = '(text, MAT v4 and other files are not supported)';
  if (bytes.length < 128) bad(`${bytes.length} bytes is shorter than the 128-byte header ${others}`);
  if (String.fromCharCode(...bytes.subarray(0, 10)) === 'MATLAB 7.3') bad(v73);
  const indicator = String.fromCharCode(bytes[126], bytes[127]);
  if (indicator !== 'IM' && indicator !== 'MI') {
    bad(`no 'IM'/'MI' endian indicator at byte 126 ${others}`);
  }
  const le = indicator === 'IM';
  const version = new DataView(bytes.buffer, bytes.byteOffset + 124, 2).getUint16(0, le);
  if (version === 0x0200) bad(v73);
  if (version !== 0x0100) bad(`header version 0x${version.toString(16)}, expected 0x0100`);
  return le;
}

/** Array flags, dimensions and name of the miMATRIX whose contents are [start, end). */
function readHeader(s: Src, start: number, end: number): Header {
  const flagsTag = readTag(s, start, end, true);
  if (flagsTag.type !== miUINT32 || flagsTag.size !== 8) {
    fail(s, `malformed array flags at ${where(s, start)}`);
  }
  const word = s.view.getUint32(flagsTag.data, s.le);
  const cls = word & 0xff;
  let pos = flagsTag.next;
  let dims: Tag | undefined;
  // Opaque objects (MATLAB strings, tables) have no dimensions subelement: their name comes next.
  if (cls !== mxOPAQUE) {
    dims = readTag(s, pos, end, true);
    pos = dims.next;
  }
  const nameTag = readTag(s, pos, end, true);
  let name: string;
  try {
    name = utf8.decode(s.bytes.subarray(nameTag.data, nameTag.data + nameTag.size));
  } catch {
    fail(s, `variable name at ${where(s, pos)} is not valid text`);
  }
  return { cls, flags: (word >>> 8) & 0xff, dims, name, next: nameTag.next };
}

function decode(s: Src, h: Header, end: number): MatArray {
  const bad = (problem: string): never => fail(s, problem, h.name);
  if (UNSUPPORTED[h.cls]) bad(`is ${UNSUPPORTED[h.cls]}; expected a numeric array`);
  const cls = CLASSES[h.cls] ?? bad(`has unknown array class ${h.cls}`);
  if (h.flags & FLAG_COMPLEX) bad('is complex; only real arrays are supported');
  const dt = h.dims!;
  // The spec says miINT32; some writers use miUINT32, harmless while the values fit (checked below).
  if ((dt.type !== miINT32 && dt.type !== miUINT32) || dt.size < 8 || dt.size % 4 !== 0) {
    bad('has a malformed dimensions subelement');
  }
  const dims: number[] = [];
  let numel = 1;
  for (let p = dt.data; p < dt.data + dt.size; p += 4) {
    const d = s.view.getInt32(p, s.le);
    if (d < 0) bad(`has a negative dimension ${d}`);
    dims.push(d);
    numel *= d;
  }
  const data = readTag(s, h.next, end, true, h.name);
  let values: Float64Array;
  if (cls === 'char' && data.type === miUTF8) {
    let text = '';
    try {
      text = utf8.decode(s.bytes.subarray(data.data, data.data + data.size));
    } catch {
      bad('has invalid UTF-8 character data');
    }
    if (text.length !== numel) bad(`has ${text.length} characters but dimensions ${dims.join('x')}`);
    values = new Float64Array(numel);
    for (let i = 0; i < numel; i++) values[i] = text.charCodeAt(i);
  } else {
    // UTF-16 char data is plain uint16 code units.
    const type = cls === 'char' && data.type === miUTF16 ? miUINT16 : data.type;
    const mi = MI[type] ?? bad(`stores its data as type ${data.type}, which is not a numeric data type`);
    if (data.size !== numel * mi.size) {
      bad(
        `has ${data.size} bytes of ${mi.name} data but dimensions ${dims.join('x')} need ${numel * mi.size}`,
      );
    }
    values = numbers(s, type, data.data, numel);
  }
  return { name: h.name, className: h.flags & FLAG_LOGICAL ? 'logical' : cls, dims, values };
}

function numbers(s: Src, type: number, off: number, count: number): Float64Array {
  const { size, array, read } = MI[type];
  const out = new Float64Array(count);
  if (s.le !== HOST_LE) {
    for (let i = 0, p = off; i < count; i++, p += size) out[i] = read(s.view, p, s.le);
    return out;
  }
  // Same byte order as the host: view the bytes as a typed array, which needs an element-aligned
  // offset; an unaligned run is first copied into a fresh (hence aligned) buffer.
  const abs = s.bytes.byteOffset + off;
  const src =
    abs % size === 0
      ? new array(s.bytes.buffer, abs, count)
      : new array(s.bytes.slice(off, off + count * size).buffer);
  if (type === miINT64 || type === miUINT64) {
    for (let i = 0; i < count; i++) out[i] = Number(src[i]);
  } else {
    out.set(src as ArrayLike<number>);
  }
  return out;
}

/** Handles one miMATRIX with contents [start, end): decodes it into `out` if wanted. */
function readMatrix(
  s: Src,
  start: number,
  end: number,
  want: ((name: string) => boolean) | undefined,
  out: Map<string, MatArray>,
): void {
  if (start === end) return; // MATLAB writes empty elements for empty cells; nothing to name or read
  const h = readHeader(s, start, end);
  // Unnamed top-level matrices are MATLAB's subsystem data (object and function workspaces).
  if (h.name === '' || (want && !want(h.name))) return;
  out.set(h.name, decode(s, h, end));
}

function inflate(s: Src, input: Uint8Array, at: number): Src {
  try {
    return source(inflateSync(input), s.le, s.file, at);
  } catch (e) {
    return fail(s, `corrupt compressed data in the element at byte ${at} (${(e as Error).message})`);
  }
}

/**
 * The name of the variable in a compressed element, from a prefix of its stream, or undefined if it
 * cannot be had cheaply (the caller then inflates everything and reports any problem from there).
 */
function peekName(s: Src, input: Uint8Array): string | undefined {
  for (let n = PEEK_START; n < input.length; n *= 4) {
    try {
      // Z_SYNC_FLUSH makes zlib return what a truncated stream decodes to instead of throwing.
      const head = source(
        inflateSync(input.subarray(0, n), { finishFlush: zlibConstants.Z_SYNC_FLUSH }),
        s.le,
        s.file,
      );
      if (head.bytes.length < 8 || head.view.getUint32(0, s.le) !== miMATRIX) return undefined;
      return readHeader(head, 8, head.bytes.length).name;
    } catch {
      // Header not complete in this prefix (or bad data): try a longer prefix.
    }
  }
  return undefined;
}

/** Parses a whole file already in memory. Only variables for which `want(name)` is true are decoded (default: all). */
export function readMat(
  bytes: Uint8Array,
  file: string,
  want?: (name: string) => boolean,
): Map<string, MatArray> {
  const s = source(bytes, checkHeader(bytes, file), file);
  const out = new Map<string, MatArray>();
  const end = bytes.length;
  for (let pos = 128; pos < end; ) {
    const tag = readTag(s, pos, end, false);
    if (tag.type === miMATRIX) {
      readMatrix(s, tag.data, tag.data + tag.size, want, out);
    } else if (tag.type === miCOMPRESSED) {
      const input = bytes.subarray(tag.data, tag.data + tag.size);
      // Inflating only a prefix to read the name makes skipping an unwanted variable cheap.
      const name = want ? peekName(s, input) : undefined;
      const wanted = name !== undefined && name !== '' && want!(name);
      if (name === undefined || wanted) {
        const z = inflate(s, input, pos);
        const inner = readTag(z, 0, z.bytes.length, false);
        if (inner.type !== miMATRIX) {
          fail(s, `compressed element at byte ${pos} holds type ${inner.type}, not miMATRIX`);
        }
        // Once `want` has accepted the name, don't ask again.
        readMatrix(z, inner.data, inner.data + inner.size, wanted ? undefined : want, out);
      }
    } else {
      fail(s, `unexpected element type ${tag.type} at byte ${pos}; expected miMATRIX or miCOMPRESSED`);
    }
    pos = tag.next;
  }
  return out;
}

/** Convenience: the element at a 0-based multi-index, computed from column-major strides. */
export function matAt(a: MatArray, ...index: number[]): number {
  let offset = 0;
  let stride = 1;
  for (let d = 0; d < Math.max(index.length, a.dims.length); d++) {
    // Dimensions past the stored ones are singletons, and a missing index of a singleton is 0, as in MATLAB.
    const extent = d < a.dims.length ? a.dims[d] : 1;
    const i = d < index.length ? index[d] : extent === 1 ? 0 : -1;
    if (!Number.isInteger(i) || i < 0 || i >= extent) {
      throw new RangeError(
        `index [${index.join(', ')}] is out of range for ${a.name} of size ${a.dims.join('x')}`,
      );
    }
    offset += i * stride;
    stride *= extent;
  }
  return a.values[offset];
}
