/** The languages a report can be written in; English is the default, German follows the runbook. */
export const LANGS = ['en', 'de'] as const;
export type Lang = (typeof LANGS)[number];
export const DEFAULT_LANG: Lang = 'en';

/** The BCP 47 locale whose number and date conventions each language uses. */
export const LOCALE: Record<Lang, string> = { en: 'en-GB', de: 'de-DE' };
