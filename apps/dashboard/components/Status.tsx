/** Loading and error states, the same on every page. */
export function Status(props: {
  loading: boolean;
  error: string | null;
  empty?: boolean;
  emptyText?: string;
}) {
  if (props.error)
    return (
      <p className="error" role="alert">
        Could not load: {props.error}
      </p>
    );
  if (props.loading) return <p className="muted">Loading…</p>;
  if (props.empty) return <p className="muted">{props.emptyText ?? 'Nothing to show.'}</p>;
  return null;
}
