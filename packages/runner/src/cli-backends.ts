import { describeBackends } from '@cmcrd/core';

/** `cmcrd list`'s backend lines: each backend, available or not and why, webgpu's adapter. */
export async function formatBackends(): Promise<string> {
  const rows = await describeBackends();
  const width = Math.max(...rows.map((r) => r.name.length));
  return rows
    .map((r) => {
      const state = r.available ? (r.automatic ? 'available' : 'named only') : 'unavailable';
      return `  ${r.name.padEnd(width)}  ${state.padEnd(11)}  ${r.detail}`;
    })
    .join('\n');
}
