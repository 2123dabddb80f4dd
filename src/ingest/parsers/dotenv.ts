import { defineParser } from '../define-parser.js';
import type { Line } from '../../bundle/types.js';
import { isSecretSetting } from '../reports/secret-keys.js';

/** A strict assignment as compose/.env files write it; used by the sniff only. */
const STRICT_ASSIGN_RE = /^(?:export\s+)?[A-Z_][A-Z0-9_]*=/;
/** What the parser accepts: python-dotenv also allows lower-case keys and spaces around `=`. */
const ASSIGN_RE = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=\s*(.*)$/;
const LOG_LINE_RE = /^(?:\S+\s*\|\s*)?(?:\d{4}-\d\d-\d\d[ T]\d\d:\d\d|\d+:[MSCX] \d|\[\d{4}-)/;
/** A quoted value may span lines (python-dotenv allows it); beyond this the quote is taken as unterminated. */
const MAX_QUOTED_LINES = 50;

interface Parsed {
  key: string;
  value: string;
  lines: number;
}

type ValueResult = { ok: true; value: string; consumed: number } | { ok: false; reason: string };

function unescapeDouble(s: string): string {
  return s.replace(/\\(["\\nrt$])/g, (_, c: string) => (c === 'n' ? '\n' : c === 'r' ? '\r' : c === 't' ? '\t' : c));
}

/**
 * Reads the value that starts at `rest` on line `i`; a quoted value may continue on the next lines.
 * `consumed` is the number of physical lines used.
 */
function readValue(rest: string, next: readonly Line[]): ValueResult {
  const q = rest[0];
  if (q === '"' || q === "'") {
    let text = rest.slice(1);
    for (let used = 1; used <= MAX_QUOTED_LINES; used++) {
      let end = -1;
      for (let i = 0; i < text.length; i++) {
        if (q === '"' && text[i] === '\\') {
          i++;
          continue;
        }
        if (text[i] === q) {
          end = i;
          break;
        }
      }
      if (end >= 0) {
        const after = text.slice(end + 1);
        if (after.trim() !== '' && !/^\s+#/.test(after)) {
          return { ok: false, reason: `text after the closing ${q} quote: ${after.trim()}` };
        }
        const raw = text.slice(0, end);
        return { ok: true, value: q === '"' ? unescapeDouble(raw) : raw, consumed: used };
      }
      const cont = next[used - 1];
      if (!cont) break;
      text = `${text}\n${cont.text}`;
    }
    return { ok: false, reason: `opening ${q} quote is never closed` };
  }
  // Unquoted: a `#` starts a comment only after whitespace (python-dotenv and compose agree).
  return { ok: true, value: rest.replace(/\s+#.*$/, '').trim(), consumed: 1 };
}

export default defineParser({
  id: 'dotenv',
  title: '.env configuration file (KEY=VALUE)',
  version: 1,
  kind: 'config',
  tables: ['settings'],
  specificity: 40,
  claims: {
    sniff(head) {
      const content = head.lines.filter((l) => l.trim() !== '' && !/^\s*#/.test(l));
      if (content.length === 0) return null;
      if (content.some((l) => LOG_LINE_RE.test(l))) return null;
      const strict = content.filter((l) => STRICT_ASSIGN_RE.test(l.replace(/^\uFEFF/, ''))).length;
      const ratio = strict / content.length;
      if (strict === 0 || ratio < 0.6) return null;
      const confidence = strict >= 3 && ratio >= 0.8 ? 80 : 55;
      return { confidence, reason: `${strict} of ${content.length} non-comment lines are KEY=VALUE` };
    },
  },
  async *parse(input, ctx) {
    // Buffered: a quoted value may continue on later lines, and .env files are small.
    const all: Line[] = [];
    for await (const l of input.lines()) all.push(l);
    const seen = new Map<string, number>();
    let i = 0;
    while (i < all.length) {
      const line = all[i];
      const text = line.lineNo === 1 ? line.text.replace(/^\uFEFF/, '') : line.text;
      if (text.trim() === '') {
        ctx.structural('blank');
        i++;
        continue;
      }
      if (/^\s*#/.test(text)) {
        ctx.structural('comment');
        i++;
        continue;
      }
      const bare = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*$/.exec(text);
      if (bare) {
        // Compose passes a bare KEY through from the host environment; python-dotenv sets it to None.
        yield { table: 'settings', line: line.lineNo, lines: 1, values: { source: 'env', service: null, key: bare[1], value: null, is_secret: isSecretSetting(bare[1], null) ? 1 : 0 } };
        i++;
        continue;
      }
      const m = ASSIGN_RE.exec(text);
      if (!m) {
        const reason = /^\s*[A-Za-z_][A-Za-z0-9_]*\s*:/.test(text)
          ? 'YAML-style KEY: VALUE is not a .env assignment; write KEY=VALUE'
          : 'not a KEY=VALUE assignment';
        ctx.quarantine(line.lineNo, reason, text);
        i++;
        continue;
      }
      const r = readValue(m[2], all.slice(i + 1, i + 1 + MAX_QUOTED_LINES));
      if (!r.ok) {
        ctx.quarantine(line.lineNo, `${m[1]}: ${r.reason}`, text);
        i++;
        continue;
      }
      const p: Parsed = { key: m[1], value: r.value, lines: r.consumed };
      const prev = seen.get(p.key);
      if (prev !== undefined) ctx.note(`${p.key} is set twice (lines ${prev} and ${line.lineNo}); the later one wins`);
      seen.set(p.key, line.lineNo);
      yield {
        table: 'settings',
        line: line.lineNo,
        lines: p.lines,
        values: {
          source: 'env',
          service: null,
          key: p.key,
          value: p.value,
          is_secret: isSecretSetting(p.key, p.value) ? 1 : 0,
        },
      };
      i += p.lines;
    }
  },
});
