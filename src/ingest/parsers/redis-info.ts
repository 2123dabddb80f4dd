import type { FileHead, Line } from '../../bundle/types.js';
import { defineParser, type Row, type SniffResult } from '../define-parser.js';
import { classifyNoise, contextSink, countingSink, errorNote, headLines, type Sink } from '../redis/resp-text.js';

/**
 * `redis-cli INFO [section]` (evidence-formats.md §4.4): `# Section` headers and `key:value`
 * lines, always printed raw by redis-cli, CRLF line ends (the reader strips them; a stray `\r`
 * is stripped here too). Several INFO outputs in one file simply continue the sections.
 */

const SECTIONS = new Set([
  'server', 'clients', 'memory', 'persistence', 'stats', 'replication', 'cpu', 'modules', 'errorstats', 'cluster',
  'keyspace', 'keysizes', 'latencystats', 'commandstats', 'threads', 'module_list',
]);
const KNOWN_KEYS = new Set([
  'redis_version', 'redis_mode', 'uptime_in_seconds', 'connected_clients', 'used_memory', 'used_memory_human', 'maxmemory',
  'maxmemory_policy', 'loading', 'aof_enabled', 'aof_last_write_status', 'evicted_keys', 'rejected_connections',
  'pubsub_channels', 'total_connections_received', 'total_commands_processed', 'role', 'rdb_last_bgsave_status',
  'mem_fragmentation_ratio', 'keyspace_hits', 'keyspace_misses', 'expired_keys', 'blocked_clients', 'tcp_port',
]);
const HEADER = /^# (\S.*)$/;
const KV = /^([A-Za-z0-9_.-]+):(.*)$/;
const DBSIZE = /^(?:\(integer\) )?(\d+)$/;

export class InfoMachine {
  private section: string | null = null;
  pairs = 0;
  headers = 0;
  knownHeaders = 0;
  knownKeys = 0;
  /** `key: value` with a space: YAML or a log, not INFO. */
  spaced = 0;
  stray = 0;
  /** A bare `DBSIZE` answer after `INFO keyspace` (`(integer) 12` or `12`). */
  dbsize = 0;

  constructor(private readonly sink: Sink<Row>) {}

  feed(line: Line): void {
    const text = line.text.replace(/\r+$/, '');
    // Prompts and shell echoes first: `127.0.0.1:6379> INFO` would read as a key:value line.
    const noise = classifyNoise(text);
    if (noise) {
      if (noise.kind === 'redis_error') this.sink.note(errorNote(line.lineNo, noise.error ?? ''));
      this.sink.structural(noise.kind);
      return;
    }
    let m: RegExpExecArray | null;
    if ((m = HEADER.exec(text))) {
      this.section = m[1].trim();
      this.headers++;
      if (SECTIONS.has(this.section.toLowerCase())) this.knownHeaders++;
      this.sink.structural('section_header');
      return;
    }
    if ((m = KV.exec(text))) {
      this.pairs++;
      if (KNOWN_KEYS.has(m[1])) this.knownKeys++;
      if (m[2].startsWith(' ')) this.spaced++;
      this.sink.row({ table: 'redis_info', line: line.lineNo, lines: 1, values: { section: this.section, key: m[1], value: m[2] } });
      return;
    }
    // `redis-cli INFO keyspace; redis-cli DBSIZE` into one file: the answer follows the section.
    if (this.section?.toLowerCase() === 'keyspace' && this.dbsize === 0 && (m = DBSIZE.exec(text))) {
      this.dbsize++;
      this.sink.row({ table: 'redis_info', line: line.lineNo, lines: 1, values: { section: 'dbsize', key: 'dbsize', value: m[1] } });
      return;
    }
    this.stray++;
    this.sink.quarantine(line.lineNo, 'not an INFO line (expected `# Section` or `key:value`)', text);
  }
}

function sniff(head: FileHead): SniffResult | null {
  const sink = countingSink<Row>();
  const m = new InfoMachine(sink);
  headLines(head).forEach((text, i) => m.feed({ text, lineNo: i + 1 }));
  if (m.stray > 0 || m.spaced * 5 > m.pairs) return null;
  // `INFO keyspace` of an empty Redis is the header alone, perhaps with a DBSIZE answer of 0.
  if (m.pairs === 0) return m.headers === 1 && m.knownHeaders === 1 && m.dbsize + m.headers > 0 && /^# keyspace\s*$/im.test(headLines(head).join('\n')) ? { confidence: 90, reason: 'redis INFO keyspace output (no keys)' } : null;
  if (m.knownHeaders > 0 && m.headers === m.knownHeaders) {
    return { confidence: 95, reason: `redis INFO output: sections ${m.headers}, ${m.pairs} key:value lines` };
  }
  if (m.knownKeys >= 2) return { confidence: 80, reason: `redis INFO key:value lines (${m.knownKeys} known keys such as used_memory)` };
  return null;
}

export default defineParser({
  id: 'redis-info',
  title: 'redis-cli INFO output',
  version: 2,
  kind: 'redis',
  tables: ['redis_info'],
  specificity: 70,
  claims: { sniff },
  async *parse(input, ctx) {
    const sink = contextSink<Row>(ctx);
    const m = new InfoMachine(sink);
    for await (const line of input.lines()) {
      m.feed(line);
      yield* sink.drain();
    }
  },
});
