import { describe, expect, it } from 'vitest';
import { say } from '../../../i18n/translate.js';
import { whereVarText } from './settings.js';

describe('where a variable is changed', () => {
  it.each<[string | null, string, string]>([
    ['A', '.env MAX_EXPOSURE_PCT', '.env MAX_EXPOSURE_PCT'],
    [null, '.env MAX_EXPOSURE_PCT', '.env MAX_EXPOSURE_PCT'],
    ['B', 'MAX_EXPOSURE_PCT (environment of cdb_risk in the compose files / .env interpolation)', 'MAX_EXPOSURE_PCT (Umgebung von cdb_risk in den Compose-Dateien / .env-Interpolation)'],
  ])('era %s', (era, en, de) => {
    // The .env path stays a plain string (the engine reads the variable out of it); words are keyed.
    const w = whereVarText(era, 'MAX_EXPOSURE_PCT', 'cdb_risk');
    expect(typeof w === 'string').toBe(era !== 'B');
    expect(say('en', w)).toBe(en);
    expect(say('de', w)).toBe(de);
  });
});
