/**
 * A report in another language without analysing again: every object that carries `texts` (its
 * visible fields' keys and parameters) gets those fields rendered anew in `lang`. The model is
 * built in English once (`analyze`), then localized — by `analyze --lang` and `report --lang` alike,
 * so both give the same bytes. Fields without a text (quoted evidence, ids, numbers) are untouched.
 */
import { DEFAULT_LANG, type Lang } from './lang.js';
import { isText, render } from './translate.js';

function setField(obj: Record<string, unknown>, field: string, value: string): void {
  const dot = field.indexOf('.');
  if (dot < 0) {
    obj[field] = value;
    return;
  }
  // `metric_notes.events`: a text inside a record of the object.
  const inner = obj[field.slice(0, dot)];
  if (inner && typeof inner === 'object' && !Array.isArray(inner)) (inner as Record<string, unknown>)[field.slice(dot + 1)] = value;
}

function walk(v: unknown, lang: Lang): unknown {
  if (Array.isArray(v)) return v.map((x) => walk(x, lang));
  if (!v || typeof v !== 'object') return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) out[k] = k === 'texts' ? x : walk(x, lang);
  const texts = (v as { texts?: unknown }).texts;
  if (texts && typeof texts === 'object') {
    for (const [field, t] of Object.entries(texts)) if (isText(t)) setField(out, field, render(lang, t));
  }
  return out;
}

/** The same model with every keyed field in `lang` and `lang` set (a new object; the input is not changed). */
export function localize<T extends { lang?: string; provenance?: { options: Record<string, unknown> } }>(model: T, lang: Lang): T {
  const out = walk(model, lang) as T;
  out.lang = lang;
  // The language changes the bytes, so provenance records it (last, and only when it is not English:
  // an English report's provenance is what it was before reports had a language).
  const options = out.provenance?.options;
  if (options) {
    delete options.lang;
    if (lang !== DEFAULT_LANG) options.lang = lang;
  }
  return out;
}
