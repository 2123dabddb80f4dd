import { defineRule, type Finding, type Said, type Status } from '../../define-rule.js';
import { dumpedTable, RISK_TABLES, SIGNAL_TABLES, TRADE_TABLES } from '../shared/sources.js';
import { dayStartIn } from '../../../util/zones.js';
import { text } from '../../../i18n/translate.js';

interface Day {
  day: string;
  signals: number;
  riskApproved: number;
  riskTotal: number;
  trades: number;
  tradesRaw: number;
}

export default defineRule({
  id: 'db-counts-per-day',
  layer: 'reporting',
  title: 'Signals, risk decisions and trades per UTC day (the runbook queries)',
  needs: ['signals / risk_events / trades (canonical)'],
  keyMetrics: [],
  check(ctx) {
    // The runbook's GROUP BY DATE(timestamp), restricted to the block instead of NOW() - 3 days.
    const perDay = (sql: string) =>
      new Map((ctx.db.prepare(sql).all() as { d: string; n: number }[]).map((r) => [r.d, r.n] as const));
    const signals = perDay('SELECT DATE(timestamp) AS d, COUNT(*) AS n FROM trading_signals WHERE in_block = 1 GROUP BY 1 ORDER BY 1');
    const riskTotal = perDay('SELECT DATE(timestamp) AS d, COUNT(*) AS n FROM risk_events WHERE in_block = 1 GROUP BY 1 ORDER BY 1');
    const riskApproved = perDay('SELECT DATE(timestamp) AS d, SUM(approved) AS n FROM risk_events WHERE in_block = 1 GROUP BY 1 ORDER BY 1');
    const trades = perDay('SELECT DATE(ts) AS d, COUNT(*) AS n FROM trades WHERE in_block = 1 GROUP BY 1 ORDER BY 1');
    const twins = perDay('SELECT DATE(ts) AS d, COUNT(*) AS n FROM trades WHERE in_block = 1 AND twin_file_id IS NOT NULL GROUP BY 1 ORDER BY 1');
    const dumps = [dumpedTable(ctx, SIGNAL_TABLES), dumpedTable(ctx, RISK_TABLES), dumpedTable(ctx, TRADE_TABLES)].filter(Boolean);
    const any = signals.size + riskTotal.size + trades.size;
    if (!any && !dumps.length) return { status: 'not_evaluable', missing: text('db-counts-per-day.missing') };

    const zone = ctx.block.zone ?? 'UTC';
    const utcDays: Day[] = [...new Set([...signals.keys(), ...riskTotal.keys(), ...trades.keys()])].sort().map((day) => ({
      day,
      signals: signals.get(day) ?? 0,
      riskApproved: riskApproved.get(day) ?? 0,
      riskTotal: riskTotal.get(day) ?? 0,
      trades: trades.get(day) ?? 0,
      tradesRaw: (trades.get(day) ?? 0) + (twins.get(day) ?? 0),
    }));
    // The block's own days: UTC days as the runbook's DATE(timestamp), or the team's local days.
    const days: Day[] =
      zone === 'UTC'
        ? ctx.block.days.map((day) => utcDays.find((d) => d.day === day) ?? { day, signals: 0, riskApproved: 0, riskTotal: 0, trades: 0, tradesRaw: 0 })
        : ctx.block.days.map((day) => localDay(ctx, day, zone));
    const metrics: Record<string, number | string | null> = {};
    if (zone !== 'UTC') {
      for (const d of utcDays) {
        metrics[`signals_utc_${d.day}`] = d.signals;
        metrics[`trades_utc_${d.day}`] = d.trades;
      }
    }
    for (const d of days) {
      metrics[`signals_${d.day}`] = d.signals;
      metrics[`risk_approved_${d.day}`] = d.riskApproved;
      metrics[`risk_total_${d.day}`] = d.riskTotal;
      metrics[`trades_${d.day}`] = d.trades;
      metrics[`trades_raw_${d.day}`] = d.tradesRaw;
    }
    const line = (ds: Day[]): Said =>
      ds
        .map((d) =>
          text('db-counts-per-day.counts', {
            day: d.day,
            signals: d.signals,
            approved: d.riskApproved,
            total: d.riskTotal,
            trades: d.trades,
            twins: d.tradesRaw !== d.trades ? text('db-counts-per-day.twins', { raw: d.tradesRaw }) : '',
          }),
        )
        .reduceRight<Said | null>((rest, first) => (rest === null ? first : text('db-counts-per-day.join', { first, rest })), null) ?? '';
    const findings: Finding[] = [
      {
        subject: 'per-day',
        severity: 'info',
        message: zone === 'UTC' ? line(days) : text('db-counts-per-day.local_and_utc', { zone, local: line(days), utc: line(utcDays) }),
        evidence: [],
      },
    ];
    let status: Status = 'ok';
    // A silent day between active days: a stop or a capture gap inside the block.
    const active = days.map((d) => d.signals + d.riskTotal + d.trades > 0);
    const first = active.indexOf(true);
    const last = active.lastIndexOf(true);
    const silent = days.filter((_d, i) => i > first && i < last && !active[i]).map((d) => d.day);
    if (silent.length) {
      status = 'warn';
      findings.push({
        subject: 'silent-day',
        severity: 'medium',
        message: text('db-counts-per-day.silent_day', { days: silent.map((day) => text('db-counts-per-day.day', { day })) }),
        evidence: [],
      });
    }
    const lastDay = ctx.block.days[ctx.block.days.length - 1];
    return {
      status,
      metrics,
      findings,
      verification: lastDay
        ? [
            {
              id: 'signals-last-day',
              title: text('db-counts-per-day.check.signals_last_day'),
              kind: 'sql',
              check: `SELECT COUNT(*) FROM trading_signals WHERE in_block = 1 AND DATE(timestamp) = (SELECT MAX(DATE(timestamp)) FROM trading_signals WHERE in_block = 1)`,
              expect: { op: '>=', value: ctx.targets.signals_per_day },
            },
          ]
        : [],
    };
  },
});

/** One calendar day of the block's zone, counted on the canonical tables. */
function localDay(ctx: import('../../define-rule.js').RuleContext, day: string, zone: string): Day {
  const next = new Date(Date.parse(`${day}T00:00:00.000Z`) + 86_400_000).toISOString().slice(0, 10);
  const f = new Date(dayStartIn(day, zone)).toISOString();
  const t = new Date(dayStartIn(next, zone)).toISOString();
  const one = (sql: string) => (ctx.db.prepare(sql).get(f, t) as { n: number | null }).n ?? 0;
  const trades = one('SELECT COUNT(*) AS n FROM trades WHERE in_block = 1 AND ts >= ? AND ts < ?');
  return {
    day,
    signals: one('SELECT COUNT(*) AS n FROM signals WHERE in_block = 1 AND ts >= ? AND ts < ?'),
    riskApproved: one("SELECT COUNT(*) AS n FROM risk_decisions WHERE in_block = 1 AND decision = 'approved' AND ts >= ? AND ts < ?"),
    riskTotal: one('SELECT COUNT(*) AS n FROM risk_decisions WHERE in_block = 1 AND ts >= ? AND ts < ?'),
    trades,
    tradesRaw: trades + one('SELECT COUNT(*) AS n FROM trades WHERE in_block = 1 AND twin_file_id IS NOT NULL AND ts >= ? AND ts < ?'),
  };
}
