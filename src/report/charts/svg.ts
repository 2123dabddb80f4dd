/**
 * The few SVG pieces every chart shares. Charts are strings built by hand (no dependency) so the
 * bytes are the same on every machine: coordinates go through `fx`, never through a float's
 * default formatting, and no clock, locale or random id is involved. Words come from the catalog
 * in the language each chart function is given (English when none is).
 */
import type { Lang } from '../../i18n/lang.js';

/** XML text and attribute escaping: chart labels can carry bundle text (service names, metrics). */
export function esc(s: unknown): string {
  return String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** A coordinate with at most one decimal, "-0" folded: 12 → "12", 12.345 → "12.3". */
export function fx(n: number): string {
  const r = Math.round(n * 10) / 10;
  return Object.is(r, -0) || r === 0 ? '0' : String(r);
}

/** 18340 → "18,340", German "18.340" (the report's grouping, by hand: no locale). */
export function count(n: number, lang: Lang = 'en'): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, lang === 'de' ? '.' : ',');
}

/**
 * Fills that survive black-and-white printing: solid dark bars, and a light diagonal hatch for
 * "no source covered this" (which must never read as zero). Ids are prefixed per chart so several
 * inline SVGs in one page never share an id.
 */
export function defs(id: string): string {
  return (
    `<defs><pattern id="${id}-hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">` +
    `<rect width="6" height="6" fill="#ffffff"/><line x1="0" y1="0" x2="0" y2="6" stroke="#9a9a9a" stroke-width="2"/></pattern></defs>`
  );
}

/** The opening of a chart: its size, role and text alternative (title and desc). */
export function open(id: string, width: number, height: number, title: string, desc: string): string {
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" id="${id}" class="chart" role="img" aria-labelledby="${id}-t ${id}-d" ` +
    `width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" style="max-width:100%;height:auto" font-family="sans-serif" font-size="10">` +
    `<title id="${id}-t">${esc(title)}</title><desc id="${id}-d">${esc(desc)}</desc>` +
    defs(id) +
    `<rect x="0" y="0" width="${width}" height="${height}" fill="#ffffff"/>`
  );
}

export function text(x: number, y: number, s: string, attrs = ''): string {
  return `<text x="${fx(x)}" y="${fx(y)}"${attrs ? ' ' + attrs : ''}>${esc(s)}</text>`;
}
