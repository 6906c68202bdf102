import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { RELEASE_NAMES } from '@cmcrd/data';
import { UserError, type UserErrorLocation } from '@cmcrd/data/user-error';
import { type Document, isAlias, isMap, isScalar, isSeq, LineCounter, type Node, parseDocument } from 'yaml';
import type { ZodType } from 'zod';
import {
  ConfigError,
  DIRECTIONS,
  REFERENCE_METHODS,
  type RunConfig,
  type RunInput,
  resolveRun,
  runInputSchema,
} from './config.js';
import { foldIdentity } from './fold.js';
import { canonicalJson } from '@cmcrd/store';
import { loadBuiltins, loadPluginModules, resolvePluginSpec } from './plugins.js';

/**
 * A sweep file refused: the message reads `file:line:column: key: what`, leaving out what is unknown.
 * `key` is the YAML path as the message writes it (`grids[0].method[1]`); `location` holds the file
 * and the position.
 */
export class SweepFileError extends UserError {
  override name = 'SweepFileError';
  readonly file: string;
  readonly line?: number;
  readonly column?: number;
  readonly key?: string;
  /** The message without its location. */
  readonly what: string;

  constructor(file: string, what: string, at: { line?: number; column?: number; key?: string } = {}) {
    const where = [file, at.line, at.column].filter((x) => x !== undefined).join(':');
    super(`${where}: ${at.key ? `${at.key}: ` : ''}${what}`, {
      file,
      ...(at.line === undefined ? {} : { line: at.line }),
      ...(at.column === undefined ? {} : { column: at.column }),
    });
    this.file = file;
    this.line = at.line;
    this.column = at.column;
    this.key = at.key;
    this.what = what;
  }
}

/** Something written in the file, with where it was written and the path of keys to it. */
export interface Located<T> {
  value: T;
  key: string;
  line: number;
  column: number;
}

/** The cell fields that multiply, in expansion order (the first varies slowest). */
const OUTER_AXES = ['dataset', 'protocol', 'backbone', 'method'] as const;
/** Fields a method may override; they vary faster than the method, so an override changes only its own cells. */
const INNER_AXES = [
  'direction',
  'seed',
  'dataSeed',
  'epochs',
  'warmupEpochs',
  'teacherEpochs',
  'batchSize',
  'lr',
  'weightDecay',
] as const;
const AXIS_FIELDS: readonly string[] = [...OUTER_AXES, ...INNER_AXES];
export type AxisField = (typeof OUTER_AXES)[number] | (typeof INNER_AXES)[number];

/** One axis: a field (or `protocolOptions.<k>`, `options.<k>`) and the values it takes, in file order. */
export interface Axis {
  /** The RunInput field the values go to: `epochs`, `protocolOptions.normalisation`, `options.mcc`. */
  target: string;
  key: string;
  line: number;
  column: number;
  values: Located<unknown>[];
}

/** The fields written at one level (defaults, a grid, or a method inside a grid). */
export interface SweepLayer {
  key: string;
  line: number;
  column: number;
  axes: Partial<Record<AxisField, Axis>>;
  protocolOptions: Record<string, Axis>;
  /** Method options: only inside `methods.<m>`. */
  options: Record<string, Axis>;
  folds?: Located<string[]>;
}

export interface SweepGrid extends SweepLayer {
  name: string;
  description?: string;
  /** Outside plugin modules of this grid, paths made absolute. */
  plugins: Located<string>[];
  methods: Record<string, SweepLayer>;
}

export interface SweepSpec {
  name: string;
  description?: string;
  /** `keepModels: true`: store every fold's trained model (as `cmcrd sweep --keep-models`). */
  keepModels?: boolean;
  file: string;
  /** The YAML text as read. */
  text: string;
  defaults: SweepLayer;
  /** Outside plugin modules of every grid, paths made absolute. */
  plugins: Located<string>[];
  grids: SweepGrid[];
}

export interface ExpandOptions {
  /** Map synthetic-seed* to the imported releases seed*. */
  real?: boolean;
}

/** A cell of a sweep and the grids that asked for it (several when grids overlap). */
export interface SweepCell {
  input: RunInput;
  grids: string[];
}

// ---------------------------------------------------------------- reading YAML nodes

