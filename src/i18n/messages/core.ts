/**
 * The report's core words (headings, layers, statuses, summary sentences), English and German.
 * The English catalog: every visible string of a report, keyed by id. Placeholders are `{name}`
 * (text or number), `{name:number}`, `{name:int}`, `{name:pct}`, `{name:date}`, `{name:datetime}`,
 * `{name:duration}` (seconds) or `{name:plural:one|other}` (a count with its noun). The German
 * catalog must have the same keys with the same placeholders (a test checks).
 */
export const en = {
  'report.title': 'Forensics report — block {from:date} to {to:date}',
  'report.heading.summary': 'Block summary',
  'report.heading.layers': 'Observations per layer',
  'report.heading.kpis': 'Key KPIs',
  'report.heading.hypotheses': 'Root-cause hypotheses',
  'report.heading.todos': 'To-dos for the next block',
  'report.heading.verification': 'Verification plan for the next block',
  'report.heading.flow_per_day': 'Flow per day',
  'report.heading.reconciliation': 'Report reconciliation',
  'report.heading.coverage': 'Data coverage',
  'report.heading.manifest': 'Evidence manifest',
  'report.heading.quarantine': 'Quarantine',
  'report.block_days': '{from:date} to {to:date} ({days:plural:day|days})',

  'layer.system': 'System & Connectivity',
  'layer.market_data': 'Market Data / Screener',
  'layer.signal_engine': 'Signal Engine',
  'layer.risk': 'Risk Layer',
  'layer.execution': 'Paper Runner / Execution',
  'layer.reporting': 'Database & Reporting',

  'status.ok': 'OK',
  'status.warn': 'WARN',
  'status.fail': 'FAIL',
  'status.not_evaluable': 'NOT EVALUABLE',

  'likelihood.very_likely': 'very likely',
  'likelihood.likely': 'likely',
  'likelihood.possible': 'possible',
  'likelihood.unlikely': 'unlikely',

  'priority.high': 'high',
  'priority.medium': 'medium',
  'priority.low': 'low',
  'effort.quick_win': 'quick win',
  'effort.larger': 'larger',

  'kpi.metric': 'Metric',
  'kpi.value': 'Value',
  'kpi.target': 'Target',
  'kpi.status': 'Status',
  'kpi.sampled': 'sampled: {span:duration} of capture, not graded against the block target',

  'summary.healthy': 'The flow worked end to end: no stage stopped and no layer failed.',
  'summary.break': '{stage} stopped at {at:datetime} and did not recover.',
  'summary.break_recovered': '{stage} stopped at {at:datetime} and recovered at {until:datetime} ({down:duration} down).',
  'summary.break_no_clock': '{stage} never worked (judged on content: its evidence has no clock).',
} as const;

/** German: the runbook's wording; the six section headings as issue 15 names them. */
export const de: { [K in keyof typeof en]: string } = {
  'report.title': 'Forensik-Bericht — Block {from:date} bis {to:date}',
  'report.heading.summary': 'Block-Zusammenfassung',
  'report.heading.layers': 'Beobachtungen pro Layer',
  'report.heading.kpis': 'Key KPIs',
  'report.heading.hypotheses': 'Root-Cause-Hypothesen',
  'report.heading.todos': 'To-Do-Liste',
  'report.heading.verification': 'Verifikationsplan für den nächsten Block',
  'report.heading.flow_per_day': 'Fluss pro Tag',
  'report.heading.reconciliation': 'Abgleich DB-Counts und Daily-Report',
  'report.heading.coverage': 'Datenabdeckung',
  'report.heading.manifest': 'Beweismittel-Verzeichnis',
  'report.heading.quarantine': 'Quarantäne',
  'report.block_days': '{from:date} bis {to:date} ({days:plural:Tag|Tage})',

  'layer.system': 'System & Connectivity',
  'layer.market_data': 'Market Data / Screener',
  'layer.signal_engine': 'Signal Engine',
  'layer.risk': 'Risk Layer',
  'layer.execution': 'Paper Runner / Execution',
  'layer.reporting': 'Database & Reporting',

  'status.ok': 'OK',
  'status.warn': 'WARNUNG',
  'status.fail': 'FEHLER',
  'status.not_evaluable': 'NICHT AUSWERTBAR',

  'likelihood.very_likely': 'sehr wahrscheinlich',
  'likelihood.likely': 'wahrscheinlich',
  'likelihood.possible': 'möglich',
  'likelihood.unlikely': 'unwahrscheinlich',

  'priority.high': 'hoch',
  'priority.medium': 'mittel',
  'priority.low': 'niedrig',
  'effort.quick_win': 'Quick Win',
  'effort.larger': 'aufwendiger',

  'kpi.metric': 'Metrik',
  'kpi.value': 'Wert',
  'kpi.target': 'Ziel',
  'kpi.status': 'Status',
  'kpi.sampled': 'Stichprobe: {span:duration} Mitschnitt, nicht am Blockziel bewertet',

  'summary.healthy': 'Der Fluss lief durchgehend: keine Stufe stand still, keine Schicht ist fehlgeschlagen.',
  'summary.break': '{stage} stand ab {at:datetime} still und lief nicht wieder an.',
  'summary.break_recovered': '{stage} stand ab {at:datetime} still und lief ab {until:datetime} wieder ({down:duration} Ausfall).',
  'summary.break_no_clock': '{stage} hat nie funktioniert (nach Inhalt beurteilt: die Belege haben keine Uhrzeit).',
};
