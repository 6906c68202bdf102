import cliProgress from 'cli-progress';
import type { ExecEvent } from './execute.js';

const foldName = (j: { foldKey: string; input: { method: string; backbone?: string; dataset: string } }) =>
  `${j.input.dataset} ${j.foldKey} ${j.input.method} ${j.input.backbone ?? 'dnn'}`;

/** Outside a terminal: one line per finished fold (and per retry), nothing else. */
function linePrinter(out: NodeJS.WritableStream): (e: ExecEvent) => void {
  return (e) => {
    if (e.type === 'retry') {
      out.write(`retrying ${foldName(e.job)} (attempt ${e.attempt} failed: ${e.error})\n`);
      return;
    }
    if (e.type === 'elsewhere') {
      out.write(`${foldName(e.job)}: stored by another coordinator on this store\n`);
      return;
    }
    if (e.type !== 'finished') return;
    const r = e.outcome.row;
    const pad = String(e.total).length;
    const what = `${r.dataset} ${r.foldKey} ${r.method}${r.direction !== 'none' ? ` (${r.direction})` : ''} ${r.backbone}`;
    const result =
      r.status === 'done'
        ? `accuracy ${(100 * (r.accuracy ?? Number.NaN)).toFixed(2)}%  train ${((r.trainMs ?? 0) / 1000).toFixed(1)} s`
        : `FAILED after ${r.attempts ?? 1} attempt(s): ${r.error}`;
    out.write(`[${String(e.finished).padStart(pad)}/${e.total}] ${what}: ${result}${e.inserted ? '' : ' (already stored)'}\n`);
  };
}

/**
 * In a terminal: a bar of folds done/total with the ETA and the failures, and one line per worker
 * with its current fold, stage and epoch (cli-progress).
 */
function bars(out: NodeJS.WriteStream): (e: ExecEvent) => void {
  const multi = new cliProgress.MultiBar(
    { stream: out, clearOnComplete: false, hideCursor: true, format: '{bar} {value}/{total} folds | ETA {eta_formatted} | failed {failed} | {what}', etaBuffer: 20 },
    cliProgress.Presets.shades_classic,
  );
  let main: cliProgress.SingleBar | null = null;
  const lines = new Map<number, cliProgress.SingleBar>();
  const line = (worker: number) => {
    let b = lines.get(worker);
    if (!b) {
      b = multi.create(1, 0, { what: '' }, { format: `  worker ${worker}: {what}` });
      lines.set(worker, b);
    }
    return b;
  };
  return (e) => {
    switch (e.type) {
      case 'start':
        main = multi.create(e.total, 0, { failed: 0, what: e.skipped ? `${e.skipped} already stored` : '' });
        if (e.total === 0) multi.stop();
        break;
      case 'started':
        line(e.worker).update(0, { what: `${foldName(e.job)}${e.attempt > 1 ? ` (attempt ${e.attempt})` : ''}` });
        break;
      case 'progress': {
        const p = e.progress;
        line(e.worker).update(0, { what: `${p.foldKey} ${p.method} ${p.stage} epoch ${p.epoch}/${p.epochs}` });
        break;
      }
      case 'retry':
        multi.log(`retrying ${foldName(e.job)}: ${e.error}\n`);
        break;
      case 'elsewhere':
        // Not this coordinator's to run after all: the bar counts what is left here.
        if (main) {
          const total = main.getTotal() - 1;
          main.setTotal(total);
          if (total <= 0 || main.getProgress() >= 1) multi.stop();
        }
        break;
      case 'worker-lost':
        multi.log(`worker ${e.worker} lost: ${e.reason}\n`);
        break;
      case 'finished':
        if (e.outcome.row.status === 'failed') multi.log(`FAILED ${foldName(e.job)}: ${e.outcome.row.error}\n`);
        main?.update(e.finished, { failed: e.failed, what: '' });
        if (e.finished === e.total) multi.stop();
        break;
    }
  };
}

/** Live bars in a terminal, one line per finished fold elsewhere. */
export function progressPrinter(out: NodeJS.WriteStream = process.stdout): (e: ExecEvent) => void {
  return out.isTTY ? bars(out) : linePrinter(out);
}