const TOP_KEYS = ['name', 'description', 'keepModels', 'defaults', 'plugins', 'grids'];
const DEFAULT_KEYS = [...AXIS_FIELDS, 'protocolOptions'];
const GRID_KEYS = ['name', 'description', ...AXIS_FIELDS, 'protocolOptions', 'folds', 'plugins', 'methods'];
const METHOD_KEYS = [...INNER_AXES, 'protocolOptions', 'options', 'folds'];
const LITERAL_TAG = '!literal';

interface Entry {
  name: string;
  keyNode: Node;
  value: Node;
  key: string;
}

class Reader {
  readonly baseDir: string;

  constructor(
    readonly file: string,
    private readonly doc: Document,
    private readonly lines: LineCounter,
    readonly o: ParseOptions = {},
  ) {
    this.baseDir = dirname(resolve(file));
  }

  at(node: Node | undefined): { line?: number; column?: number } {
    const offset = node?.range?.[0];
    if (offset === undefined) return {};
    const p = this.lines.linePos(offset);
    return { line: p.line, column: p.col };
  }

  fail(node: Node | undefined, key: string | undefined, what: string): never {
    throw new SweepFileError(this.file, what, { ...this.at(node), key });
  }

  located<T>(node: Node, key: string, value: T): Located<T> {
    const { line = 0, column = 0 } = this.at(node);
    return { value, key, line, column };
  }

  /** Follows an alias to its anchor and refuses tags other than YAML's own and `!literal`. */
  deref(node: unknown, key: string): Node {
    const n = (isAlias(node) ? node.resolve(this.doc) : node) as Node | undefined;
    if (!n) this.fail(undefined, key, 'unresolved alias');
    const tag = (n as { tag?: string }).tag;
    if (tag && tag !== LITERAL_TAG && !tag.startsWith('tag:yaml.org,2002:'))
      this.fail(n, key, `unknown tag ${tag}`);
    return n;
  }

  isLiteral(node: Node): boolean {
    return (node as { tag?: string }).tag === LITERAL_TAG;
  }

  toJS(node: Node): unknown {
    return node.toJS(this.doc);
  }

  entries(node: unknown, key: string, allowed: readonly string[] | null): Entry[] {
    const n = this.deref(node, key);
    if (!isMap(n)) this.fail(n, key, `expected a mapping, got ${describe(n)}`);
    return n.items.map((pair) => {
      const keyNode = pair.key as Node;
      const name = isScalar(keyNode) ? keyNode.value : undefined;
      if (typeof name !== 'string') this.fail(keyNode, key, 'keys must be plain strings');
      const path = key ? `${key}.${name}` : name;
      if (allowed && !allowed.includes(name))
        this.fail(keyNode, path, `unknown key (allowed here: ${allowed.join(', ')})`);
      if (pair.value === null || pair.value === undefined) this.fail(keyNode, path, 'no value');
      return { name, keyNode, value: this.deref(pair.value, path), key: path };
    });
  }

  scalar(node: Node, key: string): unknown {
    if (this.isLiteral(node)) this.fail(node, key, `${LITERAL_TAG} applies only to option values`);
    if (!isScalar(node)) this.fail(node, key, `expected a scalar, got ${describe(node)}`);
    if (node.value === null) this.fail(node, key, 'no value');
    return node.value;
  }

  string(node: Node, key: string): string {
    const v = this.scalar(node, key);
    if (typeof v !== 'string' || v === '')
      this.fail(node, key, `expected a non-empty string, got ${JSON.stringify(v)}`);
    return v;
  }

  /** A scalar or a list of them; a list must not be empty (it would give no cells). */
  items(node: Node, key: string): { node: Node; key: string }[] {
    if (!isSeq(node)) return [{ node, key }];
    if (node.items.length === 0) this.fail(node, key, 'an empty list gives no cells');
    return node.items.map((item, i) => ({ node: this.deref(item, `${key}[${i}]`), key: `${key}[${i}]` }));
  }

  strings(node: Node, key: string): Located<string>[] {
    return this.items(node, key).map((it) => this.located(it.node, it.key, this.string(it.node, it.key)));
  }
}

function describe(node: unknown): string {
  if (isMap(node)) return 'a mapping';
  if (isSeq(node)) return 'a list';
  if (isScalar(node)) return JSON.stringify(node.value);
  return 'nothing';
}

// ---------------------------------------------------------------- structure

const fieldSchemas = runInputSchema.shape as unknown as Record<string, ZodType>;

