/**
 * Which configuration values are secrets (evidence-formats §7). Parsers still yield the raw value
 * with is_secret = 1; the DB writer redacts it. Kept in one place so `.env` and `docker inspect`
 * Env agree on what is secret.
 */

import { SECRET_KEY_RE } from '../../redact/secrets.js';

// The redactor's key pattern (§7 plus PWD/AUTH_KEY), so what is flagged here is what it redacts.
export { SECRET_KEY_RE };

/** `scheme://user:pw@`, `redis://:pw@`, `https://token@`: any userinfo in a URL carries a credential. */
export const URL_CREDENTIALS_RE = /\b[a-z][a-z0-9+.-]*:\/\/[^\s/@]+@/i;

/** §7 lists these as secrets although the key pattern misses them. */
const SECRET_NAMES = new Set(['SMTP_USER', 'DATABASE_URL']);

export function isSecretSetting(key: string, value: string | null | undefined): boolean {
  if (SECRET_KEY_RE.test(key) || SECRET_NAMES.has(key.toUpperCase())) return true;
  return value != null && URL_CREDENTIALS_RE.test(value);
}
