import { basename, join, resolve } from 'node:path';
import { sanitizeName } from '../db/writer.js';

/** One database per bundle, outside the bundle: ./.cdb-forensics/<bundle>.db */
export function defaultDbPath(bundlePath: string): string {
  const name = sanitizeName(basename(resolve(bundlePath)).replace(/\.(tar\.gz|tgz|zip|tar)$/i, ''));
  return resolve(join('.cdb-forensics', `${name}.db`));
}

export function bundleDisplayName(bundlePath: string): string {
  return basename(resolve(bundlePath)).replace(/\.(tar\.gz|tgz|zip|tar)$/i, '');
}