function checkField(r: Reader, field: string, node: Node, key: string, value: unknown): void {
  const parsed = fieldSchemas[field].safeParse(value);
  if (!parsed.success) r.fail(node, key, parsed.error.issues[0]?.message ?? 'invalid value');
  if (typeof value === 'string' && value === '') r.fail(node, key, 'empty name');
  if (field === 'direction' && !(DIRECTIONS as readonly string[]).includes(value as string)) {
    r.fail(node, key, `unknown direction '${value}' (known: ${DIRECTIONS.join(', ')})`);
  }
}

function readAxis(r: Reader, e: Entry): Axis {
  const values = r.items(e.value, e.key).map((it) => {
    const value = r.scalar(it.node, it.key);
    checkField(r, e.name, it.node, it.key, value);
    return r.located(it.node, it.key, value);
  });
  return { target: e.name, key: e.key, ...posOf(r, e.keyNode), values };
}

function posOf(r: Reader, node: Node): { line: number; column: number } {
  const { line = 0, column = 0 } = r.at(node);
  return { line, column };
}

/** Option maps: a list is an axis, `!literal` (or a list of lists) keeps a list whole, a mapping is one value. */
function readOptionAxes(r: Reader, e: Entry, prefix: string): Record<string, Axis> {
  const out: Record<string, Axis> = {};
  for (const o of r.entries(e.value, e.key, null)) {
    const whole = r.isLiteral(o.value) || !isSeq(o.value);
    const values = whole
      ? [r.located(o.value, o.key, r.toJS(o.value))]
      : r.items(o.value, o.key).map((it) => r.located(it.node, it.key, r.toJS(it.node)));
    for (const v of values) if (v.value === null) r.fail(o.value, v.key, 'no value');
    out[o.name] = { target: `${prefix}.${o.name}`, key: o.key, ...posOf(r, o.keyNode), values };
  }
  return out;
}

function readFolds(r: Reader, e: Entry): Located<string[]> {
  return r.located(
    e.value,
    e.key,
    r.strings(e.value, e.key).map((f) => f.value),
  );
}

function readPlugins(r: Reader, e: Entry): Located<string>[] {
  // Refused before any path is resolved: the answer must not tell whether a file exists.
  if (r.o.refusePlugins) r.fail(e.value, e.key, r.o.refusePlugins);
  return r.items(e.value, e.key).map((it) => {
    const spec = r.string(it.node, it.key);
    try {
      return r.located(it.node, it.key, resolvePluginSpec(spec, r.baseDir));
    } catch (err) {
      return r.fail(it.node, it.key, (err as Error).message);
    }
  });
}

function emptyLayer(r: Reader, node: Node, key: string): SweepLayer {
  return { key, ...posOf(r, node), axes: {}, protocolOptions: {}, options: {} };
}

/** Reads the keys every level shares into `layer`; returns the entries it did not handle. */
function readLayer(
  r: Reader,
  node: Node,
  key: string,
  allowed: readonly string[],
): { layer: SweepLayer; rest: Entry[] } {
  const layer = emptyLayer(r, node, key);
  const rest: Entry[] = [];
  for (const e of r.entries(node, key, allowed)) {
    if (AXIS_FIELDS.includes(e.name)) layer.axes[e.name as AxisField] = readAxis(r, e);
    else if (e.name === 'protocolOptions') layer.protocolOptions = readOptionAxes(r, e, 'protocolOptions');
    else if (e.name === 'options') layer.options = readOptionAxes(r, e, 'options');
    else if (e.name === 'folds') layer.folds = readFolds(r, e);
    else rest.push(e);
  }
  return { layer, rest };
}

function readMethods(r: Reader, e: Entry): Record<string, SweepLayer> {
  const out: Record<string, SweepLayer> = {};
  for (const m of r.entries(e.value, e.key, null))
    out[m.name] = readLayer(r, m.value, m.key, METHOD_KEYS).layer;
  return out;
}

function readGrid(r: Reader, node: Node, index: number, defaults: SweepLayer): SweepGrid {
  const key = `grids[${index}]`;
  const { layer, rest } = readLayer(r, node, key, GRID_KEYS);
  const grid: SweepGrid = { ...layer, name: key, plugins: [], methods: {} };
  for (const e of rest) {
    if (e.name === 'name') grid.name = r.string(e.value, e.key);
    else if (e.name === 'description') grid.description = r.string(e.value, e.key);
    else if (e.name === 'plugins') grid.plugins = readPlugins(r, e);
    else if (e.name === 'methods') grid.methods = readMethods(r, e);
  }
  checkGrid(r, node, grid, defaults);
  return grid;
}

