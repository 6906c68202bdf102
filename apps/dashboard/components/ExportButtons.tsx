/** Download links for a table as the API formats it (the same files `cmcrd report --format` writes). */
export function ExportButtons(props: { table: string; queryString: string }) {
  const base = `/api/tables/${props.table}${props.queryString}${props.queryString ? '&' : '?'}format=`;
  return (
    <div className="exports">
      <span>Export:</span>
      {(
        [
          ['csv', 'CSV'],
          ['latex', 'LaTeX'],
          ['md', 'Markdown'],
        ] as const
      ).map(([format, label]) => (
        <a
          key={format}
          className="button"
          data-testid={`export-${format}`}
          href={`${base}${format}`}
          download={`cmcrd-${props.table}.${format === 'latex' ? 'tex' : format}`}
        >
          {label}
        </a>
      ))}
      <a
        className="button"
        data-testid="export-bundle"
        href={`/api/report-bundle${props.queryString}`}
        download="cmcrd-report.zip"
        title="Every table in every format, one LaTeX document including them all, provenance.json and the sweep files (cmcrd report all)"
      >
        All tables (zip)
      </a>
    </div>
  );
}
