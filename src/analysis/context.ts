import type Database from 'better-sqlite3';
import type { Block, Evidence, KpiTargets, RuleContext } from './define-rule.js';
import { isText, render } from '../i18n/translate.js';
import { serviceTsCoverage } from '../db/log-rollup.js';

export const DEFAULT_TARGETS: KpiTargets = {
  signals_total: 100,
  signals_per_day: 30,
  risk_approved: 10,
  trades: 10,
  market_data_events: 10_000,
};

const EVIDENCE_TEXT_MAX = 240;

/** Reads block facts and answers evidence look-ups for rules. */
export function makeRuleContext(db: Database.Database, block: Block, targets: KpiTargets = DEFAULT_TARGETS): RuleContext {
  const pathOf = db.prepare('SELECT path FROM manifest WHERE id = ?');
  const logText = db.prepare('SELECT message, ts_text, level, logger FROM log_events WHERE file_id = ? AND line_no = ? LIMIT 1');
  const coverageCache = new Map<string, ReturnType<RuleContext['logCoverage']>>();
  const blockMs = Math.max(1, Date.parse(block.to) - Date.parse(block.from));
  return {
    db,
    block,
    targets,
    evidence(fileId, line, said): Evidence {
      const path = fileId == null ? '(derived)' : ((pathOf.get(fileId) as { path: string } | undefined)?.path ?? `(file ${fileId})`);
      // A row described in the tool's words is keyed (rendered in English here, like every rule text).
      const keyed = isText(said) ? said : null;
      let t: string | undefined = keyed ? render('en', keyed) : (said as string | undefined);
      if (t === undefined && fileId != null && line != null) {
        const r = logText.get(fileId, line) as { message: string; ts_text: string | null; level: string | null; logger: string | null } | undefined;
        if (r) t = [r.ts_text, r.level ? `[${r.level}]` : null, r.logger ? `${r.logger}:` : null, r.message].filter(Boolean).join(' ');
      }
      t = (t ?? '').split('\n')[0];
      if (t.length > EVIDENCE_TEXT_MAX) t = t.slice(0, EVIDENCE_TEXT_MAX - 1) + '…';
      return { file: path, line: line ?? 0, text: t, ...(keyed ? { texts: { text: keyed } } : {}) };
    },
    logCoverage(service) {
      if (coverageCache.has(service)) return coverageCache.get(service)!;
      // From the service's hourly counts: a busy service has millions of records in the block.
      const r = serviceTsCoverage(db, service, block.from, block.to);
      const v = r.n > 0 && r.f && r.t ? { from: r.f, to: r.t, records: r.n, fraction: Math.min(1, (Date.parse(r.t) - Date.parse(r.f)) / blockMs) } : null;
      coverageCache.set(service, v);
      return v;
    },
  };
}
