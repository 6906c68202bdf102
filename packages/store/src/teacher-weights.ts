/**
 * A teacher's snapshot (every weight and running statistic, in the backbone's order) as one
 * blob: a JSON header with the array lengths, then the float32 values, little-endian.
 */
export function packWeights(arrays: Float32Array[]): Buffer {
  const header = new TextEncoder().encode(JSON.stringify(arrays.map((a) => a.length)));
  const total = arrays.reduce((s, a) => s + a.length, 0);
  const out = Buffer.alloc(4 + header.length + total * 4 + ((4 - ((4 + header.length) % 4)) % 4));
  const view = new DataView(out.buffer);
  view.setUint32(0, header.length, true);
  out.set(header, 4);
  let offset = 4 + header.length;
  offset += (4 - (offset % 4)) % 4;
  for (const a of arrays) {
    for (let i = 0; i < a.length; i++, offset += 4) view.setFloat32(offset, a[i], true);
  }
  return out;
}

export function unpackWeights(blob: Uint8Array): Float32Array[] {
  const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
  const headerLength = view.getUint32(0, true);
  const lengths = JSON.parse(new TextDecoder().decode(blob.subarray(4, 4 + headerLength))) as number[];
  let offset = 4 + headerLength;
  offset += (4 - (offset % 4)) % 4;
  return lengths.map((n) => {
    const a = new Float32Array(n);
    for (let i = 0; i < n; i++, offset += 4) a[i] = view.getFloat32(offset, true);
    return a;
  });
}
