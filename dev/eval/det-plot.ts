import sharp from 'sharp';
import { detCurve, type PairOutcome } from './verification-metrics.js';

const COLOURS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b', '#e377c2', '#17becf'];
const W = 760, H = 560, M = { left: 70, right: 230, top: 30, bottom: 60 };

/** A DET plot (false match rate vs false non-match rate, both on log axes) of several sets, as PNG bytes. */
export async function detPng(series: { name: string; outcomes: readonly PairOutcome[] }[], threshold: number): Promise<Buffer> {
  const floor = 1e-4;
  const lx = (v: number) => M.left + ((Math.log10(Math.max(v, floor)) + 4) / 4) * (W - M.left - M.right);
  const ly = (v: number) => H - M.bottom - ((Math.log10(Math.max(v, floor)) + 4) / 4) * (H - M.top - M.bottom);
  const parts: string[] = [`<rect width="${W}" height="${H}" fill="white"/>`];
  for (const decade of [1e-4, 1e-3, 1e-2, 1e-1, 1]) {
    parts.push(`<line x1="${lx(decade)}" y1="${M.top}" x2="${lx(decade)}" y2="${H - M.bottom}" stroke="#ddd"/>`);
    parts.push(`<line x1="${M.left}" y1="${ly(decade)}" x2="${W - M.right}" y2="${ly(decade)}" stroke="#ddd"/>`);
    parts.push(`<text x="${lx(decade)}" y="${H - M.bottom + 18}" font-size="12" text-anchor="middle" font-family="sans-serif">${decade}</text>`);
    parts.push(`<text x="${M.left - 8}" y="${ly(decade) + 4}" font-size="12" text-anchor="end" font-family="sans-serif">${decade}</text>`);
  }
  parts.push(`<text x="${(M.left + W - M.right) / 2}" y="${H - 15}" font-size="13" text-anchor="middle" font-family="sans-serif">false match rate (impostor pairs accepted; 0 drawn at 1e-4)</text>`);
  parts.push(`<text x="18" y="${(M.top + H - M.bottom) / 2}" font-size="13" text-anchor="middle" font-family="sans-serif" transform="rotate(-90 18 ${(M.top + H - M.bottom) / 2})">false non-match rate (genuine pairs refused or below threshold)</text>`);
  series.forEach(({ name, outcomes }, i) => {
    const colour = COLOURS[i % COLOURS.length]!;
    const points = detCurve(outcomes).map((p) => `${lx(p.far).toFixed(1)},${ly(p.frr).toFixed(1)}`);
    parts.push(`<polyline fill="none" stroke="${colour}" stroke-width="2" points="${points.join(' ')}"/>`);
    // The operating point at the service's threshold.
    const at = detCurve(outcomes).find((p) => p.threshold >= threshold);
    if (at) parts.push(`<circle cx="${lx(at.far)}" cy="${ly(at.frr)}" r="4" fill="${colour}"/>`);
    parts.push(`<rect x="${W - M.right + 15}" y="${M.top + i * 22}" width="14" height="4" fill="${colour}"/><text x="${W - M.right + 35}" y="${M.top + i * 22 + 6}" font-size="12" font-family="sans-serif">${escape(name)}</text>`);
  });
  parts.push(`<text x="${W - M.right + 15}" y="${M.top + series.length * 22 + 16}" font-size="11" font-family="sans-serif">dot: threshold ${threshold}</text>`);
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}">${parts.join('')}</svg>`;
  return sharp(Buffer.from(svg)).png().toBuffer();
}

const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

/** Genuine and impostor score histograms (all sets together) with the threshold, as PNG bytes. */
export async function scoresPng(genuine: readonly number[], impostor: readonly number[], threshold: number): Promise<Buffer> {
  const lo = -0.4, hi = 1, bins = 70;
  const count = (xs: readonly number[]) => {
    const out = new Array<number>(bins).fill(0);
    for (const x of xs) out[Math.min(bins - 1, Math.max(0, Math.floor(((x - lo) / (hi - lo)) * bins)))]! += 1;
    return out.map((c) => c / Math.max(1, xs.length));
  };
  const g = count(genuine), i = count(impostor);
  const peak = Math.max(...g, ...i);
  const left = 60, right = W - 200, top = M.top, bottom = H - M.bottom;
  const x = (v: number) => left + ((v - lo) / (hi - lo)) * (right - left);
  const y = (f: number) => bottom - (f / peak) * (bottom - top);
  const bars = (fractions: number[], colour: string) =>
    fractions.map((f, k) => `<rect x="${x(lo + (k * (hi - lo)) / bins).toFixed(1)}" y="${y(f).toFixed(1)}" width="${((right - left) / bins - 1).toFixed(1)}" height="${(bottom - y(f)).toFixed(1)}" fill="${colour}" fill-opacity="0.6"/>`).join('');
  const parts = [
    `<rect width="${W}" height="${H}" fill="white"/>`,
    bars(i, '#d62728'),
    bars(g, '#1f77b4'),
    `<line x1="${x(threshold)}" y1="${top}" x2="${x(threshold)}" y2="${bottom}" stroke="black" stroke-dasharray="4 3"/>`,
    `<text x="${x(threshold) + 4}" y="${top + 12}" font-size="12" font-family="sans-serif">threshold ${threshold}</text>`,
    `<line x1="${left}" y1="${bottom}" x2="${right}" y2="${bottom}" stroke="#333"/>`,
    ...[-0.4, -0.2, 0, 0.2, 0.4, 0.6, 0.8, 1].map((v) => `<text x="${x(v)}" y="${bottom + 18}" font-size="12" text-anchor="middle" font-family="sans-serif">${v}</text>`),
    `<text x="${(left + right) / 2}" y="${H - 15}" font-size="13" text-anchor="middle" font-family="sans-serif">similarity (share of each kind's pairs per bin)</text>`,
    `<rect x="${right + 20}" y="${top}" width="14" height="10" fill="#1f77b4" fill-opacity="0.6"/><text x="${right + 40}" y="${top + 10}" font-size="12" font-family="sans-serif">genuine (${genuine.length})</text>`,
    `<rect x="${right + 20}" y="${top + 22}" width="14" height="10" fill="#d62728" fill-opacity="0.6"/><text x="${right + 40}" y="${top + 32}" font-size="12" font-family="sans-serif">impostor (${impostor.length})</text>`,
  ];
  return sharp(Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}">${parts.join('')}</svg>`)).png().toBuffer();
}
