'use client';

export interface Option {
  value: string;
  label: string;
}

/**
 * A labelled select bound to one URL parameter. It always shows the URL's value: one that none of
 * the options has (a link to values this store has no folds of) is shown as such, never replaced
 * on screen by the first option.
 */
export function Select(props: {
  name: string;
  label: string;
  value: string | undefined;
  options: Option[];
  onChange: (v: string | undefined) => void;
  allowAll?: string;
}) {
  return (
    <label className="filter">
      <span>{props.label}</span>
      <select
        name={props.name}
        data-testid={`filter-${props.name}`}
        value={props.value ?? ''}
        onChange={(e) => props.onChange(e.target.value || undefined)}
      >
        {props.allowAll !== undefined && <option value="">{props.allowAll}</option>}
        {props.value !== undefined && !props.options.some((o) => o.value === props.value) && (
          <option value={props.value}>{props.value} (no folds)</option>
        )}
        {props.options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </label>
  );
}
