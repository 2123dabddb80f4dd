import { describe, expect, it } from 'vitest';
import { mdTicks } from './helpers.js';
import type { ReportModel } from './model.js';
import { withLang } from './active-lang.js';
import { allMetrics, clockNote, collectionAdvice, groupFindings, hourRanges, keyMetrics, sampleMark, sortTodos, stageDowntime, summaryLines, timelineKind, unobservedStages } from './story.js';
import { todoGroups } from './helpers.js';
import { healthyModel, incidentModel } from './testing.js';

type Hourly = ReportModel['flow']['hourly'];

/** An hourly series of one stage: n per hour from 2026-01-01T00, `null` = no source observed that hour. */
function series(stage: string, ns: (number | null)[], source = 'log'): Hourly {
  return ns.map((n, i) => ({ hour: `2026-01-01T${String(i).padStart(2, '0')}`, stage, class: '', n: n ?? 0, source, in_block: true, observed: n !== null }));
}

describe('stageDowntime: hours each stage was down, from the hourly flow', () => {
  it.each<[string, (number | null)[], Partial<ReturnType<typeof stageDowntime>[number]>]>([
    ['steady flow', [30, 30, 30, 30, 30, 30], { down_hours: 0, down_from: null, recovered_at: null, observed_hours: 6 }],
    ['stops for good', [30, 30, 30, 0, 0, 0], { down_hours: 3, down_from: '2026-01-01T03', recovered_at: null }],
    ['stops and recovers', [30, 30, 0, 0, 30, 30], { down_hours: 2, down_from: '2026-01-01T02', recovered_at: '2026-01-01T04' }],
    ['one low hour is no outage', [30, 30, 0, 30, 30, 30], { down_hours: 0 }],
    ['below 10 % of the median counts as down', [30, 30, 2, 2, 30, 30], { down_hours: 2 }],
    ['an hour nobody saw is neither down nor up', [30, 0, null, 0, 30, 30], { down_hours: 0, unobserved_hours: 1, observed_hours: 5 }],
    ['a sparse stage needs a longer silence', [1, 0, 1, 0, 0, 1, 0, 1], { down_hours: 0 }],
    ['never ran while observed: down all along', [0, 0, 0], { down_hours: 3, down_from: '2026-01-01T00', recovered_at: null }],
    ['not observed at all: nothing to say', [null, null], { down_hours: 0, observed_hours: 0, unobserved_hours: 2, source: 'none' }],
  ])('%s', (_n, ns, want) => {
    const d = stageDowntime(series('signals', ns)).find((x) => x.stage === 'signals')!;
    expect(d).toMatchObject(want);
  });

  it('counts only trades rows for the persisted stage and sums sources per hour', () => {
    const h: Hourly = [
      ...series('persisted', [5, 5, 5], 'db'),
      { hour: '2026-01-01T00', stage: 'persisted', class: 'signals', n: 100, source: 'db', in_block: true, observed: true },
      { hour: '2026-01-01T00', stage: 'persisted', class: 'exec.saved_trade', n: 2, source: 'log', in_block: true, observed: true },
    ];
    expect(stageDowntime(h).find((x) => x.stage === 'persisted')).toMatchObject({ events: 17, source: 'db+log' });
  });

  it('leaves rows outside the block out', () => {
    const h = series('orders', [30, 0, 0]).map((r, i) => (i > 0 ? { ...r, in_block: false } : r));
    expect(stageDowntime(h).find((x) => x.stage === 'orders')).toMatchObject({ observed_hours: 1, down_hours: 0 });
  });
});

