import { describe, expect, it } from 'vitest';
import { hms, niceAxis, scale, shortDuration, stack, totalsBy } from './chart';

describe('niceAxis', () => {
  it('covers the largest value with nice steps', () => {
    expect(niceAxis(87)).toEqual({ max: 100, step: 25, ticks: [0, 25, 50, 75, 100] });
    expect(niceAxis(1000)).toEqual({ max: 1000, step: 250, ticks: [0, 250, 500, 750, 1000] });
    expect(niceAxis(7)).toEqual({ max: 8, step: 2, ticks: [0, 2, 4, 6, 8] });
    expect(niceAxis(0.3)).toEqual({ max: 0.3, step: 0.1, ticks: [0, 0.1, 0.2, 0.3] });
  });
  it('gives whole steps for counts', () => {
    const a = niceAxis(3, 4, true);
    expect(a.step).toBe(1);
    expect(a.ticks).toEqual([0, 1, 2, 3]);
  });
  it('survives empty and odd data', () => {
    expect(niceAxis(0)).toEqual({ max: 1, step: 1, ticks: [0, 1] });
    expect(niceAxis(-5).max).toBe(1);
    expect(niceAxis(Number.NaN).max).toBe(1);
  });
  it('never has more than maxTicks steps', () => {
    for (const v of [1, 9, 11, 99, 101, 12345, 3.3e6]) {
      const a = niceAxis(v);
      expect(a.max).toBeGreaterThanOrEqual(v);
      expect(a.ticks.length - 1).toBeLessThanOrEqual(4);
    }
  });
});

describe('bars', () => {
  const axis = niceAxis(100);
  it('scales and clamps', () => {
    expect(scale(50, axis, 300)).toBe(150);
    expect(scale(200, axis, 300)).toBe(300);
    expect(scale(-1, axis, 300)).toBe(0);
  });
  it('stacks series end to end, skipping zeros', () => {
    expect(stack([10, 0, 30], axis, 200)).toEqual([
      { series: 0, start: 0, length: 20, value: 10 },
      { series: 2, start: 20, length: 60, value: 30 },
    ]);
  });
});

describe('formats', () => {
  it('writes durations as the product does', () => {
    expect(hms(0)).toBe('00:00:00');
    expect(hms(3723000)).toBe('01:02:03');
    expect(hms(143 * 3600000 + 24 * 60000 + 6000)).toBe('143:24:06');
    expect(hms(null)).toBe('');
    expect(shortDuration(45000)).toBe('45 s');
    expect(shortDuration(90 * 60000)).toBe('1.5 h');
  });
  it('totals per key, largest first', () => {
    const rows = [
      { a: 1, n: 'ann', d: 10 },
      { a: 2, n: 'bob', d: 5 },
      { a: 1, n: 'ann', d: 7 },
      { a: null, n: '?', d: 99 },
    ];
    expect(totalsBy(rows, (r) => r.a, (r) => r.n, (r) => r.d)).toEqual([
      { key: '1', label: 'ann', total: 17 },
      { key: '2', label: 'bob', total: 5 },
    ]);
  });
});
