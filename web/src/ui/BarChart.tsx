import { useId } from 'preact/hooks';
import { niceAxis, stack } from '../lib/chart';

export interface BarSeries {
  label: string;
  /** A token name suffix: the bar uses the CSS class chart__bar--<tone>. */
  tone: 'accepted' | 'timeout' | 'abandoned' | 'waiting' | 'primary';
}

export interface BarChartProps {
  /** The chart's title (visible caption and the SVG's accessible name). */
  title: string;
  series: BarSeries[];
  /** One bar per row: its label and one value per series (stacked). */
  rows: { label: string; values: number[] }[];
  /** Formats values for the axis and the bar tooltips (counts by default). */
  format?: (v: number) => string;
  integer?: boolean;
  /** Bars shown at most (the largest first is the caller's order); the rest are counted. */
  limit?: number;
}

const WIDTH = 520;
const LABEL = 140;
const BAR = 22;
const GAP = 10;
const AXIS = 26;

/**
 * A horizontal stacked bar chart in plain SVG (no library): one bar per row, a nice axis
 * from 0, a legend, and a text summary for screen readers (role=img with a description
 * listing every bar's values). Colours come from the design tokens.
 */
export function BarChart({ title, series, rows, format = (v) => String(v), integer = false, limit = 12 }: BarChartProps) {
  const id = useId();
  const shown = rows.slice(0, limit);
  const totals = shown.map((r) => r.values.reduce((a, b) => a + (Number.isFinite(b) ? b : 0), 0));
  const axis = niceAxis(Math.max(0, ...totals), 4, integer);
  const plot = WIDTH - LABEL - 16;
  const height = shown.length * (BAR + GAP) + AXIS + GAP;
  const summary = shown.map((r) => `${r.label}: ${r.values.map((v, i) => `${series[i]?.label ?? ''} ${format(v)}`).join(', ')}`).join('; ');
  return (
    <figure class="chart" aria-labelledby={`${id}-title`}>
      <figcaption class="chart__title" id={`${id}-title`}>
        {title}
      </figcaption>
      {shown.length === 0 ? (
        <p class="muted">No data in this period.</p>
      ) : (
        <svg class="chart__svg" viewBox={`0 0 ${WIDTH} ${height}`} role="img" aria-labelledby={`${id}-title ${id}-desc`} preserveAspectRatio="xMinYMin meet">
          <desc id={`${id}-desc`}>{summary}</desc>
          {axis.ticks.map((t) => {
            const x = LABEL + (t / axis.max) * plot;
            return (
              <g key={t} class="chart__tick">
                <line x1={x} x2={x} y1={0} y2={height - AXIS} />
                <text x={x} y={height - 6} text-anchor="middle">
                  {format(t)}
                </text>
              </g>
            );
          })}
          {shown.map((r, i) => {
            const y = i * (BAR + GAP) + GAP / 2;
            return (
              <g key={`${r.label}-${i}`}>
                <text class="chart__label" x={LABEL - 8} y={y + BAR / 2} dominant-baseline="middle" text-anchor="end">
                  {r.label.length > 16 ? `${r.label.slice(0, 15)}…` : r.label}
                </text>
                {stack(r.values, axis, plot).map((s) => (
                  <rect key={s.series} class={`chart__bar chart__bar--${series[s.series]?.tone ?? 'primary'}`} x={LABEL + s.start} y={y} width={s.length} height={BAR}>
                    <title>{`${r.label} — ${series[s.series]?.label ?? ''}: ${format(s.value)}`}</title>
                  </rect>
                ))}
              </g>
            );
          })}
        </svg>
      )}
      {series.length > 1 && shown.length > 0 && (
        <ul class="chart__legend" aria-hidden="true">
          {series.map((s) => (
            <li key={s.label}>
              <span class={`chart__swatch chart__bar--${s.tone}`} />
              {s.label}
            </li>
          ))}
        </ul>
      )}
      {rows.length > shown.length && <p class="muted">{rows.length - shown.length} more not drawn: see the table.</p>}
    </figure>
  );
}
