/**
 * One container's `docker logs [-t]` output, or the paper runner's `logs/paper_trading_YYYYMMDD.log`
 * (evidence-formats.md §2.1): no prefix, optionally an RFC 3339 stamp first. The service comes from
 * the content (logger names, line shapes) or else from the file name; a note says which.
 */
import type { FileHead } from '../../bundle/types.js';
import { BATCH_ROWS, defineParser, type Row } from '../define-parser.js';
import {
  PowerShellWrapper,
  dockerStampEnd,
  isTopMoversTableLine,
  isWsPrint,
  parseAppLine,
  rfc3339ToIso,
} from '../logs/app-line.js';
import { RecordJoiner } from '../logs/record-joiner.js';
import { ServiceTracker } from '../logs/service-names.js';

const KEY = 'container';
const MARKDOWN = /^(?:#{1,6} |\||```|\*\*|- \*\*|> )/;
const COMPOSE_PREFIX = /^[A-Za-z0-9][A-Za-z0-9_.-]*[ \t]*\|(?: |$)/;

/** Strip the PowerShell `docker : ` wrap and a docker stamp; null for wrapper noise. */
function* contentLines(lines: string[]): Generator<string> {
  const ps = new PowerShellWrapper();
  for (const line of lines) {
    if (ps.isNoise(line)) continue;
    const t = PowerShellWrapper.unwrap(line);
    const se = dockerStampEnd(t);
    yield se > 0 ? (se < t.length ? t.slice(se + 1) : '') : t;
  }
}

function sniff(head: FileHead) {
  const lines = head.complete ? head.lines : head.lines.slice(0, -1);
  let considered = 0;
  let headers = 0;
  let prints = 0;
  let python = 0;
  let stamped = 0;
  let compose = 0;
  let json = 0;
  let markdown = 0;
  const ps = new PowerShellWrapper();
  for (let i = 0; i < lines.length && considered < 400; i++) {
    const raw = lines[i];
    if (raw.trim() === '' || ps.isNoise(raw)) continue;
    considered++;
    const t = PowerShellWrapper.unwrap(raw);
    if (t.charCodeAt(0) === 123 /* { */) json++;
    if (MARKDOWN.test(t)) markdown++;
    if (COMPOSE_PREFIX.test(t)) compose++;
    const se = dockerStampEnd(t);
    const c = se > 0 ? (se < t.length ? t.slice(se + 1) : '') : t;
    if (se > 0) stamped++;
    const h = parseAppLine(c);
    if (h) {
      headers++;
      if (h.python) python++;
    } else if (isWsPrint(c) || isTopMoversTableLine(c)) prints++;
  }
  if (considered === 0 || compose / considered > 0.3 || json / considered > 0.3) return null;
  // A report or note that quotes a few log lines is not a log.
  if (markdown / considered > 0.1) return null;
  const ratio = (headers + prints) / considered;
  // `docker logs -t` of a container that printed only unformatted lines (werkzeug banner, prints):
  // the daemon's stamp on every line is the tell.
  if ((headers + prints === 0 || ratio < 0.2) && stamped / considered >= 0.8) {
    return { confidence: 50, reason: `${stamped}/${considered} head lines start with docker -t stamps (no application header)` };
  }
  if (headers + prints === 0 || ratio < 0.2) return null;
  const what = python > 0 ? 'Python logging headers' : headers > 0 ? 'container log headers' : 'era-A cdb_ws prints';
  const how = stamped > 0 ? ' after docker -t stamps' : '';
  const confidence = ratio >= 0.5 ? 75 : 55;
  return { confidence, reason: `${headers + prints}/${considered} head lines are ${what}${how}, without a compose prefix` };
}

export default defineParser({
  id: 'docker-logs',
  title: 'docker logs [-t] of one container / paper-runner log file',
  version: 1,
  kind: 'container-log',
  tables: ['log_events'],
  specificity: 40,
  claims: { sniff },
  async *parse(input, ctx) {
    const tracker = new ServiceTracker(input.name, ctx);
    tracker.fromHead(contentLines(input.head.complete ? input.head.lines : input.head.lines.slice(0, -1)));
    const joiner = new RecordJoiner(ctx);
    const ps = new PowerShellWrapper();
    let out: Row[] = [];

    for await (const { text: raw, lineNo } of input.lines()) {
      if (ps.isNoise(raw)) {
        ctx.structural('powershell_wrapper');
        continue;
      }
      let text = PowerShellWrapper.unwrap(raw);
      let dockerTs: string | null = null;
      const se = dockerStampEnd(text);
      if (se > 0) {
        dockerTs = rfc3339ToIso(text.slice(0, se));
        text = se < text.length ? text.slice(se + 1) : '';
      }
      const h = parseAppLine(text);
      if (tracker.undecided && tracker.observe(h, text, lineNo)) joiner.setService(KEY, tracker.service);
      joiner.push(KEY, tracker.service, lineNo, 1, text, dockerTs, null, out, h);
      if (out.length >= BATCH_ROWS) {
        yield out;
        out = [];
      }
    }
    joiner.flush(out);
    yield out;
    tracker.finish();
  },
});
