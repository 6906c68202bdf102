import type { ReportFormat, ReportTable, TableKind } from '../model.js';
import { formatCsv } from './csv.js';
import { formatJson } from './json.js';
import { formatLatex } from './latex.js';
import { formatMarkdown } from './markdown.js';
import { formatText } from './text.js';

export function formatReport(kind: TableKind, tables: readonly ReportTable[], format: ReportFormat): string {
  switch (format) {
    case 'text':
      return `${formatText(tables)}\n`;
    case 'md':
      return `${formatMarkdown(tables)}\n`;
    case 'latex':
      return `${formatLatex(tables)}\n`;
    case 'csv':
      return formatCsv(tables);
    case 'json':
      return formatJson(kind, tables);
  }
}
