/**
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

  'layer.system': 'System & connectivity',
  'layer.market_data': 'Market data / screener',
  'layer.signal_engine': 'Signal engine',
  'layer.risk': 'Risk layer',
  'layer.execution': 'Paper runner / execution',
  'layer.reporting': 'Database & reporting',

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

export type MessageKey = keyof typeof en;
