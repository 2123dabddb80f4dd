/** `BTC_USDT`, `btc-usdt`, `BTC/USDT` → `BTCUSDT` (the formats doc's normalisation). */
export function normSymbol(s: string | null | undefined): string | null {
  if (s === null || s === undefined) return null;
  const t = String(s).trim();
  if (t === '') return null;
  return t.replace(/[_\-/]/g, '').toUpperCase();
}

export function upper(s: string | null | undefined): string | null {
  if (s === null || s === undefined) return null;
  const t = String(s).trim();
  return t === '' ? null : t.toUpperCase();
}

export function num(v: unknown): number | null {
  if (v === null || v === undefined || v === '') return null;
  const n = typeof v === 'number' ? v : Number(String(v).replace(/[$,%\s]/g, ''));
  return Number.isFinite(n) ? n : null;
}

/** PostgreSQL/psql/JSON booleans: t/true/1/yes → 1, f/false/0/no → 0. */
export function bool(v: unknown): number | null {
  if (v === null || v === undefined || v === '') return null;
  const s = String(v).trim().toLowerCase();
  if (['t', 'true', '1', 'yes', 'y', 'allow', 'approved'].includes(s)) return 1;
  if (['f', 'false', '0', 'no', 'n', 'block', 'rejected'].includes(s)) return 0;
  return null;
}
