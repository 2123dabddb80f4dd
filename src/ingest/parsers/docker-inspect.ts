import { defineParser, type Row } from '../define-parser.js';
import { JsonElementScanner, findLineNo, isPlainObject, type JsonScanEvent } from '../reports/json-spans.js';
import { isSecretSetting } from '../reports/secret-keys.js';
import { toIsoUtc } from '../../util/time.js';

/**
 * `docker inspect <c> [<c>...]`: a JSON array of container objects, pretty-printed. Each container
 * gives one containers row (restart count, start time, health) and one settings row per Config.Env
 * entry. Env values of secret keys are yielded raw with is_secret = 1; the DB writer redacts them.
 */

function str(v: unknown): string | null {
  return typeof v === 'string' && v !== '' ? v : null;
}

function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/** RFC 3339 with up to 9 fractional digits to ISO with milliseconds; Docker's zero time (0001-01-01) means "never". */
export function dockerTimeToIso(v: unknown): string | null {
  const s = str(v);
  return s ? toIsoUtc(s) : null;
}

function isContainer(o: Record<string, unknown>): boolean {
  return isPlainObject(o.State) && (isPlainObject(o.Config) || typeof o.RestartCount === 'number');
}

const NO_SUCH_RE = /^(Error:|Error response from daemon:)\s/;

export default defineParser({
  id: 'docker-inspect',
  title: 'docker inspect (container JSON array)',
  version: 1,
  kind: 'containers',
  tables: ['containers', 'settings'],
  specificity: 80,
  claims: {
    sniff(head) {
      const first = head.lines.find((l) => l.trim() !== '');
      if (!first || !/^\s*\[/.test(first)) return null;
      const hasId = /"Id"\s*:\s*"[0-9a-f]{12,64}"/.test(head.text);
      const hasState = /"State"\s*:\s*\{/.test(head.text);
      const hasConfig = /"(Config|RestartCount|HostConfig)"\s*:/.test(head.text);
      if (!hasId || !hasState || !hasConfig) return null;
      return { confidence: 95, reason: 'JSON array of objects with Id, State{...} and Config (docker inspect)' };
    },
  },
  async *parse(input, ctx) {
    const scanner = new JsonElementScanner();
    function* handle(events: JsonScanEvent[]): Generator<Row> {
      for (const ev of events) {
        if (ev.type === 'punctuation') {
          ctx.structural(ev.line.text.trim() === '' ? 'blank' : 'json_punctuation');
          continue;
        }
        if (ev.type === 'text') {
          if (NO_SUCH_RE.test(ev.line.text.trim())) {
            ctx.note(`docker reported at line ${ev.line.lineNo}: ${ev.line.text.trim()}`);
            ctx.structural('docker_cli_error');
          } else {
            ctx.quarantine(ev.line.lineNo, 'text outside the docker inspect JSON array', ev.line.text);
          }
          continue;
        }
        if (ev.type === 'trailing') {
          ctx.note(`line ${ev.line.lineNo}: text after a JSON value ignored: ${ev.text.slice(0, 80)}`);
          continue;
        }
        if (ev.type === 'invalid') {
          for (const l of ev.owned) ctx.quarantine(l.lineNo, ev.reason, l.text);
          continue;
        }
        const o = ev.value;
        if (!isPlainObject(o) || !isContainer(o)) {
          const kind = isPlainObject(o) && (o.RepoTags !== undefined || o.RootFS !== undefined) ? 'an image' : 'not a container';
          ctx.note(`inspect object at line ${ev.startLine} is ${kind}; skipped`);
          ctx.structural('inspect_non_container', ev.ownLines);
          continue;
        }
        const state = o.State as Record<string, unknown>;
        const config = isPlainObject(o.Config) ? o.Config : {};
        const labels = isPlainObject(config.Labels) ? config.Labels : {};
        const health = isPlainObject(state.Health) ? str(state.Health.Status) : null;
        const name = (str(o.Name) ?? '').replace(/^\//, '') || null;
        const service = str(labels['com.docker.compose.service']) ?? (name ? name.replace(/[-_]\d+$/, '') : null);
        const status = str(state.Status);
        const extra: string[] = [];
        if (state.OOMKilled === true) extra.push('OOMKilled');
        const err = str(state.Error);
        yield {
          table: 'containers',
          line: ev.startLine,
          lines: ev.ownLines,
          values: {
            source: 'inspect',
            name,
            service,
            project: str(labels['com.docker.compose.project']),
            image: str(config.Image) ?? str(o.Image),
            state: status,
            status: status === null ? null : `${status}${extra.length ? ` (${extra.join(', ')})` : ''}${err ? `: ${err}` : ''}`,
            health,
            exit_code: num(state.ExitCode),
            running_for: null,
            created_at: dockerTimeToIso(o.Created),
            started_at: dockerTimeToIso(state.StartedAt),
            restart_count: num(o.RestartCount),
            up_seconds: null,
          },
        };
        const env = Array.isArray(config.Env) ? config.Env : [];
        const envFrom = findLineNo(ev.lines, '"Env"', ev.startLine);
        for (const entry of env) {
          if (typeof entry !== 'string') continue;
          const i = entry.indexOf('=');
          const key = i >= 0 ? entry.slice(0, i) : entry;
          const value = i >= 0 ? entry.slice(i + 1) : '';
          yield {
            table: 'settings',
            line: findLineNo(ev.lines, JSON.stringify(entry), envFrom, envFrom),
            lines: 0,
            values: { source: 'inspect_env', service, key, value, is_secret: isSecretSetting(key, value) ? 1 : 0 },
          };
        }
      }
    }
    for await (const line of input.lines()) yield* handle(scanner.push(line));
    yield* handle(scanner.end());
  },
});
