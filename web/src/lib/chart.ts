/**
 * The arithmetic of the reports' SVG charts (ui/BarChart.tsx): a "nice" axis (1, 2, 2.5 or 5
 * times a power of ten per tick, so labels read well), bar lengths on it, and the formats of
 * the values (counts, durations as the product's HH:MM:SS). Pure functions, unit-tested.
 */

export interface Axis {
  /** The axis end (≥ the largest value; 1 tick step at least). */
  max: number;
  step: number;
  ticks: number[];
}

/**
 * An axis from 0 covering `maxValue` with at most `maxTicks` steps (4 by default) of a nice
 * size. Whole-number data (counts) gets whole steps. Empty or non-positive data gets 0–1.
 */
export function niceAxis(maxValue: number, maxTicks = 4, integer = false): Axis {
  const top = Number.isFinite(maxValue) && maxValue > 0 ? maxValue : 0;
  if (top === 0) return { max: 1, step: 1, ticks: [0, 1] };
  const raw = top / Math.max(1, maxTicks);
  const pow = 10 ** Math.floor(Math.log10(raw));
  let step = pow * 10;
  for (const m of [1, 2, 2.5, 5, 10]) {
    if (pow * m >= raw) {
      step = pow * m;
      break;
    }
  }
  if (integer) step = Math.max(1, Math.ceil(step));
  const max = Math.round(Math.ceil(top / step - 1e-9) * step * 1e9) / 1e9;
  const ticks: number[] = [];
  for (let v = 0; v <= max + step / 2; v += step) ticks.push(Math.round(v * 1e9) / 1e9);
  return { max, step, ticks };
}

/** Pixel length of `value` on an axis of `axis.max` drawn over `length` pixels (clamped). */
export function scale(value: number, axis: Axis, length: number): number {
  if (!Number.isFinite(value) || value <= 0) return 0;
  return Math.min(length, (value / axis.max) * length);
}

export interface Segment {
  series: number;
  start: number;
  length: number;
  value: number;
}

/** The segments of one stacked bar: each series' value laid end to end (zeros skipped). */
export function stack(values: readonly number[], axis: Axis, length: number): Segment[] {
  const out: Segment[] = [];
  let at = 0;
  values.forEach((v, series) => {
    const len = scale(v, axis, length);
    if (len > 0) out.push({ series, start: at, length: len, value: v });
    at += len;
  });
  return out;
}

/** The product's HH:MM:SS for a duration in ms (hours may pass 24); "" for null. */
export function hms(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms) || ms < 0) return '';
  const s = Math.round(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(h)}:${two(m)}:${two(s % 60)}`;
}

/** A short axis label for a duration in ms: "45 s", "12 min", "3.5 h". */
export function shortDuration(ms: number): string {
  if (ms < 60000) return `${Math.round(ms / 1000)} s`;
  if (ms < 3600000) return `${Math.round((ms / 60000) * 10) / 10} min`;
  return `${Math.round((ms / 3600000) * 10) / 10} h`;
}

/** Sums `value(row)` per `key(row)`, keeping the first label seen; largest first. */
export function totalsBy<T>(rows: readonly T[], key: (r: T) => string | number | null, label: (r: T) => string, value: (r: T) => number): { key: string; label: string; total: number }[] {
  const m = new Map<string, { key: string; label: string; total: number }>();
  for (const r of rows) {
    const k = key(r);
    if (k === null) continue;
    const id = String(k);
    const v = value(r);
    const e = m.get(id) ?? { key: id, label: label(r), total: 0 };
    e.total += Number.isFinite(v) ? v : 0;
    m.set(id, e);
  }
  return [...m.values()].sort((a, b) => b.total - a.total || a.label.localeCompare(b.label));
}
