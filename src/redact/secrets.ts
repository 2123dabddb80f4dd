import { createHash } from 'node:crypto';

/**
 * Secrets never reach the working database or a report. Every stored text passes through
 * `Redactor.text`, which replaces credentials by a marker with a short salted hash, so two
 * occurrences of the same secret can still be matched without revealing it.
 */

const SALT = 'cdb-forensics/redact/v1';
export const SECRET_KEY_RE = /(PASS|PWD|SECRET|TOKEN|API_?KEY|DSN|CREDENTIAL|PRIVATE|AUTH_KEY)/i;

/** Values that name a state rather than hold a secret ("Redis password loaded: No"). */
const NOT_A_SECRET = /^(?:yes|no|true|false|none|null|nil|set|unset|not set|missing|loaded|empty|\*+|‹redacted:[0-9a-f]{8}›|\(redacted\)|<redacted>|\$\{[A-Z0-9_]+\}|)$/i;

export function marker(secret: string): string {
  const h = createHash('sha256').update(SALT).update(secret).digest('hex').slice(0, 8);
  return `‹redacted:${h}›`;
}

// Cheap gate: only lines that could hold a credential go through the full set of patterns.
const GATE = /pass|pwd|secret|token|api_?key|dsn|credential|private|auth|bearer|:\/\/[^\s/]*@|\s-a\s|mx0/i;

interface Pattern {
  re: RegExp;
  /** index of the capture group holding the secret (each match redacts that group). */
  apply(match: RegExpExecArray, redact: (s: string) => string): string;
}

function unquote(v: string): { inner: string; q: string } {
  if (v.length >= 2 && (v[0] === '"' || v[0] === "'") && v[v.length - 1] === v[0]) return { inner: v.slice(1, -1), q: v[0] };
  return { inner: v, q: '' };
}

const PATTERNS: Pattern[] = [
  // scheme://user:password@host
  {
    re: /([a-z][a-z0-9+.-]*:\/\/)([^:/@\s"']*):([^@\s/"']+)@/gi,
    apply: (m, r) => `${m[1]}${m[2]}:${r(m[3])}@`,
  },
  // KEY=value / KEY: value / "key": "value" where the key names a secret
  {
    re: /([A-Za-z0-9_.-]*(?:PASS(?:WORD)?|PWD|SECRET|TOKEN|API_?KEY|DSN|CREDENTIAL|PRIVATE_?KEY|AUTH_KEY)[A-Za-z0-9_.-]*)("?\s*[=:]\s*)("[^"]*"|'[^']*'|[^\s,;&"'}\]]+)/gi,
    apply: (m, r) => {
      const { inner, q } = unquote(m[3]);
      if (NOT_A_SECRET.test(inner.trim())) return m[0];
      return `${m[1]}${m[2]}${q}${r(inner)}${q}`;
    },
  },
  // redis-cli -a <pw> / --pass <pw>, redis-server --requirepass <pw>, masterauth
  {
    re: /((?:\s|^)(?:-a|--pass|--requirepass|requirepass|masterauth)\s+)("[^"]*"|'[^']*'|\S+)/g,
    apply: (m, r) => {
      const { inner, q } = unquote(m[2]);
      if (inner.startsWith('-')) return m[0];
      return `${m[1]}${q}${r(inner)}${q}`;
    },
  },
  // AUTH [user] pw — MONITOR form ("AUTH" "pw") or plain; HELLO 3 AUTH user pw
  {
    re: /("?\bAUTH"?)((?:\s+(?:"[^"]*"|[^\s"]+)){1,2})/g,
    apply: (m, r) => {
      const args = m[2].match(/\s+(?:"[^"]*"|[^\s"]+)/g) ?? [];
      if (args.length === 0) return m[0];
      // Prose such as "AUTH failed: WRONGPASS ..." is not a command.
      const first = (args[0] ?? "").trim();
      if (/^(failed|failed:|required\.?|required|validation|error)/i.test(first.replace(/"/g, ''))) return m[0];
      return m[1] + args.map((a) => {
        const lead = a.match(/^\s+/)?.[0] ?? ' ';
        const { inner, q } = unquote(a.trim());
        if (NOT_A_SECRET.test(inner)) return a;
        return `${lead}${q}${r(inner)}${q}`;
      }).join('');
    },
  },
  // Authorization: Bearer <token>
  {
    re: /(\bBearer\s+)([A-Za-z0-9._~+/=-]{8,})/g,
    apply: (m, r) => `${m[1]}${r(m[2])}`,
  },
  // MEXC API keys have a recognisable prefix
  {
    re: /\b(mx0[A-Za-z0-9]{12,})\b/g,
    apply: (m, r) => r(m[1]),
  },
];

export class Redactor {
  private readonly learned = new Map<string, string>();
  private learnedList: string[] = [];
  /** How many replacements were made (reported in the manifest notes). */
  count = 0;

  /** Remember a secret value so every later occurrence anywhere is replaced too. */
  learn(value: string | null | undefined): void {
    if (!value) return;
    const v = value.trim();
    if (v.length < 4 || NOT_A_SECRET.test(v) || this.learned.has(v)) return;
    this.learned.set(v, marker(v));
    // Longest first, so a secret that contains another is replaced whole.
    this.learnedList = [...this.learned.keys()].sort((a, b) => b.length - a.length || (a < b ? -1 : 1));
  }

  get learnedCount(): number {
    return this.learned.size;
  }

  /** The secrets learned so far, to seed the redactor of an ingest worker thread. */
  learnedValues(): string[] {
    return [...this.learnedList];
  }

  /** The marker for a value stored in a secret-bearing field. */
  secretValue(value: string): string {
    this.learn(value);
    this.count++;
    return value.trim() === '' ? value : marker(value.trim());
  }

  text(s: string): string {
    let out = s;
    for (const secret of this.learnedList) {
      if (out.includes(secret)) {
        out = out.split(secret).join(this.learned.get(secret)!);
        this.count++;
      }
    }
    if (!GATE.test(out)) return out;
    const redact = (secret: string): string => {
      if (secret.startsWith('‹redacted:')) return secret;
      this.count++;
      return marker(secret);
    };
    for (const p of PATTERNS) {
      p.re.lastIndex = 0;
      out = out.replace(p.re, (...args) => {
        const m = args.slice(0, -2) as unknown as RegExpExecArray;
        return p.apply(m, redact);
      });
    }
    return out;
  }
}
