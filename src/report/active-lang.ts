/**
 * The language of the report being rendered, for helpers, the story and the charts that write words
 * or numbers. The Handlebars wrapper sets it from the model's `lang` around every helper call and
 * puts English back afterwards (rendering is synchronous), so a function called outside a render —
 * a test, another command — speaks English unless it is given a language.
 */
import { DEFAULT_LANG, LANGS, type Lang } from '../i18n/lang.js';

let active: Lang = DEFAULT_LANG;

export function activeLang(): Lang {
  return active;
}

/** Run `f` with `lang` active, English again afterwards (also when `f` throws). */
export function withLang<T>(lang: Lang, f: () => T): T {
  const before = active;
  active = lang;
  try {
    return f();
  } finally {
    active = before;
  }
}

/** A model's language, English for anything that is not a known one. */
export function langOf(l: unknown): Lang {
  return (LANGS as readonly unknown[]).includes(l) ? (l as Lang) : DEFAULT_LANG;
}
