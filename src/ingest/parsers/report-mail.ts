import { defineParser, type ParseContext, type Row } from '../define-parser.js';
import { TextDecoder } from 'node:util';
import type { FileHead, Line } from '../../bundle/types.js';
import { toIsoUtc } from '../../util/time.js';
import { parsePaperRunnerReport, parseReportNumber, reportDateOf, type ReportValue } from '../reports/paper-runner-report.js';

/**
 * Daily report mails (evidence-formats §6.1, §6.3):
 * - the paper runner's alert mail `[INFO] Claire de Binare: Daily Report` (multipart/mixed with one
 *   base64 text/plain part, as Python's email package writes it) or a `.txt` copy of its body;
 * - the `cdb_reports` HTML mail `CDB Daily Orders Summary - YYYY-MM-DD` (7bit text/html).
 * Bodies are decoded (base64, quoted-printable, 7bit/8bit) and every value points back to the
 * physical lines that encode it; for base64 that is the encoded line range, and a value whose text
 * shares an encoded line with an earlier value carries `lines: 0`.
 */

// ---------------------------------------------------------------- headers

const HEADER_NAMES = new Set([
  'return-path',
  'received',
  'from',
  'to',
  'cc',
  'bcc',
  'subject',
  'date',
  'sent',
  'message-id',
  'mime-version',
  'content-type',
  'content-transfer-encoding',
  'content-disposition',
  'delivered-to',
  'reply-to',
  'sender',
  'dkim-signature',
  'authentication-results',
  'received-spf',
  'thread-topic',
  'thread-index',
  'user-agent',
  'importance',
]);

const HEADER_RE = /^([!-9;-~]+):[ \t]?(.*)$/;

function isMailHeaderName(name: string): boolean {
  const n = name.toLowerCase();
  return HEADER_NAMES.has(n) || n.startsWith('x-') || n.startsWith('arc-') || n.startsWith('list-');
}

type Headers = Map<string, { value: string; lineNo: number }>;

/** Reads a header block starting at `from`; returns the index of the first body line. */
function readHeaders(lines: readonly Line[], from: number, counter: string, ctx: ParseContext | null, headers: Headers): number {
  let i = from;
  let last: string | null = null;
  for (; i < lines.length; i++) {
    const { text, lineNo } = lines[i];
    if (text.trim() === '') {
      ctx?.structural(counter);
      return i + 1;
    }
    if (i === from && /^From \S/.test(text)) {
      ctx?.structural('mbox_from');
      continue;
    }
    if (/^[ \t]/.test(text) && last) {
      const h = headers.get(last)!;
      h.value = `${h.value} ${text.trim()}`;
      ctx?.structural(counter);
      continue;
    }
    const m = HEADER_RE.exec(text);
    if (m) {
      last = m[1].toLowerCase();
      if (!headers.has(last)) headers.set(last, { value: m[2].trim(), lineNo });
      ctx?.structural(counter);
      continue;
    }
    ctx?.quarantine(lineNo, 'not a mail header line (expected Name: value or a folded continuation)', text);
  }
  return i;
}

function startsWithHeaders(lines: readonly string[]): boolean {
  const first = lines[0];
  if (first === undefined) return false;
  if (/^From \S+/.test(first)) return true;
  const m = HEADER_RE.exec(first);
  return !!m && isMailHeaderName(m[1]);
}

/** RFC 2047 encoded words (`=?utf-8?b?...?=`, `=?utf-8?q?...?=`). */
export function decodeEncodedWords(s: string): string {
  return s.replace(/=\?([^?]+)\?([bBqQ])\?([^?]*)\?=(\s+(?==\?))?/g, (_all, charset: string, enc: string, data: string) => {
    let bytes: Uint8Array;
    if (enc.toLowerCase() === 'b') bytes = Buffer.from(data, 'base64');
    else {
      const out: number[] = [];
      const t = data.replace(/_/g, ' ');
      for (let i = 0; i < t.length; i++) {
        if (t[i] === '=' && /^[0-9A-Fa-f]{2}$/.test(t.slice(i + 1, i + 3))) {
          out.push(parseInt(t.slice(i + 1, i + 3), 16));
          i += 2;
        } else out.push(...Buffer.from(t[i], 'utf8'));
      }
      bytes = Uint8Array.from(out);
    }
    return decoderFor(charset).decode(bytes);
  });
}