function checkGrid(r: Reader, node: Node, grid: SweepGrid, defaults: SweepLayer): void {
  for (const field of ['dataset', 'method'] as const) {
    if (!grid.axes[field] && !defaults.axes[field])
      r.fail(node, grid.key, `no ${field} (give it in the grid or in defaults)`);
  }
  const methods = new Set((grid.axes.method ?? defaults.axes.method)?.values.map((v) => v.value));
  for (const [name, layer] of Object.entries(grid.methods)) {
    if (!methods.has(name)) {
      throw new SweepFileError(r.file, `'${name}' is not in this grid's method axis`, {
        line: layer.line,
        column: layer.column,
        key: layer.key,
      });
    }
  }
}

function readGrids(r: Reader, e: Entry, defaults: SweepLayer): SweepGrid[] {
  if (!isSeq(e.value)) r.fail(e.value, e.key, `expected a list of grids, got ${describe(e.value)}`);
  const grids = r.items(e.value, e.key).map((it, i) => readGrid(r, it.node, i, defaults));
  const seen = new Set<string>();
  for (const g of grids) {
    if (seen.has(g.name))
      throw new SweepFileError(r.file, `grid name '${g.name}' is used twice`, {
        line: g.line,
        column: g.column,
        key: `${g.key}.name`,
      });
    seen.add(g.name);
  }
  return grids;
}

/** YAML errors, and warnings other than the `!literal` tag YAML itself does not know, refuse the file. */
function refuseYamlProblems(r: Reader, doc: Document): void {
  const problem = doc.errors[0] ?? doc.warnings.find((w) => w.code !== 'TAG_RESOLVE_FAILED');
  if (!problem) return;
  const what = problem.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
  const pos = problem.linePos?.[0];
  throw new SweepFileError(r.file, `YAML: ${what}`, pos ? { line: pos.line, column: pos.col } : {});
}

export interface ParseOptions {
  /** Refuse any `plugins` key with this reason, before looking at the paths (the API: loading one runs its code). */
  refusePlugins?: string;
}

/** Parses and checks the structure of a sweep (keys, types, names that need no registry); see docs/sweeps.md. */
export function parseSweep(text: string, file: string, o: ParseOptions = {}): SweepSpec {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true });
  const r = new Reader(file, doc, lines, o);
  refuseYamlProblems(r, doc);
  if (doc.contents === null) throw new SweepFileError(file, 'empty sweep file');
  const root = doc.contents as Node;
  const top = new Map(r.entries(root, '', TOP_KEYS).map((e) => [e.name, e]));
  const need = (key: string, why: string): Entry => top.get(key) ?? r.fail(root, key, `missing (${why})`);
  const optional = <T>(key: string, read: (e: Entry) => T): T | undefined => {
    const e = top.get(key);
    return e && read(e);
  };
  const name = r.string(need('name', 'every sweep is named').value, 'name');
  const defaults =
    optional('defaults', (e) => readLayer(r, e.value, e.key, DEFAULT_KEYS).layer) ??
    emptyLayer(r, root, 'defaults');
  return {
    name,
    description: optional('description', (e) => r.string(e.value, e.key)),
    ...optionalFlag(r, top.get('keepModels')),
    file,
    text,
    defaults,
    plugins: optional('plugins', (e) => readPlugins(r, e)) ?? [],
    grids: readGrids(r, need('grids', 'a sweep needs at least one grid'), defaults),
  };
}

/** `keepModels: true|false` at the top of a sweep file. */
function optionalFlag(r: Reader, e: Entry | undefined): { keepModels?: boolean } {
  if (!e) return {};
  const v = r.scalar(e.value, e.key);
  if (typeof v !== 'boolean') r.fail(e.value, e.key, `must be true or false, got ${JSON.stringify(v)}`);
  return { keepModels: v };
}

/** Reads a sweep file and checks its structure; see parseSweep. */
export function loadSweepFile(path: string): SweepSpec {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new SweepFileError(path, `cannot read the file: ${(e as Error).message}`);
  }
  return parseSweep(text, path);
}

