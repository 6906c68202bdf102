import { existsSync, statSync } from 'node:fs';
import {
  cachePath,
  DATASET_NAMES,
  type DatasetDescription,
  describeDataset,
  type ImportProgress,
  importDataset,
  loadDataset,
  RELEASE_NAMES,
} from '@cmcrd/data';
import { userPath } from '@cmcrd/store/paths';

/** A status line on a terminal ("[12/90] file"), nothing elsewhere. */
function fileProgress(out: NodeJS.WriteStream = process.stderr): ImportProgress {
  return (done, total, file) => {
    if (!out.isTTY) return;
    out.write(`\r\x1b[2K[${done}/${total}] ${file}`.slice(0, (out.columns ?? 120) - 1));
    if (done === total) out.write('\r\x1b[2K');
  };
}

const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;
const range = (a: number, b: number) => (a === b ? String(a) : `${a}–${b}`);
const fmt = (x: number) => (Number.isFinite(x) ? Number(x.toPrecision(5)).toString() : String(x));

function printDescription(d: DatasetDescription, extra: string[] = []): void {
  console.log(`${d.name}${d.synthetic ? ' (synthetic)' : ''}`);
  for (const line of extra) console.log(`  ${line}`);
  console.log(`  subjects:    ${d.subjects.length} (${d.subjects.join(', ')})`);
  console.log(`  with EM:     ${d.emSubjects.length} (${d.emSubjects.join(', ') || 'none'})`);
  console.log(`  sessions:    ${d.sessions}, trials per session ${range(...d.trialsPerSession)}, ${d.trials} trials in all`);
  console.log(`  windows:     ${d.windows}, ${range(...d.windowsPerTrial)} per trial`);
  console.log(`  classes:     ${d.classBalance.map((c) => `${c.label} ${c.name} ${c.windows} (${((100 * c.windows) / d.windows).toFixed(1)}%)`).join(', ')}`);
  for (const [name, s] of [['EEG', d.eeg], ['EM', d.em]] as const) {
    console.log(`  ${name.padEnd(4)} ${String(s.dim).padStart(3)} features: min ${fmt(s.min)}, max ${fmt(s.max)}, mean ${fmt(s.mean)}, NaN/Inf ${s.nonFinite}`);
  }
}

export function cmdDataImport(name: string, folder: string, o: { eye?: string }): void {
  const s = importDataset(name, userPath(folder), { eye: o.eye && userPath(o.eye) }, fileProgress());
  console.log(
    `imported ${s.name}: ${s.windows} windows of ${s.subjects.length} subjects (${s.emSubjects.length} with eye movements) in ${s.seconds.toFixed(1)} s → ${s.cache} (${mb(s.bytes)})`,
  );
}

export function cmdDataList(): void {
  for (const name of DATASET_NAMES) console.log(`${name.padEnd(18)} built in (synthetic)`);
  for (const name of RELEASE_NAMES) {
    const path = cachePath(name);
    if (!existsSync(path)) {
      console.log(`${name.padEnd(18)} not imported (cmcrd data import ${name} <folder>)`);
      continue;
    }
    try {
      const d = describeDataset(loadDataset(name));
      console.log(`${name.padEnd(18)} imported: ${d.subjects.length} subjects, ${d.windows} windows, ${mb(statSync(path).size)} at ${path}`);
    } catch (e) {
      console.log(`${name.padEnd(18)} cache unusable: ${(e as Error).message}`);
    }
  }
}

export function cmdDataInspect(name: string): void {
  const ds = loadDataset(name);
  const meta = 'meta' in ds ? (ds as { meta: { source: string; importedAt: string; contentHash: string } }).meta : null;
  printDescription(
    describeDataset(ds),
    meta ? [`cache:       ${cachePath(name)}`, `imported:    ${meta.importedAt} from ${meta.source}`, `digest:      ${meta.contentHash.slice(0, 16)}`] : [],
  );
}