function decoderFor(charset: string | undefined): TextDecoder {
  try {
    return new TextDecoder(charset || 'utf-8');
  } catch {
    return new TextDecoder('utf-8');
  }
}

function contentParams(value: string): { type: string; params: Record<string, string> } {
  const [type, ...rest] = value.split(';');
  const params: Record<string, string> = {};
  const re = /([A-Za-z0-9*-]+)\s*=\s*("([^"]*)"|[^;\s]+)/g;
  let m: RegExpExecArray | null;
  const joined = rest.join(';');
  while ((m = re.exec(joined))) params[m[1].toLowerCase()] = m[3] ?? m[2];
  return { type: type.trim().toLowerCase(), params };
}

const MONTHS: Record<string, number> = { jan: 0, feb: 1, mar: 2, apr: 3, may: 4, jun: 5, jul: 6, aug: 7, sep: 8, oct: 9, nov: 10, dec: 11 };
const ZONES: Record<string, number> = { ut: 0, utc: 0, gmt: 0, z: 0, est: -300, edt: -240, cst: -360, cdt: -300, mst: -420, mdt: -360, pst: -480, pdt: -420 };

/** RFC 5322 `Date:` (`Mon, 22 Dec 2025 01:00:03 +0100`) to ISO UTC, with the zone as printed. */
export function parseMailDate(s: string): { iso: string; zone: string } | null {
  const m = /(\d{1,2})\s+([A-Za-z]{3})[a-z]*\s+(\d{4})\s+(\d{1,2}):(\d\d)(?::(\d\d))?\s*([+-]\d{4}|[A-Za-z]{1,3})?/.exec(s);
  if (!m) return null;
  const mon = MONTHS[m[2].toLowerCase()];
  if (mon === undefined) return null;
  const zoneText = m[7] ?? '';
  let offsetMin: number | undefined;
  if (/^[+-]\d{4}$/.test(zoneText)) {
    const sign = zoneText[0] === '-' ? -1 : 1;
    offsetMin = sign * (Number(zoneText.slice(1, 3)) * 60 + Number(zoneText.slice(3, 5)));
  } else offsetMin = ZONES[zoneText.toLowerCase()];
  if (offsetMin === undefined) return null;
  const t = Date.UTC(Number(m[3]), mon, Number(m[1]), Number(m[4]), Number(m[5]), Number(m[6] ?? 0)) - offsetMin * 60000;
  return { iso: new Date(t).toISOString(), zone: zoneText };
}

/** The body's `Time:` and the cdb_reports footer are container UTC printed without a zone. */
function naiveUtcToIso(text: string): string | null {
  return /^\d{4}-\d\d-\d\d[ T]\d\d:\d\d/.test(text.trim()) ? toIsoUtc(text) : null;
}

// ---------------------------------------------------------------- MIME structure

interface Leaf {
  type: string;
  charset: string | undefined;
  encoding: string;
  attachment: boolean;
  lines: Line[];
}

function collectLeaves(headers: Headers, body: Line[], ctx: ParseContext, leaves: Leaf[], depth: number): void {
  const ct = contentParams(headers.get('content-type')?.value ?? 'text/plain');
  const encoding = (headers.get('content-transfer-encoding')?.value ?? '7bit').trim().toLowerCase();
  const disposition = headers.get('content-disposition')?.value ?? '';
  const boundary = ct.params.boundary;
  if (ct.type.startsWith('multipart/') && boundary && depth < 8) {
    const open = `--${boundary}`;
    const close = `--${boundary}--`;
    let part: Line[] | null = null;
    let seenOpen = false;
    let closed = false;
    const flush = (): void => {
      if (!part) return;
      const ph: Headers = new Map();
      const firstLine = part[0];
      let start = 0;
      if (firstLine && firstLine.text.trim() !== '' && HEADER_RE.test(firstLine.text)) {
        start = readHeaders(part, 0, 'mime_part_header', ctx, ph);
      } else if (firstLine && firstLine.text.trim() === '') {
        ctx.structural('mime_part_header');
        start = 1;
      }
      collectLeaves(ph, part.slice(start), ctx, leaves, depth + 1);
      part = null;
    };
    for (const l of body) {
      const t = l.text.trimEnd();
      if (!closed && t === close) {
        flush();
        closed = true;
        ctx.structural('mime_boundary');
        continue;
      }
      if (!closed && t === open) {
        flush();
        seenOpen = true;
        part = [];
        ctx.structural('mime_boundary');
        continue;
      }
      if (closed) ctx.structural('mime_epilogue');
      else if (!seenOpen) ctx.structural('mime_preamble');
      else part!.push(l);
    }
    flush();
    if (!seenOpen) ctx.note(`multipart body without its boundary "${boundary}"; nothing decoded`);
    return;
  }
  leaves.push({
    type: ct.type || 'text/plain',
    charset: ct.params.charset,
    encoding,
    attachment: /^\s*attachment/i.test(disposition),
    lines: body,
  });
}