describe('summaryLines: the summary a reader sees first', () => {
  const incident = incidentModel();
  const withBreak = (patch: Partial<ReportModel['flow']>, hyp?: Record<string, unknown>): ReportModel =>
    ({ ...incident, flow: { ...incident.flow, ...patch }, hypotheses: hyp ? [{ ...incident.hypotheses[0], ...hyp }, ...incident.hypotheses.slice(1)] : incident.hypotheses }) as ReportModel;
  const line = (m: ReportModel, label: string) => summaryLines(m).find((l) => l.label === label)?.text;

  it.each<[string, ReportModel, string, string | undefined]>([
    ['healthy', healthyModel(), 'What broke', 'nothing — every stage flowed through the block and every rule passed'],
    ['a stop that recovered, with a restart before it', withBreak({ break_stage: 'signals', break_at: '2026-01-01T01:59:00Z', hourly: series('signals', [30, 30, 0, 0, 30]) }), 'When', 'from 2026-01-01T01:59:00Z; recovered at 2026-01-01 04:00 UTC (2 hours down), no restart or resume in the bundle explains it'],
    ['the first to-do by priority when none addresses the top cause', { ...incident, todos: incident.todos.map((t) => ({ ...t, cause: null })).reverse() }, 'Do next', 'Check why the daily loss stays beyond the limit before raising MAX_DAILY_DRAWDOWN_PCT (.env line 23)'],
    ['a stop that never recovered', withBreak({ break_stage: 'signals', break_at: '2026-01-01T01:59:00Z', hourly: series('signals', [30, 30, 0, 0, 0]) }), 'When', 'from 2026-01-01T01:59:00Z; never recovered in the block (3 hours down to its end)'],
    ['the cause chain when the hypothesis has one', withBreak({}, { chain: 'Redis ran out of disk → AOF write failed → signals stopped' }), 'Cause', 'Redis ran out of disk → AOF write failed → signals stopped (very likely, hypothesis #1)'],
    ['the title when it has none', { ...incident, hypotheses: incident.hypotheses.map((h) => ({ ...h, chain: '' })) }, 'Cause', 'Daily drawdown limit too strict (very likely, hypothesis #1)'],
    ['no hypothesis, but a break', { ...incident, hypotheses: [] }, 'Cause', 'no rule named a cause: read the timeline and the break layer below'],
    ['what did not get through, from counts of the same sources', { ...incident, flow: { ...incident.flow, counts: { ...incident.flow.counts, trades: 10, persisted_trades: 4 } } }, 'Not processed', '6 of 10 trades not persisted'],
    ['no "not persisted" from a log count without the trades table', { ...incident, flow: { ...incident.flow, sources: { ...incident.flow.sources, trades: 'log' }, counts: { ...incident.flow.counts, trades: 10, persisted_trades: 0 } } }, 'Not processed', undefined],
    ['the to-do that addresses the top cause', incident, 'Do next', 'Check why the daily loss stays beyond the limit before raising MAX_DAILY_DRAWDOWN_PCT (.env line 23)'],
  ])('%s', (_n, m, label, want) => expect(line(m, label)).toBe(want));

  // No hourly series for the stage: the clause comes from the break reason's keyed recovery part.
  it.each<['en' | 'de', string, string]>([
    ['en', 'break.never_recovered', 'from 2026-01-01T01:59:00Z; never recovered in the block'],
    ['de', 'break.never_recovered', 'ab 01.01.2026 01:59 UTC; im Block nicht wieder angelaufen'],
    ['de', 'break.back_at', 'ab 01.01.2026 01:59 UTC; wieder normal ab 01.01.2026 05:00 UTC'],
  ])('%s: the recovery clause of a keyed break reason (%s)', (lang, key, want) => {
    const recovery = key === 'break.back_at' ? { key, params: { at: '2026-01-01T05:00:00Z' } } : { key, params: {} };
    const m = withBreak({ break_stage: 'signals', break_at: '2026-01-01T01:59:00Z', hourly: [], break_reason: 'English text not parsed any more', texts: { break_reason: { key: 'break.stopped', params: { recovery } } } });
    expect(summaryLines({ ...m, lang }).find((l) => l.label === (lang === 'en' ? 'When' : 'Wann'))?.text).toBe(want);
  });

  it('says how it recovered when a restart precedes the recovery', () => {
    const m = withBreak({ break_stage: 'signals', break_at: '2026-01-01T01:59:00Z', hourly: series('signals', [30, 30, 0, 0, 30]) });
    m.timeline = [{ at: '2026-01-01T03:40:00Z', kind: 'restart', service: 'cdb_signal', title: 'cdb_signal started', count: 1, evidence: [], clock: null }];
    expect(line(m, 'When')).toBe('from 2026-01-01T01:59:00Z; recovered at 2026-01-01 04:00 UTC (2 hours down), after cdb_signal restarted at 2026-01-01T03:40:00Z');
  });

  it.each([incidentModel(), healthyModel()])('stays within 10 lines with the block and evidence lines around it (%#)', (m) => {
    expect(summaryLines(m).length + 2).toBeLessThanOrEqual(10);
  });

  it('uses the hypothesis start when the break has no time', () => {
    expect(line(withBreak({ break_at: null, hourly: [] }, { started_at: '2025-11-26T00:49:33Z' }), 'When')).toBe('from 2025-11-26T00:49:33Z');
  });
});

