import { foldSubject, parseProtocol, parseProtocolOptions, protocolSubjects, type ProtocolName, type ProtocolOptions } from './protocol.js';
import type { DatasetSpec } from './dataset-types.js';
import { windowsPerTrial } from './synthetic.js';

export interface SplitSizes {
  train: number;
  val: number;
  test: number;
}

/**
 * How many rows each part of a split of a synthetic preset has, from the spec alone (every
 * subject of a preset has every session and trial, each trial as many windows as
 * `windowsPerTrial` says): what buildSplit would give, without generating the data. The sweep's
 * time estimate needs only these counts. Imported releases differ per subject: null.
 */
export function syntheticSplitSizes(
  spec: DatasetSpec,
  protocol: ProtocolName,
  foldKey: string,
  options: ProtocolOptions,
): SplitSizes | null {
  if (!spec.synthetic) return null;
  const p = parseProtocol(protocol);
  const opts = parseProtocolOptions(options as unknown as Record<string, unknown>);
  const withVal = opts.epochSelection === 'best-val';
  foldSubject(spec, p, foldKey); // throws on a bad key, as buildSplit does
  const wpt = windowsPerTrial(spec);
  const perSubject = wpt.reduce((a, s) => a + s.reduce((x, y) => x + y, 0), 0);
  if (p === 'within-subject') {
    const trainT = spec.trainTrialsPerSession;
    const valFrom = trainT - 2;
    let train = 0;
    let val = 0;
    for (const session of wpt) {
      session.forEach((w, i) => {
        const t = i + 1;
        if (t > trainT) return;
        if (withVal && t > valFrom) val += w;
        else train += w;
      });
    }
    return { train, val, test: perSubject - train - val };
  }
  const others = protocolSubjects(spec).length - 1;
  const val = withVal ? perSubject : 0;
  return { train: others * perSubject - val, val, test: perSubject };
}