// ---------------------------------------------------------------- decoding

interface DecodedLine {
  text: string;
  first: number;
  last: number;
}

interface Decoded {
  lines: DecodedLine[];
  bad: { line: Line; reason: string }[];
}

function splitBytes(bytes: Uint8Array, byteLine: number[], charset: string | undefined, fallbackLine: number): DecodedLine[] {
  const dec = decoderFor(charset);
  const out: DecodedLine[] = [];
  let start = 0;
  const lineAt = (b: number): number => byteLine[Math.min(Math.max(b, 0), byteLine.length - 1)] ?? fallbackLine;
  for (let b = 0; b <= bytes.length; b++) {
    if (b === bytes.length || bytes[b] === 0x0a) {
      if (b === bytes.length && start === b) break;
      const text = dec.decode(bytes.subarray(start, b)).replace(/\r$/, '');
      // The newline byte belongs to the line it ends; an empty line sits where its newline is.
      out.push({ text, first: lineAt(start), last: lineAt(b < bytes.length ? b : b - 1) });
      start = b + 1;
    }
  }
  return out;
}

function decodeBase64(lines: Line[], charset: string | undefined): Decoded {
  const bad: Decoded['bad'] = [];
  let chars = '';
  const charLine: number[] = [];
  for (const l of lines) {
    const s = l.text.trim();
    if (s === '') continue;
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(s)) {
      bad.push({ line: l, reason: 'not base64 inside a base64 body part' });
      continue;
    }
    chars += s;
    for (let i = 0; i < s.length; i++) charLine.push(l.lineNo);
  }
  const bytes = Buffer.from(chars, 'base64');
  // Byte b comes from characters 4*floor(b/3) + b%3 and the one after; its line is the first one's.
  const byteLine: number[] = new Array(bytes.length);
  for (let b = 0; b < bytes.length; b++) byteLine[b] = charLine[Math.floor(b / 3) * 4 + (b % 3)] ?? charLine[charLine.length - 1];
  const fallback = lines[0]?.lineNo ?? 0;
  return { lines: splitBytes(bytes, byteLine, charset, fallback), bad };
}

function decodeQuotedPrintable(lines: Line[], charset: string | undefined): Decoded {
  const bytes: number[] = [];
  const byteLine: number[] = [];
  const push = (b: number, lineNo: number): void => {
    bytes.push(b);
    byteLine.push(lineNo);
  };
  for (const l of lines) {
    let t = l.text.replace(/[ \t]+$/, '');
    const soft = t.endsWith('=');
    if (soft) t = t.slice(0, -1);
    for (let i = 0; i < t.length; i++) {
      if (t[i] === '=' && /^[0-9A-Fa-f]{2}$/.test(t.slice(i + 1, i + 3))) {
        push(parseInt(t.slice(i + 1, i + 3), 16), l.lineNo);
        i += 2;
      } else {
        for (const b of Buffer.from(t[i], 'utf8')) push(b, l.lineNo);
      }
    }
    if (!soft) push(0x0a, l.lineNo);
  }
  return { lines: splitBytes(Uint8Array.from(bytes), byteLine, charset, lines[0]?.lineNo ?? 0), bad: [] };
}

function decodeLeaf(leaf: Leaf): Decoded {
  if (leaf.encoding === 'base64') return decodeBase64(leaf.lines, leaf.charset);
  if (leaf.encoding === 'quoted-printable') return decodeQuotedPrintable(leaf.lines, leaf.charset);
  return { lines: leaf.lines.map((l) => ({ text: l.text, first: l.lineNo, last: l.lineNo })), bad: [] };
}

// ---------------------------------------------------------------- extraction

interface Extracted {
  kind: 'paper_runner' | 'cdb_reports';
  reportDate: string | null;
  generatedText: string | null;
  generatedAt: string | null;
  zone: string | null;
  values: ReportValue[];
}

const ALERT_TITLE_RE = /^\s*Claire de Binare Paper Trading Alert\s*$/;

