/**
 * Archive member names are hostile input: an absolute name or a `..` segment is refused (listed,
 * never read), `./` prefixes and doubled slashes are normalised away.
 */
export type MemberName = { ok: true; relPath: string; isDir: boolean } | { ok: false; reason: string };

export const REASON_ABSOLUTE = 'absolute path in archive — not read; its name is only listed';
export const REASON_ESCAPES = 'path escapes the archive (../) — not read; its name is only listed';

export function checkMemberName(name: string): MemberName {
  if (name.indexOf('\0') !== -1) return { ok: false, reason: 'member name contains a NUL byte — not read' };
  if (name.startsWith('/') || /^[A-Za-z]:/.test(name)) return { ok: false, reason: REASON_ABSOLUTE };
  const parts = name.split('/');
  if (parts.includes('..')) return { ok: false, reason: REASON_ESCAPES };
  const kept = parts.filter((p) => p !== '' && p !== '.');
  return { ok: true, relPath: kept.join('/'), isDir: kept.length === 0 || name.endsWith('/') };
}

/** Display path of a member: `archive.tgz!/path/in/archive`, where prefix is the archive's own display path. */
export function memberPath(prefix: string, name: string): string {
  return `${prefix}!/${name}`;
}