describe('metrics: the verdict ones in the body, all in the appendix', () => {
  const m = incidentModel();
  const layer = (id: string) => m.layers.find((l) => l.id === id)!;
  it.each<[string, string[], (string | null)[]]>([
    ['system', ['restarts_total', 'evicted_keys'], [null, null]],
    ['market_data', ['events', 'events_per_min'], ['sample: 1-minute redis capture', 'sample: 1-minute redis capture']],
    ['execution', [], []],
  ])('%s: declared key metrics with their notes', (id, names, notes) => {
    const rows = keyMetrics(layer(id), m.kpis);
    expect(rows.map((r) => r.name)).toEqual(names);
    expect(rows.map((r) => r.note)).toEqual(notes);
  });

  it.each<[string, string | null]>([
    ['signals_total', '> 100'],
    ['market_data_events', null],
  ])('a KPI target next to %s unless the value is a sample', (metric, target) => {
    const l = { ...layer('signal_engine'), metrics: { [metric]: 5 }, key_metrics: [metric], metric_notes: metric === 'market_data_events' ? { [metric]: 'sample: 1 min capture' } : {} };
    expect(keyMetrics(l, m.kpis)[0].target).toBe(target);
  });

  it('ignores a declared key the rule did not report, and the appendix lists every metric', () => {
    const l = { ...layer('risk'), key_metrics: ['approved', 'not_there'] };
    expect(keyMetrics(l, m.kpis).map((r) => r.name)).toEqual(['approved']);
    expect(allMetrics(l).map((r) => r.name)).toEqual(Object.keys(l.metrics));
  });

  it.each<[unknown, string]>([
    ['sample: 1-minute capture', ' (sample)'],
    ['source: db', ''],
    [null, ''],
  ])('sampleMark(%j) = %j', (note, want) => expect(sampleMark(note)).toBe(want));
});

describe('groupFindings: one incident seen per service is one group', () => {
  const f = (rule: string, subject: string, severity: ReportModel['layers'][number]['findings'][number]['severity']) => ({ id: `${rule}:${subject}`, rule, subject, severity, message: `${rule} ${subject}`, evidence: [] });
  const services = [{ service: 'cdb_risk' }, { service: 'cdb_signal' }, { service: 'cdb_ws' }];
  it.each<[string, ReturnType<typeof f>[], [boolean, string][]]>([
    ['same rule, same severity, services', [f('connectivity-failures', 'cdb_risk', 'high'), f('connectivity-failures', 'cdb_signal', 'high')], [[true, 'cdb_risk, cdb_signal']]],
    ['subjects that are no services stay apart', [f('payload-fields', 'volume', 'low'), f('payload-fields', 'pct_change', 'low')], [[false, 'volume'], [false, 'pct_change']]],
    ['info lines are not incidents', [f('exceptions', 'cdb_risk', 'info'), f('exceptions', 'cdb_ws', 'info')], [[false, 'cdb_risk'], [false, 'cdb_ws']]],
    ['a lone finding', [f('exceptions', 'cdb_risk', 'high')], [[false, 'cdb_risk']]],
    ['worst first across rules', [f('a', 'cdb_ws', 'low'), f('b', 'cdb_risk', 'critical'), f('b', 'cdb_signal', 'critical')], [[true, 'cdb_risk, cdb_signal'], [false, 'cdb_ws']]],
  ])('%s', (_n, list, want) => {
    expect(groupFindings(list, services).map((g) => [g.grouped, g.subjects])).toEqual(want);
  });
});

describe('to-dos by priority or by category', () => {
  const todos = incidentModel().todos;
  it.each<[string, string[]]>([
    ['category', ['CONFIG', 'CONFIG', 'CODE', 'MONITORING', 'RISK']],
    ['priority', ['RISK', 'CONFIG', 'CODE', 'MONITORING', 'CONFIG']],
  ])('sortTodos(%s)', (order, cats) => expect(sortTodos(todos, order).map((t) => t.category)).toEqual(cats));

  it('priority sections hold only the priorities present, numbered through', () => {
    const g = todoGroups(todos, 'priority');
    expect(g.map((x) => [x.heading, x.todos.map((t) => t.n)])).toEqual([
      ['🔴 high priority', [1]],
      ['🟡 medium priority', [2, 3, 4]],
      ['🟢 low priority', [5]],
    ]);
    expect(todoGroups([], 'category').every((x) => x.showEmpty && x.todos.length === 0)).toBe(true);
  });
});