function extractPaperRunner(decoded: DecodedLine[], ctx: ParseContext): Extracted | null {
  const rl = decoded.map((d, idx) => ({ text: d.text, lineNo: idx }));
  let time: string | null = null;
  let subject: string | null = null;
  let isAlert = false;
  for (const { text } of rl) {
    if (ALERT_TITLE_RE.test(text)) isAlert = true;
    const t = /^Time:\s*(.+?)\s*$/.exec(text);
    if (t && time === null) time = t[1];
    const s = /^Subject:\s*(.+?)\s*$/.exec(text);
    if (s && subject === null) subject = s[1];
  }
  const looksLikeReport = rl.some((l) => /^\s*Paper Trading Daily Report\s*$/.test(l.text) || /Report generation failed:/.test(l.text));
  if (!looksLikeReport && !(isAlert && subject === 'Daily Report')) {
    if (isAlert) ctx.note(`paper-runner alert mail "${subject ?? '?'}" is not a daily report; no values taken`);
    return null;
  }
  const values = parsePaperRunnerReport(rl);
  return {
    kind: 'paper_runner',
    reportDate: reportDateOf(values),
    generatedText: time,
    generatedAt: time ? naiveUtcToIso(time) : null,
    zone: time ? 'UTC (container, not printed)' : null,
    values,
  };
}

interface Token {
  text: string;
  idx: number;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (all, e: string) => {
    if (e[0] === '#') {
      const code = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
      return Number.isFinite(code) ? String.fromCodePoint(code) : all;
    }
    return ENTITIES[e.toLowerCase()] ?? all;
  });
}

/** Text between tags, with the decoded line it sits on; style/script contents skipped. */
function htmlTokens(decoded: DecodedLine[]): Token[] {
  const out: Token[] = [];
  let inTag = false;
  let tag = '';
  let skip: string | null = null;
  decoded.forEach((d, idx) => {
    let buf = '';
    const emit = (): void => {
      const t = decodeEntities(buf).replace(/\s+/g, ' ').trim();
      if (t && !skip) out.push({ text: t, idx });
      buf = '';
    };
    for (const c of d.text) {
      if (inTag) {
        if (c === '>') {
          inTag = false;
          const name = /^\/?\s*([a-zA-Z0-9]+)/.exec(tag)?.[1]?.toLowerCase();
          if (name === 'style' || name === 'script') skip = tag.trimStart().startsWith('/') ? null : name;
          tag = '';
        } else tag += c;
      } else if (c === '<') {
        emit();
        inTag = true;
      } else buf += c;
    }
    emit();
  });
  return out;
}

const TILE_LABELS = ['Total Orders', 'Filled', 'Rejected', 'Cancelled', 'Fill Rate'];
const LIST_LABELS = ['Total Trades', 'Total Notional', 'Total Fees'];
const NUMERIC_RE = /^[-+]?\$?[-+]?[\d,]+(\.\d+)?\s*%?$/;

