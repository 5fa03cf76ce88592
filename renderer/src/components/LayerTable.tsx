/** Each layer of a decision with its verdict and detail. */
export function LayerTable({ layers }: { layers: { layer: string; verdict: string; detail: string }[] }) {
  return (
    <table className="table layers" aria-label="Layers">
      <tbody>
        {layers.map((l) => (
          <tr key={l.layer}>
            <th scope="row">{l.layer.replace('_', ' ')}</th>
            <td>
              <span className={`verdict verdict-${l.verdict}`}>{l.verdict}</span>
            </td>
            <td className="small">{l.detail}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