describe('collection quality', () => {
  it.each<[string[], string]>([
    [['2026-01-01T00', '2026-01-01T01', '2026-01-01T02'], '2026-01-01T00–02'],
    [['2026-01-01T05', '2026-01-01T00', '2026-01-01T01'], '2026-01-01T00–01, 2026-01-01T05'],
    [['2026-01-01T23', '2026-01-02T00'], '2026-01-01T23 – 2026-01-02T00'],
    [['2026-01-01T07'], '2026-01-01T07'],
    [[], ''],
  ])('hourRanges(%j) = %j', (hours, want) => expect(hourRanges(hours)).toBe(want));

  it('lists per stage the block hours no source observed', () => {
    expect(unobservedStages([...series('market_data', [null, null, 30, null]), ...series('signals', [1, 1, 1, 1])])).toEqual([{ stage: 'market_data', label: 'market data', hours: 3, ranges: '2026-01-01T00–01, 2026-01-01T03' }]);
  });

  it.each<[string, (m: ReportModel) => ReportModel, RegExp, boolean]>([
    ['--timestamps when clock skew could not be measured', (m) => withRule(m, 'clock-skew', 'not_evaluable', ['docker --timestamps']), /--timestamps/, true],
    ['no --timestamps advice when clock skew was measured', (m) => withRule(m, 'clock-skew', 'ok', []), /--timestamps/, false],
    ['2>&1 for docker logs captures without a traceback', (m) => ({ ...m, manifest: { files: [...m.manifest.files, { ...m.manifest.files[2], path: 'logs/risk.log', parser: 'docker-logs' }] } }), /2>&1/, true],
    ['a capture during the block when market data was a sample', (m) => m, /market-data capture over the whole block/, true],
    ['the missing input of a rule that could not run', (m) => m, /persistence-gaps: no trades dump/, true],
    ['not a rule whose input was empty because the flow stopped upstream', (m) => m, /execution-orders/, false],
  ])('%s', (_n, patch, re, present) => {
    const advice = collectionAdvice(patch(incidentModel())).map((a) => `${a.what} — ${a.why}`).join('\n');
    expect(re.test(advice), advice).toBe(present);
  });

  it('asks for nothing when nothing was missing', () => {
    const h = healthyModel();
    expect(collectionAdvice({ ...h, layers: h.layers.map((l) => ({ ...l, metric_notes: {} })) })).toEqual([]);
  });
});

function withRule(m: ReportModel, id: string, status: 'ok' | 'not_evaluable', needs: string[]): ReportModel {
  const layers = m.layers.map((l) => (l.id === 'system' ? { ...l, rules: [...l.rules, { id, layer: l.id, title: id, status, missing: status === 'ok' ? null : 'no docker stamp', needs }] } : l));
  return { ...m, layers };
}

describe('timeline wording', () => {
  it.each<[ReportModel['timeline'][number]['clock'], string]>([
    [{ label: 'application clock vs docker --timestamps stamp', offset_s: 3600 }, '⏱ application clock vs docker --timestamps stamp: +3,600 s'],
    [{ label: 'x', offset_s: -7.5 }, '⏱ x: -7.5 s'],
    [{ label: 'report header in host local, shown in UTC', offset_s: null }, '⏱ report header in host local, shown in UTC'],
    [null, ''],
  ])('clockNote(%j) = %j', (clock, want) => expect(clockNote(clock)).toBe(want));

  it.each<[string, string]>([
    ['use `--timestamps` (x_y)', 'use `--timestamps` (x_y)'],
    ['a <b>tag</b> and `<i>code</i>`', 'a \\<b>tag\\</b> and `<i>code</i>`'],
    ['unpaired ` tick <b>', 'unpaired \\` tick \\<b>'],
  ])('mdTicks(%j) = %j', (input, want) => expect(mdTicks(input)).toBe(want));
});

