import { Table } from './ui';
import { t } from './i18n';

export interface Series {
  name: string;
  /** A class from styles.css (`store`, `online`, ...): colour is never the only cue, the legend and table say the same. */
  tone: string;
  values: number[];
}

/**
 * Grouped bar chart in SVG: no canvas, so every bar is an element with its value (`data-value`)
 * and a title, and the same figures follow in a table for screen readers and for checking.
 */
export function BarChart(props: { title: string; id: string; labels: string[]; series: Series[]; format: (n: number) => string; height?: number }) {
  const height = props.height ?? 180;
  const max = Math.max(1, ...props.series.flatMap((s) => s.values.map((v) => Math.abs(v))));
  const groupWidth = 100 / Math.max(1, props.labels.length);
  const barWidth = (groupWidth * 0.8) / Math.max(1, props.series.length);
  return (
    <figure class="chart" id={props.id} aria-labelledby={`${props.id}-title`}>
      <figcaption id={`${props.id}-title`} class="visually-hidden">
        {props.title}
      </figcaption>
      <ul class="legend">
        {props.series.map((s) => (
          <li key={s.name}>
            <span class={`swatch ${s.tone}`} aria-hidden="true" />
            {s.name}
          </li>
        ))}
      </ul>
      <svg viewBox={`0 0 100 ${height / 2}`} preserveAspectRatio="none" role="img" aria-label={props.title} height={height}>
        {props.labels.map((label, g) =>
          props.series.map((s, i) => {
            const value = s.values[g] ?? 0;
            const h = (Math.max(0, value) / max) * (height / 2 - 2);
            return (
              <rect
                key={`${label}-${s.name}`}
                class={`bar ${s.tone}`}
                data-series={s.name}
                data-label={label}
                data-value={value}
                x={g * groupWidth + groupWidth * 0.1 + i * barWidth}
                y={height / 2 - h}
                width={barWidth}
                height={h}
              >
                <title>{`${label} · ${s.name}: ${props.format(value)}`}</title>
              </rect>
            );
          }),
        )}
      </svg>
      <div class="axis" aria-hidden="true">
        {props.labels.map((label) => (
          <span key={label}>{label}</span>
        ))}
      </div>
      <details>
        <summary>{t('chartTable')}</summary>
        <Table
          caption={props.title}
          captionHidden
          head={['', ...props.series.map((s) => s.name)]}
          numeric={props.series.map((_, i) => i + 1)}
          rows={props.labels.map((label, g) => [label, ...props.series.map((s) => props.format(s.values[g] ?? 0))])}
        />
      </details>
    </figure>
  );
}
