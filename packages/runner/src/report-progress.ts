import type { ExecEvent } from './execute.js';

/** One line per finished fold; in a terminal also a status line with each worker's current epoch. */
export function progressPrinter(out: NodeJS.WriteStream = process.stdout): (e: ExecEvent) => void {
  const tty = out.isTTY === true;
  const status = new Map<number, string>();
  let shown = false;
  const clear = () => {
    if (tty && shown) out.write('\r\x1b[2K');
    shown = false;
  };
  return (e) => {
    if (e.type === 'progress') {
      if (!tty) return;
      const p = e.progress;
      status.set(e.worker, `w${e.worker}: ${p.foldKey} ${p.method} ${p.stage} ${p.epoch}/${p.epochs}`);
      clear();
      out.write([...status.values()].join(' | ').slice(0, (out.columns ?? 120) - 1));
      shown = true;
      return;
    }
    clear();
    if (e.type === 'skipped') return;
    const r = e.outcome.row;
    const pad = String(e.total).length;
    const what = `${r.foldKey} ${r.method}${r.direction !== 'none' ? ` (${r.direction})` : ''} ${r.backbone}`;
    const result =
      r.status === 'done'
        ? `accuracy ${(100 * (r.accuracy ?? Number.NaN)).toFixed(2)}%  train ${((r.trainMs ?? 0) / 1000).toFixed(1)} s`
        : `FAILED: ${r.error}`;
    out.write(`[${String(e.finished).padStart(pad)}/${e.total}] ${what}: ${result}${e.inserted ? '' : ' (already stored)'}\n`);
  };
}