/** Loads (and registers) every outside plugin module the sweep names, so that its methods resolve. */
export async function loadSweepPlugins(spec: SweepSpec): Promise<void> {
  for (const p of [...spec.plugins, ...spec.grids.flatMap((g) => g.plugins)]) {
    try {
      await loadPluginModules([p.value]);
    } catch (e) {
      throw new SweepFileError(spec.file, (e as Error).message, p);
    }
  }
}

// ---------------------------------------------------------------- expansion

/** A cell before validation, with the written value behind each of its fields. */
interface Draft {
  input: Record<string, unknown>;
  sources: Map<string, Located<unknown>>;
  grid: SweepGrid;
}

/** Cartesian product in order: the first axis varies slowest. */
function product(axes: Axis[]): Located<unknown>[][] {
  let out: Located<unknown>[][] = [[]];
  for (const axis of axes) out = out.flatMap((prefix) => axis.values.map((v) => [...prefix, v]));
  return out;
}

const RELEASE_OF: Record<string, string> = Object.fromEntries(
  RELEASE_NAMES.map((n) => [`synthetic-${n}`, n]),
);

function protocolOptionAxes(layers: (SweepLayer | undefined)[]): Axis[] {
  const merged: Record<string, Axis> = {};
  for (const layer of layers) Object.assign(merged, layer?.protocolOptions);
  return Object.values(merged);
}

function buildDraft(
  grid: SweepGrid,
  picks: Located<unknown>[],
  axes: Axis[],
  extras: { folds?: Located<string[]>; plugins: string[] },
  real: boolean,
): Draft {
  const input: Record<string, unknown> = {};
  const sources = new Map<string, Located<unknown>>();
  const method = picks[axes.findIndex((a) => a.target === 'method')].value as string;
  // Reference methods have no direction: leaving it out lets their cells from either direction coincide.
  const reference = (REFERENCE_METHODS as readonly string[]).includes(method);
  picks.forEach((pick, i) => {
    const [head, sub] = axes[i].target.split('.');
    if (reference && head === 'direction') return;
    const value = real && head === 'dataset' ? (RELEASE_OF[pick.value as string] ?? pick.value) : pick.value;
    input[head] = sub ? { ...(input[head] as object), [sub]: value } : value;
    sources.set(axes[i].target, pick);
  });
  if (extras.folds) {
    input.folds = extras.folds.value;
    sources.set('folds', extras.folds);
  }
  if (extras.plugins.length) input.plugins = extras.plugins;
  return { input, sources, grid };
}

function gridDrafts(spec: SweepSpec, grid: SweepGrid, real: boolean): Draft[] {
  const axisOf = (f: AxisField, layer?: SweepLayer) =>
    layer?.axes[f] ?? grid.axes[f] ?? spec.defaults.axes[f];
  const outer = OUTER_AXES.map((f) => axisOf(f)).filter((a): a is Axis => a !== undefined);
  const plugins = [...new Set([...spec.plugins, ...grid.plugins].map((p) => p.value))];
  return product(outer).flatMap((head) => {
    const method = head[head.length - 1].value as string;
    const layer = grid.methods[method];
    const inner = [
      ...INNER_AXES.map((f) => axisOf(f, layer)).filter((a): a is Axis => a !== undefined),
      ...protocolOptionAxes([spec.defaults, grid, layer]),
      ...Object.values(layer?.options ?? {}),
    ];
    const axes = [...outer, ...inner];
    const folds = layer?.folds ?? grid.folds;
    return product(inner).map((tail) => buildDraft(grid, [...head, ...tail], axes, { folds, plugins }, real));
  });
}

/**
 * The written value a ConfigError is about: the one at its key path in the run input (or at the
 * nearest ancestor written in the file: `options.lr` for `['options', 'lr', 'max']`), else at one of
 * its related keys (`epochs` when `warmupEpochs` exceeds it but was not written). None: its grid.
 */
function blame(draft: Draft, at: UserErrorLocation): Located<unknown> | undefined {
  const paths = at.key ? [at.key, ...(at.related ?? [])] : (at.related ?? []);
  for (const path of paths) {
    for (let n = path.length; n > 0; n--) {
      const hit = draft.sources.get(path.slice(0, n).join('.'));
      if (hit) return hit;
    }
  }
  return undefined;
}

function resolveDraft(spec: SweepSpec, draft: Draft): RunConfig {
  try {
    return resolveRun(draft.input as RunInput);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    const unknownMethod = e.location.key?.length === 1 && e.location.key[0] === 'method';
    const hint = unknownMethod && draft.input.plugins ? " (were the sweep's plugins loaded? see loadSweepPlugins)" : '';
    const at = blame(draft, e.location) ?? draft.grid;
    throw new SweepFileError(spec.file, `${e.message}${hint}`, at);
  }
}