function extractCdbReports(decoded: DecodedLine[], subject: string | null): Extracted | null {
  const tokens = htmlTokens(decoded);
  if (!tokens.some((t) => /CDB Daily Orders Summary/.test(t.text)) && !(subject && /CDB Daily Orders Summary/.test(subject))) return null;
  const values: ReportValue[] = [];
  const labelSet = new Set([...TILE_LABELS, ...LIST_LABELS].map((l) => l.toLowerCase()));
  const push = (key: string, valueText: string, idx: number, section: string): void => {
    values.push({ key, value_text: valueText, value_num: parseReportNumber(valueText), section, lineNo: idx });
  };
  let generatedText: string | null = null;
  let section = 'Summary';
  let inRejections = false;
  for (let i = 0; i < tokens.length; i++) {
    const tok = tokens[i];
    const text = tok.text;
    if (/^Top Rejection Reasons$/i.test(text)) {
      section = 'Top Rejection Reasons';
      inRejections = true;
      continue;
    }
    if (/^Trade Execution$/i.test(text)) {
      section = 'Trade Execution';
      inRejections = false;
      continue;
    }
    const gen = /Generated by CDB Reports Service\s*\|\s*(.+)$/.exec(text);
    if (gen) {
      generatedText = gen[1].trim();
      continue;
    }
    const period = /^Period:\s*(.*)$/.exec(text);
    if (period) {
      const v = period[1] || tokens[i + 1]?.text || '';
      const at = period[1] ? tok.idx : tokens[i + 1]?.idx ?? tok.idx;
      if (!period[1]) i++;
      values.push({ key: 'Period', value_text: v, value_num: null, section: 'Header', lineNo: at });
      continue;
    }
    if (inRejections) {
      if (/^(Reason|Count)$/i.test(text)) continue;
      if (/^No rejections$/i.test(text)) {
        values.push({ key: 'Top Rejection Reasons', value_text: text, value_num: 0, section, lineNo: tok.idx });
        continue;
      }
      const next = tokens[i + 1];
      if (next && /^\d+$/.test(next.text)) {
        push(`Rejection: ${text}`, next.text, tok.idx, section);
        i++;
      }
      continue;
    }
    // "Label: value" in one token (plain-text variants) or "<strong>Label:</strong> value".
    const lv = /^([A-Za-z ]+?):\s*(.*)$/.exec(text);
    if (lv && labelSet.has(lv[1].toLowerCase())) {
      const label = [...TILE_LABELS, ...LIST_LABELS].find((l) => l.toLowerCase() === lv[1].toLowerCase())!;
      const sec = LIST_LABELS.includes(label) ? 'Trade Execution' : 'Summary';
      if (lv[2]) push(label, lv[2], tok.idx, sec);
      else if (tokens[i + 1] && NUMERIC_RE.test(tokens[i + 1].text)) {
        push(label, tokens[i + 1].text, tokens[i + 1].idx, sec);
        i++;
      }
      continue;
    }
    // Tiles print the value above the label (`<div class="metric-value">120</div><div class="metric-label">Total Orders</div>`).
    const tile = TILE_LABELS.find((l) => l.toLowerCase() === text.toLowerCase());
    if (tile) {
      const prev = tokens[i - 1];
      if (prev && NUMERIC_RE.test(prev.text)) push(tile, prev.text, prev.idx, 'Summary');
    }
  }
  const gen = generatedText ? /^(\d{4}-\d\d-\d\d \d\d:\d\d(?::\d\d)?)\s*(UTC|Z)?$/.exec(generatedText) : null;
  const fromSubject = subject ? /CDB Daily Orders Summary\s*-\s*(\d{4}-\d\d-\d\d)/.exec(subject)?.[1] : undefined;
  const fromBody = tokens.map((t) => /CDB Daily Orders Summary\s*-\s*(\d{4}-\d\d-\d\d)/.exec(t.text)?.[1]).find(Boolean);
  const periodEnd = values.find((v) => v.key === 'Period')?.value_text.match(/-\s*(\d{4}-\d\d-\d\d)\s+\d\d:\d\d/)?.[1];
  return {
    kind: 'cdb_reports',
    reportDate: fromSubject ?? fromBody ?? periodEnd ?? (gen ? gen[1].slice(0, 10) : null),
    generatedText,
    generatedAt: gen ? naiveUtcToIso(gen[1]) : null,
    zone: gen ? (gen[2] ?? 'UTC (assumed)') : null,
    values,
  };
}

// ---------------------------------------------------------------- detection

const LOG_PREFIX_RE = /^(?:\S+\s+\|\s|\d{4}-\d\d-\d\d[ T]\d\d:\d\d|\[(?:INFO|ERROR|WARNING|DEBUG)\]\s)/;

function sniffHead(head: FileHead): { confidence: number; reason: string } | null {
  const lines = head.lines;
  if (startsWithHeaders(lines)) {
    const headers: Headers = new Map();
    readHeaders(
      lines.map((text, i) => ({ text, lineNo: i + 1 })),
      0,
      'x',
      null,
      headers,
    );
    const subject = decodeEncodedWords(headers.get('subject')?.value ?? '');
    if (/Claire de Binare|CDB Daily Orders Summary/.test(subject)) return { confidence: 95, reason: `mail with subject "${subject}"` };
    if (/Claire de Binare Paper Trading Alert|CDB Daily Orders Summary/.test(head.text)) return { confidence: 90, reason: 'mail whose body is a Claire de Binare report' };
    return null;
  }
  if (lines.some((l) => LOG_PREFIX_RE.test(l))) return null;
  if (lines.some((l) => ALERT_TITLE_RE.test(l)) && lines.some((l) => /^Severity:\s/.test(l))) {
    return { confidence: 90, reason: 'plain-text copy of a paper-runner alert mail' };
  }
  if (/CDB Daily Orders Summary/.test(head.text) && /Period:/.test(head.text)) return { confidence: 80, reason: 'saved cdb_reports summary (HTML or text)' };
  if (lines.some((l) => /^\s*Paper Trading Daily Report\s*$/.test(l)) && lines.some((l) => /^\s*Signals Today:/.test(l))) {
    return { confidence: 70, reason: 'paper-runner daily report text without log prefixes' };
  }
  return null;
}

