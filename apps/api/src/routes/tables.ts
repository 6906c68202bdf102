import { buildReport, formatReport, paperReported, type ReportFormat, reportJson } from '@cmcrd/reports';
import { type OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import type { ApiContext } from '../context.js';
import { cached } from '../context.js';
import { type JsonValue, type Paper, PaperSchema, type Report, ReportSchema } from '../contract/index.js';
import { TableKindParam, TableQuery, errorResponse, jsonResponse } from '../schemas.js';

const CONTENT_TYPES: Record<string, string> = {
  csv: 'text/csv; charset=utf-8',
  md: 'text/markdown; charset=utf-8',
  latex: 'application/x-latex; charset=utf-8',
  text: 'text/plain; charset=utf-8',
};
const EXTENSIONS: Record<string, string> = { csv: 'csv', md: 'md', latex: 'tex', text: 'txt' };

/**
 * T with its JSON values widened to unknown, as the runner types the values it only passes along
 * (a row's variant, a setting's values): the rest of the runner's report is held to the contract
 * at compile time; those values are checked by the contract test.
 */
type Widened<T> = [JsonValue] extends [T] ? unknown : WidenedParts<T>;
type WidenedParts<T> = T extends readonly (infer E)[]
  ? Widened<E>[]
  : T extends object
    ? { [K in keyof T]: Widened<T[K]> }
    : T;

/** The paper's transcription, read and checked against the contract once. */
let paper: Paper | undefined;
const checkedPaper = (): Paper => {
  paper ??= PaperSchema.parse(paperReported());
  return paper;
};

/** The report tables (as `cmcrd report` builds them) and the paper's numbers. */
export function registerTableRoutes(app: OpenAPIHono, ctx: ApiContext): void {
  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/tables/{table}',
      summary:
        "A report table (comparison, significance, fusion, timing, ablation) with the paper's values; JSON, or a file to download with ?format=csv|md|latex|text",
      request: { params: TableKindParam, query: TableQuery },
      responses: {
        200: {
          content: {
            'application/json': { schema: ReportSchema },
            'text/csv': { schema: z.string() },
          },
          description: 'the tables (one per scope: protocol, direction, backbone, protocol options)',
        },
        400: errorResponse('a parameter is invalid'),
      },
    }),
    (c) => {
      const { table } = c.req.valid('param');
      const { format, ...q } = c.req.valid('query');
      const key = JSON.stringify([table, q]);
      const built = cached(ctx, `table:${key}`, () => buildReport(ctx.store, table, q));
      if (format === 'json') {
        // Served as text (built once per change of the store); `satisfies` keeps the runner's tables to
        // the contract's shape at compile time.
        const body = cached(ctx, `json:${key}`, () => JSON.stringify(reportJson(table, built) satisfies Widened<Report>));
        return c.body(body, 200, { 'content-type': 'application/json; charset=utf-8' });
      }
      const text = cached(ctx, `${format}:${key}`, () => formatReport(table, built, format as ReportFormat));
      return c.body(text, 200, {
        'content-type': CONTENT_TYPES[format],
        'content-disposition': `attachment; filename="cmcrd-${table}.${EXTENSIONS[format]}"`,
      });
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/paper',
      summary:
        "The paper's Tables 1–7 as transcribed, with source lines, illegible cells and inconsistencies",
      responses: {
        200: jsonResponse(PaperSchema, 'the transcription'),
      },
    }),
    (c) => c.json(checkedPaper(), 200),
  );
}