/** A cell's identity: what its folds are stored under (after every default), plus the folds it asks for. */
function cellIdentity(config: RunConfig): string {
  return canonicalJson({ ...foldIdentity(config, '*'), folds: config.folds });
}

/** The most cells a sweep may expand to: a bigger one is refused before it is expanded. */
export const MAX_SWEEP_CELLS = 100_000;

/** How many cells a sweep's grids multiply out to (before identical cells are merged), and along which axes. */
export interface CellCount {
  cells: number;
  /** Every axis with more than one value, as `key (n values)`, largest first. */
  axes: { key: string; values: number }[];
}

/**
 * Counts the cells without building any: per grid, the product of its outer axes but the method,
 * times the sum over its methods of the product of that method's inner axes. Microseconds for any
 * file (a YAML anchor can join axes of a 400-byte file into 64,000 cells; expanding those takes
 * seconds and hundreds of megabytes).
 */
export function countSweepCells(spec: SweepSpec): CellCount {
  let cells = 0;
  const axes = new Map<string, number>();
  const note = (a: Axis) => {
    if (a.values.length > 1) axes.set(a.key, a.values.length);
  };
  for (const grid of spec.grids) {
    const axisOf = (f: AxisField, layer?: SweepLayer) => layer?.axes[f] ?? grid.axes[f] ?? spec.defaults.axes[f];
    const outer = OUTER_AXES.filter((f) => f !== 'method')
      .map((f) => axisOf(f))
      .filter((a): a is Axis => a !== undefined);
    outer.forEach(note);
    const head = outer.reduce((n, a) => n * a.values.length, 1);
    const methodAxis = axisOf('method');
    if (methodAxis) note(methodAxis);
    let perHead = 0;
    for (const m of methodAxis?.values ?? []) {
      const layer = grid.methods[m.value as string];
      const inner = [
        ...INNER_AXES.map((f) => axisOf(f, layer)).filter((a): a is Axis => a !== undefined),
        ...protocolOptionAxes([spec.defaults, grid, layer]),
        ...Object.values(layer?.options ?? {}),
      ];
      inner.forEach(note);
      perHead += inner.reduce((n, a) => n * a.values.length, 1);
    }
    cells += head * perHead;
  }
  return { cells, axes: [...axes].map(([key, values]) => ({ key, values })).sort((a, b) => b.values - a.values) };
}

/** Refuses a sweep of more than MAX_SWEEP_CELLS cells, naming the count and the axes that multiply. */
export function checkSweepSize(spec: SweepSpec, max = MAX_SWEEP_CELLS): CellCount {
  const count = countSweepCells(spec);
  if (count.cells > max) {
    const axes = count.axes.map((a) => `${a.key} (${a.values})`).join(' × ');
    throw new SweepFileError(
      spec.file,
      `the sweep expands to ${count.cells.toLocaleString('en-US')} cells, more than the limit of ${max.toLocaleString('en-US')}; its axes: ${axes}. Split it into several sweeps or give fewer values.`,
    );
  }
  return count;
}

/**
 * The sweep's cells in file order, each validated with resolveRun, identical cells (same identity
 * after defaults; reference methods have no direction) kept once, at their first place. A sweep of
 * more than MAX_SWEEP_CELLS cells is refused before any is built.
 */
export function expandSweepCells(spec: SweepSpec, o: ExpandOptions = {}): SweepCell[] {
  checkSweepSize(spec);
  loadBuiltins();
  const cells = new Map<string, SweepCell>();
  for (const grid of spec.grids) {
    for (const draft of gridDrafts(spec, grid, o.real ?? false)) {
      const id = cellIdentity(resolveDraft(spec, draft));
      const seen = cells.get(id);
      if (!seen) cells.set(id, { input: draft.input as RunInput, grids: [grid.name] });
      else if (!seen.grids.includes(grid.name)) seen.grids.push(grid.name);
    }
  }
  return [...cells.values()];
}

/** The sweep's cells (see expandSweepCells). */
export function expandSweep(spec: SweepSpec, o: ExpandOptions = {}): RunInput[] {
  return expandSweepCells(spec, o).map((c) => c.input);
}
