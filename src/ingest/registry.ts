import type { ParserDef } from './define-parser.js';
import composeLogs from './parsers/compose-logs.js';
import composePs from './parsers/compose-ps.js';
import consoleTranscript from './parsers/console-transcript.js';
import dailyCheckMd from './parsers/daily-check-md.js';
import dockerInspect from './parsers/docker-inspect.js';
import dockerJsonLog from './parsers/docker-json-log.js';
import dockerLogs from './parsers/docker-logs.js';
import dotenv from './parsers/dotenv.js';
import eventJsonl from './parsers/event-jsonl.js';
import pgDump from './parsers/pg-dump.js';
import psqlAligned from './parsers/psql-aligned.js';
import psqlCsv from './parsers/psql-csv.js';
import redisInfo from './parsers/redis-info.js';
import redisKv from './parsers/redis-kv.js';
import redisMonitor from './parsers/redis-monitor.js';
import redisSubscribe from './parsers/redis-subscribe.js';
import redisXrange from './parsers/redis-xrange.js';
import reportMail from './parsers/report-mail.js';
import statusJson from './parsers/status-json.js';
import systemcheckLog from './parsers/systemcheck-log.js';

/** Every parser, sorted by id. Detection asks each of them; the most confident, then the most specific, wins. */
export const PARSERS: ParserDef[] = [
  composeLogs,
  composePs,
  consoleTranscript,
  dailyCheckMd,
  dockerInspect,
  dockerJsonLog,
  dockerLogs,
  dotenv,
  eventJsonl,
  pgDump,
  psqlAligned,
  psqlCsv,
  redisInfo,
  redisKv,
  redisMonitor,
  redisSubscribe,
  redisXrange,
  reportMail,
  statusJson,
  systemcheckLog,
];
