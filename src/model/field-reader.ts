import { entry } from '../catalog/index.js';

/**
 * `fieldsOf(id, message)` reduced to some fields, as an array in the order of `names`, without
 * building a record per message (millions of ticks): each name's value is the first defined group
 * named `name`, `name1`, `name2`, … in the pattern's order, as fieldsOf gives it.
 */
export function fieldReader(id: string, names: readonly string[]): (message: string) => (string | undefined)[] | null {
  const pattern = entry(id).pattern;
  let groupsOf: string[][] | null = null;
  return (message) => {
    const m = pattern.exec(message);
    if (!m) return null;
    const g = m.groups;
    if (!g) return names.map(() => undefined);
    // Every match has the same groups (undefined where one did not take part).
    groupsOf ??= names.map((name) => Object.keys(g).filter((k) => k.replace(/\d+$/, '') === name));
    return groupsOf.map((keys) => {
      for (const k of keys) if (g[k] !== undefined) return g[k];
      return undefined;
    });
  };
}
