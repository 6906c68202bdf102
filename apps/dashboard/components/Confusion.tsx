/** A confusion matrix, confusion[true][predicted], shaded by count. */
export function Confusion(props: { matrix: number[][]; classes: string[]; testId?: string }) {
  const max = Math.max(1, ...props.matrix.flat());
  return (
    <table className="confusion" data-testid={props.testId ?? 'confusion'}>
      <thead>
        <tr>
          <th>true ↓ / predicted →</th>
          {props.classes.map((c) => (
            <th key={c}>{c}</th>
          ))}
        </tr>
      </thead>
      <tbody>
        {props.matrix.map((row, i) => (
          <tr key={props.classes[i]}>
            <th scope="row">{props.classes[i]}</th>
            {row.map((v, j) => (
              <td
                key={props.classes[j]}
                style={{
                  background: `rgba(36, 83, 166, ${(0.85 * v) / max})`,
                  color: v / max > 0.55 ? '#fff' : undefined,
                }}
              >
                {v}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