describe('German summary (the model says lang de)', () => {
  const incident = { ...incidentModel(), lang: 'de' } as ReportModel;
  const withBreak = (patch: Partial<ReportModel['flow']>): ReportModel => ({ ...incident, flow: { ...incident.flow, ...patch } }) as ReportModel;
  const line = (m: ReportModel, label: string) => summaryLines(m).find((l) => l.label === label)?.text;

  it.each<[string, ReportModel, string, string | undefined]>([
    ['healthy', { ...healthyModel(), lang: 'de' }, 'Was brach', 'nichts — jede Stufe lief durch den ganzen Block und jede Regel hat bestanden'],
    ['a stop that recovered: German moments, plural hours', withBreak({ break_stage: 'signals', break_at: '2026-01-01T01:59:00Z', hourly: series('signals', [30, 30, 0, 0, 30]) }), 'Wann', 'ab 01.01.2026 01:59 UTC; wieder angelaufen um 01.01.2026 04:00 UTC (2 Stunden Ausfall), kein Neustart und keine Wiederaufnahme im Bundle erklärt es'],
    ['no start anywhere in the bundle', { ...withBreak({ break_at: null, hourly: [] }), hypotheses: [] }, 'Wann', 'der Beginn ist nicht im Bundle'],
    ['the stage and layer named in German', withBreak({ break_stage: 'signals' }), 'Was brach', 'Signale gestoppt — der Bruch liegt in der Schicht Risk'],
    ['the likelihood in German', incident, 'Ursache', 'Daily drawdown limit too strict (from 2025-11-26T00:49:33Z) → No order reaches execution (from 2025-11-26T00:49:33Z) (sehr wahrscheinlich, Hypothese #1)'],
    ['counts grouped the German way, the absent source said in German', { ...incident, flow: { ...incident.flow, counts: { ...incident.flow.counts, signals: 18340 } } }, 'Fluss', '18.340 Signale (db) → 0 genehmigt / 127 abgelehnt (db) → 0 Orders (keine Belege) → 0 Trades (db) → 0 persistiert (db)'],
    ['what did not get through, each clause in German', { ...incident, flow: { ...incident.flow, counts: { ...incident.flow.counts, signals: 130, trades: 1, persisted_trades: 0 } } }, 'Nicht verarbeitet', '3 Signale ohne Risk-Entscheidung; 1 von 1 Trade nicht persistiert'],
  ])('%s', (_n, m, label, want) => expect(line(m, label)).toBe(want));

  it('labels every line in German and keeps the English labels out', () => {
    const labels = summaryLines(incident).map((l) => l.label);
    expect(labels).toEqual(['Was brach', 'Wann', 'Ursache', 'Ausfall', 'Fluss', 'Nicht beobachtet', 'Als Nächstes']);
  });

  it('gives collection advice in German, with the German stage word', () => {
    const advice = collectionAdvice(incident).map((a) => `${a.what} — ${a.why}`).join('\n');
    expect(advice).toContain('ein Marktdaten-Mitschnitt über den ganzen Block');
    expect(advice).toContain('Marktdaten wurden nur als Stichprobe erfasst (sample: 1-minute redis capture)');
    expect(advice).not.toMatch(/market-data capture|was only sampled/);
  });

  it.each<[string, string, string]>([
    ['a sample note of the German analysis is still a sample', 'Stichprobe: 1 Minute Mitschnitt', ' (Stichprobe)'],
    ['an English sample note in a German report', 'sample: 1-minute redis capture', ' (Stichprobe)'],
    ['anything else', 'source: db', ''],
  ])('sampleMark: %s', (_n, note, want) => expect(withLang('de', () => sampleMark(note))).toBe(want));

  it.each<[string[], string]>([
    [['2026-01-01T00', '2026-01-01T01', '2026-01-01T03'], '01.01.2026 00–01h, 01.01.2026 03h'],
    [['2026-01-01T23', '2026-01-02T00'], '01.01.2026 23h – 02.01.2026 00h'],
  ])('hourRanges(%j) in German = %j', (hours, want) => expect(withLang('de', () => hourRanges(hours))).toBe(want));

  it('writes the clock offset and the timeline kind in German', () => {
    expect(withLang('de', () => clockNote({ label: 'x', offset_s: 3600 }))).toBe('⏱ x: +3.600 s');
    expect(withLang('de', () => timelineKind('rejection_first'))).toBe('✋ erste Ablehnung');
    expect(timelineKind('rejection_first')).toBe('✋ first rejection');
  });
});