// ---------------------------------------------------------------- parser

export default defineParser({
  id: 'report-mail',
  title: 'daily report mail (.eml or text copy): paper runner, cdb_reports',
  version: 1,
  kind: 'report',
  tables: ['daily_report_values'],
  specificity: 75,
  claims: { sniff: sniffHead },
  async *parse(input, ctx) {
    // Mails are small, and MIME structure (boundaries, base64 across lines) needs the whole body.
    const all: Line[] = [];
    for await (const l of input.lines()) all.push(l);
    const headers: Headers = new Map();
    let bodyStart = 0;
    if (startsWithHeaders(all.map((l) => l.text).slice(0, 1))) bodyStart = readHeaders(all, 0, 'mail_header', ctx, headers);
    const leaves: Leaf[] = [];
    collectLeaves(headers, all.slice(bodyStart), ctx, leaves, 0);

    const subject = headers.has('subject') ? decodeEncodedWords(headers.get('subject')!.value) : null;
    const dateHeader = headers.get('date') ?? headers.get('sent');
    const mailDate = dateHeader ? parseMailDate(dateHeader.value) : null;
    const done = new Set<string>();
    const claimed = new Set<number>();

    for (const leaf of leaves) {
      const isText = leaf.type === 'text/plain' || leaf.type === 'text/html' || leaf.type === '';
      if (!isText || leaf.attachment) {
        if (leaf.lines.length) ctx.note(`MIME part ${leaf.type}${leaf.attachment ? ' (attachment)' : ''} not decoded`);
        ctx.structural('mime_attachment', leaf.lines.length);
        continue;
      }
      const decoded = decodeLeaf(leaf);
      for (const b of decoded.bad) ctx.quarantine(b.line.lineNo, b.reason, b.line.text);
      const badSet = new Set(decoded.bad.map((b) => b.line.lineNo));
      const ex = extractCdbReports(decoded.lines, subject) ?? extractPaperRunner(decoded.lines, ctx);
      const rest = leaf.lines.filter((l) => !badSet.has(l.lineNo));
      if (!ex) {
        ctx.structural('mail_body', rest.length);
        continue;
      }
      if (done.has(ex.kind)) {
        // multipart/alternative: the same report again in another rendering.
        ctx.structural('mime_alternative_duplicate', rest.length);
        continue;
      }
      done.add(ex.kind);
      let generatedAt = ex.generatedAt;
      let generatedText = ex.generatedText;
      let zone = ex.zone;
      if (!generatedText && dateHeader && mailDate) {
        generatedAt = mailDate.iso;
        generatedText = dateHeader.value;
        zone = mailDate.zone;
      }
      if (ex.generatedAt && mailDate) {
        const skew = Math.abs(Date.parse(mailDate.iso) - Date.parse(ex.generatedAt)) / 1000;
        if (skew > 300) ctx.note(`mail Date header (${dateHeader!.value}) is ${Math.round(skew)} s away from the body time ${ex.generatedText} read as UTC`);
      }
      const base = {
        report_kind: ex.kind,
        report_date: ex.reportDate,
        generated_at: generatedAt,
        generated_text: generatedText,
        zone,
      };
      for (const v of ex.values) {
        const d = decoded.lines[v.lineNo];
        let own = 0;
        for (let n = d.first; n <= d.last; n++) {
          if (!claimed.has(n) && !badSet.has(n)) {
            claimed.add(n);
            own++;
          }
        }
        const row: Row = {
          table: 'daily_report_values',
          line: d.first,
          lines: own,
          values: { ...base, section: v.section, key: v.key, value_text: v.value_text, value_num: v.value_num },
        };
        yield row;
      }
      if (mailDate && dateHeader) {
        yield {
          table: 'daily_report_values',
          line: dateHeader.lineNo,
          lines: 0,
          values: { ...base, section: 'mail', key: 'Mail Date', value_text: mailDate.iso, value_num: null },
        };
      }
      const unclaimed = rest.filter((l) => !claimed.has(l.lineNo)).length;
      ctx.structural('mail_body', unclaimed);
      if (ex.values.length === 0) ctx.note(`${ex.kind} report found but no values could be read`);
    }
  },
});
