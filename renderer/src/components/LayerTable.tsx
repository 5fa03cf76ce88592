/** One simple command of a shell command line (or a file it redirects to) and its own verdict. */
export interface CommandRow {
  text: string;
  verdict: string;
  detail: string;
  grant_id?: string;
}

interface LayerRow {
  layer: string;
  verdict: string;
  detail: string;
  commands?: CommandRow[];
}

/** Each layer of a decision with its verdict and detail; a shell command's parts under its guardrails row. */
export function LayerTable({ layers }: { layers: LayerRow[] }) {
  return (
    <table className="table layers" aria-label="Layers">
      <tbody>
        {layers.map((l) => (
          <LayerRows key={l.layer} layer={l} />
        ))}
      </tbody>
    </table>
  );
}

function LayerRows({ layer: l }: { layer: LayerRow }) {
  return (
    <>
      <tr>
        <th scope="row">{l.layer.replaceAll('_', ' ')}</th>
        <td>
          <span className={`verdict verdict-${l.verdict}`}>{l.verdict}</span>
        </td>
        <td className="small">{l.detail}</td>
      </tr>
      {l.commands?.map((c, i) => (
        <tr key={`${l.layer}-${i}`} className="layer-command">
          <th scope="row" className="small" aria-label={`part ${i + 1} of the command`}>
            ↳
          </th>
          <td>
            <span className={`verdict verdict-${c.verdict}`}>{c.verdict}</span>
          </td>
          <td className="small">
            <code>{c.text}</code>
            <span className="layer-command-detail">{c.detail}</span>
          </td>
        </tr>
      ))}
    </>
  );
}
