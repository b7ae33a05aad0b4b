/**
 * Small self-contained SVG charts for report.html (no scripts, no external assets): lines over dates,
 * vertical bars (one per period) and horizontal bars (ranked names). Text is escaped; non-finite
 * values are gaps.
 */

export interface LineSeries {
  name: string;
  values: readonly number[];
  color: string;
  /** Fill between the line and zero (drawdowns). */
  area?: boolean;
}

const W = 760;
const H = 260;
const M = { left: 58, right: 12, top: 26, bottom: 34 };

export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function extent(values: Iterable<number>): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (lo === Infinity) return [0, 1];
  if (lo > 0) lo = 0;
  if (hi < 0) hi = 0;
  if (hi === lo) hi = lo + 1;
  return [lo, hi];
}

/** Round tick values covering [lo, hi]. */
function ticks(lo: number, hi: number, count = 5): number[] {
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((k) => k * mag).find((s) => s >= raw) ?? raw;
  const out: number[] = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) out.push(Math.abs(t) < step * 1e-9 ? 0 : t);
  return out;
}

export type Format = (v: number) => string;
export const percent: Format = (v) => `${(v * 100).toFixed(Math.abs(v) < 0.1 ? 1 : 0)}%`;
export const plain: Format = (v) => (Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 1 ? v.toFixed(1) : v.toFixed(3));

function frame(title: string, yTicks: number[], y: (v: number) => number, format: Format, body: string, legend: string, xLabels: string): string {
  const grid = yTicks
    .map((t) => `<line x1="${M.left}" x2="${W - M.right}" y1="${y(t).toFixed(1)}" y2="${y(t).toFixed(1)}" stroke="${t === 0 ? '#888' : '#e3e3e3'}"/><text x="${M.left - 6}" y="${(y(t) + 4).toFixed(1)}" text-anchor="end">${escapeXml(format(t))}</text>`)
    .join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" font-family="sans-serif" font-size="11" role="img" aria-label="${escapeXml(title)}"><title>${escapeXml(title)}</title><text x="${M.left}" y="16" font-size="13" font-weight="bold">${escapeXml(title)}</text>${grid}${body}${xLabels}${legend}</svg>`;
}

/** Date labels at about six evenly spaced points. */
function dateLabels(dates: readonly string[], x: (i: number) => number): string {
  if (dates.length === 0) return '';
  const every = Math.max(1, Math.ceil(dates.length / 6));
  let out = '';
  for (let i = 0; i < dates.length; i += every) out += `<text x="${x(i).toFixed(1)}" y="${H - M.bottom + 16}" text-anchor="middle">${escapeXml(dates[i] as string)}</text>`;
  return out;
}

/** Lines (and areas) over a shared date axis. */
export function lineChart(title: string, dates: readonly string[], series: readonly LineSeries[], format: Format = percent): string {
  const [lo, hi] = extent(series.flatMap((s) => s.values));
  const n = Math.max(1, dates.length - 1);
  const x = (i: number) => M.left + (i / n) * (W - M.left - M.right);
  const y = (v: number) => M.top + ((hi - v) / (hi - lo)) * (H - M.top - M.bottom);
  let body = '';
  for (const s of series) {
    let path = '';
    let pen = false;
    s.values.forEach((v, i) => {
      if (!Number.isFinite(v)) {
        pen = false;
        return;
      }
      path += `${pen ? 'L' : 'M'}${x(i).toFixed(1)},${y(v).toFixed(1)}`;
      pen = true;
    });
    if (s.area && path !== '') body += `<path d="${path}L${x(s.values.length - 1).toFixed(1)},${y(0).toFixed(1)}L${x(0).toFixed(1)},${y(0).toFixed(1)}Z" fill="${s.color}" fill-opacity="0.25" stroke="none"/>`;
    body += `<path d="${path}" fill="none" stroke="${s.color}" stroke-width="1.4"/>`;
  }
  const legend = series.map((s, i) => `<rect x="${M.left + 10 + i * 170}" y="${M.top + 2}" width="10" height="10" fill="${s.color}"/><text x="${M.left + 24 + i * 170}" y="${M.top + 11}">${escapeXml(s.name)}</text>`).join('');
  return frame(title, ticks(lo, hi), y, format, body, legend, dateLabels(dates, x));
}

/** One vertical bar per label (e.g. monthly mean IC), positive and negative in two colours. */
export function barChart(title: string, labels: readonly string[], values: readonly number[], format: Format = plain): string {
  const [lo, hi] = extent(values);
  const slot = (W - M.left - M.right) / Math.max(1, values.length);
  const y = (v: number) => M.top + ((hi - v) / (hi - lo)) * (H - M.top - M.bottom);
  let body = '';
  values.forEach((v, i) => {
    if (!Number.isFinite(v)) return;
    const top = Math.min(y(v), y(0));
    body += `<rect x="${(M.left + i * slot + slot * 0.1).toFixed(1)}" y="${top.toFixed(1)}" width="${Math.max(0.5, slot * 0.8).toFixed(1)}" height="${Math.abs(y(v) - y(0)).toFixed(1)}" fill="${v >= 0 ? '#2b7bb9' : '#d9534f'}"><title>${escapeXml(`${labels[i]}: ${format(v)}`)}</title></rect>`;
  });
  const x = (i: number) => M.left + (i + 0.5) * slot;
  return frame(title, ticks(lo, hi), y, format, body, '', dateLabels(labels, x));
}

/** Ranked horizontal bars (feature importance), largest first. */
export function horizontalBarChart(title: string, entries: ReadonlyArray<[string, number]>, format: Format = percent): string {
  const rowH = 16;
  const left = 170;
  const height = M.top + entries.length * rowH + 10;
  const max = Math.max(1e-12, ...entries.map(([, v]) => v));
  const span = W - left - 70;
  const bars = entries
    .map(([name, v], i) => {
      const top = M.top + i * rowH;
      const w = Math.max(0, (v / max) * span);
      return `<text x="${left - 6}" y="${top + 12}" text-anchor="end">${escapeXml(name)}</text><rect x="${left}" y="${top + 2}" width="${w.toFixed(1)}" height="${rowH - 4}" fill="#2b7bb9"/><text x="${(left + w + 4).toFixed(1)}" y="${top + 12}">${escapeXml(format(v))}</text>`;
    })
    .join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${height}" width="${W}" height="${height}" font-family="sans-serif" font-size="11" role="img" aria-label="${escapeXml(title)}"><title>${escapeXml(title)}</title><text x="${M.left}" y="16" font-size="13" font-weight="bold">${escapeXml(title)}</text>${bars}</svg>`;
}
