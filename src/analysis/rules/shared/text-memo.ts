/**
 * A function of a message text, computed once per distinct text: a failure logged on every tick
 * is a million records with a handful of texts, and testing each record against a rule's
 * patterns again was most of the analysis of such a log. Bounded: past `maxChars` characters of
 * remembered texts a new text is computed and not kept, so a log of a million different texts
 * costs what it cost before, not a map of every text. `fn` must depend on the text alone (no
 * `g`-flag regexp, no state).
 */
export function memoByText<T>(fn: (text: string) => T, maxChars = 4_000_000): (text: string) => T {
  const seen = new Map<string, T>();
  let chars = 0;
  return (s) => {
    const hit = seen.get(s);
    if (hit !== undefined || seen.has(s)) return hit as T;
    const v = fn(s);
    if (chars + s.length <= maxChars) {
      seen.set(s, v);
      chars += s.length;
    }
    return v;
  };
}
