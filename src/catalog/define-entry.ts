import type { Era, LayerId } from '../vocabulary.js';

/**
 * What a message tells about the pipeline, independent of which service printed it. The hourly
 * flow, the break detection and the rules count records by stage.
 */
export type Stage =
  | 'lifecycle' // startup banners, shutdown, config echoed at start
  | 'config' // configuration problems (Config-Fehler, live gate, stub mode)
  | 'connectivity' // a connection to Redis/Postgres/the exchange failed, was lost or came back
  | 'market_data' // ticks received or published, the feed's own state
  | 'signal' // signals generated or dropped by a filter
  | 'risk' // risk decisions: received, approved, rejected
  | 'risk_state' // the risk manager's exposure / P&L state
  | 'order' // orders processed by execution
  | 'fill' // fills and execution rejections
  | 'persist' // rows written (or not) to PostgreSQL
  | 'report' // daily reports and mails
  | 'storage' // Redis / PostgreSQL server lines about their own storage
  | 'error' // an error that belongs to no stage above
  | 'health' // health polls and metrics scrapes
  | 'noise'; // wrapper and banner lines that carry no fact

/** An event class: one message text of the real services (or the runbook's dialect). */
export interface CatalogEntry {
  /** Stable id, `<area>.<what>[.<detail>]`: `risk.rejected.max_exposure`. */
  id: string;
  layer: LayerId;
  stage: Stage;
  /** Compose service names that print it; `*` for any (werkzeug, library texts). */
  services: string[];
  /** Eras whose code prints it; an entry that names fewer than A, B and C tells the era. */
  eras: Era[];
  /**
   * Matched against the message after the logger header (multi-line records: the whole text).
   * Named groups are the fields the entry extracts. Anchor on the ASCII part of the text, so that
   * mojibake'd emoji (`âœ…`, `Ô£à`) still match (formats doc §2.2).
   */
  pattern: RegExp;
  /** A literal every matching message contains (or one of several): a cheap test before the pattern runs. */
  needle: string | string[];
  /** The needle is tested case-insensitively (the pattern has the `i` flag). */
  needleCi?: boolean;
  /** Printed per tick or per poll: counted, never evidence one by one. */
  bulk?: boolean;
  /** Tried after every specific entry: a library text that may appear inside any message. */
  generic?: boolean;
  /** Assigned to every record of this log kind (a console transcript's command), never by pattern. */
  kind?: string;
  /** Tried only for records of its own services (a catch-all for a container outside the pipeline). */
  ownServicesOnly?: boolean;
  /** Only printed at DEBUG: its absence at INFO proves nothing (§2.6). */
  debugOnly?: boolean;
  /** Anomaly severity of one occurrence (`info` for normal flow). */
  severity: 'info' | 'warn' | 'error';
  /** Sample messages (as the service prints them, after the header), per era. Each must match this entry only. */
  samples: Partial<Record<Era, string[]>>;
}

export function defineEntries(entries: CatalogEntry[]): CatalogEntry[] {
  for (const e of entries) {
    if (!/^[a-z0-9_]+(\.[a-z0-9_]+)+$/.test(e.id)) throw new Error(`catalog id must be dotted snake_case: ${e.id}`);
    if (e.needleCi ? !e.pattern.flags.includes('i') : false) throw new Error(`${e.id}: needleCi needs an /i pattern`);
  }
  return entries;
}
