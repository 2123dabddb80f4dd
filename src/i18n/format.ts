/**
 * Numbers, dates and durations as the report's language writes them (`1,234.5` / `1.234,5`,
 * `2026-01-24` / `24.01.2026`). Times are always UTC: a report that showed the reader's zone would
 * differ from machine to machine, and the block's own zone is named where it matters.
 */
import { LOCALE, type Lang } from './lang.js';

const numberFormats = new Map<string, Intl.NumberFormat>();

function numberFormat(lang: Lang, digits: number): Intl.NumberFormat {
  const key = `${lang}:${digits}`;
  let f = numberFormats.get(key);
  if (!f) {
    f = new Intl.NumberFormat(LOCALE[lang], { maximumFractionDigits: digits, minimumFractionDigits: 0, useGrouping: true });
    numberFormats.set(key, f);
  }
  return f;
}

/** A count or measure: grouped thousands, at most `digits` decimals (trailing zeros dropped). */
export function formatNumber(lang: Lang, n: number, digits = 2): string {
  if (!Number.isFinite(n)) return n > 0 ? '∞' : n < 0 ? '-∞' : '–';
  // Intl writes U+2212 for minus in some locales; a report is pasted into tickets and grepped, so keep ASCII.
  return numberFormat(lang, digits).format(n).replace('\u2212', '-');
}

/** A percentage value already in percent (12.5 → `12.5 %` / `12,5 %`). */
export function formatPercent(lang: Lang, pct: number, digits = 1): string {
  return `${formatNumber(lang, pct, digits)} %`;
}

const ISO_DAY = /^(\d{4})-(\d{2})-(\d{2})/;

/** A calendar day from an ISO date or timestamp; text that is not one is returned unchanged. */
export function formatDate(lang: Lang, iso: string): string {
  const m = ISO_DAY.exec(iso);
  if (!m) return iso;
  return lang === 'de' ? `${m[3]}.${m[2]}.${m[1]}` : `${m[1]}-${m[2]}-${m[3]}`;
}

const ISO_TIME = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?/;

/** A UTC moment to the minute (seconds when they are not zero), e.g. `24.01.2026 13:05 UTC`. */
export function formatDateTime(lang: Lang, iso: string): string {
  const m = ISO_TIME.exec(iso);
  if (!m) return formatDate(lang, iso);
  const secs = m[4] && m[4] !== '00' ? `:${m[4]}` : '';
  return `${formatDate(lang, m[1]!)} ${m[2]}:${m[3]}${secs} UTC`;
}

const UNITS: Record<Lang, { d: string; h: string; min: string; s: string }> = {
  en: { d: 'd', h: 'h', min: 'min', s: 's' },
  de: { d: 'T', h: 'Std.', min: 'Min.', s: 's' },
};

/** A duration in seconds as its two largest units (`2 d 3 h`, `5 min 12 s`, `2 Std. 5 Min.`). */
export function formatDuration(lang: Lang, seconds: number): string {
  if (!Number.isFinite(seconds)) return '–';
  const u = UNITS[lang];
  let s = Math.round(Math.abs(seconds));
  const parts: [number, string][] = [];
  for (const [size, unit] of [[86400, u.d], [3600, u.h], [60, u.min], [1, u.s]] as const) {
    const q = Math.floor(s / size);
    s -= q * size;
    if (q > 0 || (size === 1 && parts.length === 0)) parts.push([q, unit]);
  }
  return (seconds < 0 ? '-' : '') + parts.slice(0, 2).map(([q, unit]) => `${q} ${unit}`).join(' ');
}
