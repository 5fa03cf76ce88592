/** Tiny inline SVG charts: enough for reports, a few hundred bytes instead of a chart library. */

export interface BarDatum {
  label: string;
  value: number;
  /** Text shown for the value (formatted money, a percentage…). */
  display?: string;
  /** Where a click on the row leads (the audit filtered to it). */
  href?: string;
}

/** Horizontal bars, one row each: readable labels of any length, no axis needed. */
export function BarList({ data, label, max }: { data: BarDatum[]; label: string; max?: number }) {
  const top = max ?? Math.max(1, ...data.map((d) => d.value));
  return (
    <ul className="barlist" aria-label={label}>
      {data.map((d) => (
        <li key={d.label}>
          {d.href ? (
            <a className="barlist-label" href={d.href} title={`${d.label}: open in the audit`}>
              {d.label}
            </a>
          ) : (
            <span className="barlist-label" title={d.label}>
              {d.label}
            </span>
          )}
          <span className="barlist-track" aria-hidden="true">
            <span className="barlist-fill" style={{ width: `${Math.max(1, (d.value / top) * 100)}%` }} />
          </span>
          <span className="barlist-value">{d.display ?? d.value}</span>
        </li>
      ))}
    </ul>
  );
}

/** Vertical columns over time (e.g. spend per day) with a hover title per column. */
export function ColumnChart({ data, label, height = 140 }: { data: BarDatum[]; label: string; height?: number }) {
  const width = Math.max(240, data.length * 18);
  const top = Math.max(1, ...data.map((d) => d.value));
  const bw = width / Math.max(1, data.length);
  return (
    <svg className="chart" role="img" aria-label={label} viewBox={`-14 0 ${width + 28} ${height + 18}`}>
      <line x1="0" x2={width} y1={height} y2={height} className="chart-axis" />
      {data.map((d, i) => {
        const h = (d.value / top) * (height - 4);
        return (
          <g key={d.label}>
            <rect x={i * bw + bw * 0.15} width={bw * 0.7} y={height - h} height={Math.max(h, d.value > 0 ? 1 : 0)} className="chart-bar">
              <title>{`${d.label}: ${d.display ?? d.value}`}</title>
            </rect>
            {data.length <= 16 || i % Math.ceil(data.length / 8) === 0 ? (
              <text x={i * bw + bw / 2} y={height + 13} textAnchor="middle" className="chart-tick">
                {d.label.slice(5)}
              </text>
            ) : null}
          </g>
        );
      })}
    </svg>
  );
}

/** A ring showing one ratio (approval rate, gated share). */
export function Ring({ ratio, label, caption }: { ratio: number; label: string; caption: string }) {
  const r = 28;
  const c = 2 * Math.PI * r;
  const safe = Number.isFinite(ratio) ? Math.min(1, Math.max(0, ratio)) : 0;
  return (
    <figure className="ring">
      <svg viewBox="0 0 72 72" role="img" aria-label={`${label}: ${caption}`}>
        <circle cx="36" cy="36" r={r} className="ring-track" />
        <circle
          cx="36"
          cy="36"
          r={r}
          className="ring-fill"
          strokeDasharray={`${safe * c} ${c}`}
          transform="rotate(-90 36 36)"
        />
        <text x="36" y="40" textAnchor="middle" className="ring-text">
          {caption}
        </text>
      </svg>
      <figcaption>{label}</figcaption>
    </figure>
  );
}

export interface StackSeries {
  label: string;
  /** One value per column, aligned with `columns`. */
  values: number[];
}

/** Stacked columns over time (spend per day, one colour per agent) with a legend. */
export function StackedColumns({
  columns,
  series,
  label,
  format,
  tick = (col) => col.slice(5),
  height = 160,
}: {
  columns: string[];
  series: StackSeries[];
  label: string;
  format(v: number): string;
  /** The axis label of a column; default drops the year of a `YYYY-MM-DD` key. */
  tick?(col: string): string;
  height?: number;
}) {
  const width = Math.max(300, columns.length * 22);
  const totals = columns.map((_, i) => series.reduce((s, x) => s + (x.values[i] ?? 0), 0));
  const top = Math.max(1, ...totals);
  const bw = width / Math.max(1, columns.length);
  const every = Math.ceil(columns.length / 10);
  return (
    <figure className="stacked">
      <svg className="chart" role="img" aria-label={label} viewBox={`-14 0 ${width + 28} ${height + 18}`}>
        <line x1="0" x2={width} y1={height} y2={height} className="chart-axis" />
        {columns.map((col, i) => {
          let y = height;
          return (
            <g key={col}>
              {series.map((s, si) => {
                const v = s.values[i] ?? 0;
                if (!v) return null;
                const h = (v / top) * (height - 4);
                y -= h;
                return (
                  <rect key={s.label} x={i * bw + bw * 0.15} width={bw * 0.7} y={y} height={Math.max(h, 1)} className={`series-${si % 6}`}>
                    <title>{`${col} · ${s.label}: ${format(v)}`}</title>
                  </rect>
                );
              })}
              {i % every === 0 ? (
                <text x={i * bw + bw / 2} y={height + 13} textAnchor="middle" className="chart-tick">
                  {tick(col)}
                </text>
              ) : null}
            </g>
          );
        })}
      </svg>
      <figcaption className="legend">
        {series.map((s, si) => (
          <span key={s.label}>
            <span className={`swatch series-${si % 6}`} aria-hidden="true" />
            {s.label} <span className="muted">{format(s.values.reduce((a, b) => a + b, 0))}</span>
          </span>
        ))}
      </figcaption>
    </figure>
  );
}
