/**
 * The German catalog, in the runbook's own headings and wording (its "Output-Struktur pro
 * 3-Tage-Block"): same keys and placeholders as the English one.
 */
import type { MessageKey } from './en.js';

export const de: Record<MessageKey, string> = {
  'report.title': 'Forensik-Bericht — Block {from:date} bis {to:date}',
  'report.heading.summary': 'Block-Zusammenfassung',
  'report.heading.layers': 'Beobachtungen nach Schichten',
  'report.heading.kpis': 'Key-KPIs des 3-Tage-Blocks',
  'report.heading.hypotheses': 'Root-Cause-Hypothesen / Learnings',
  'report.heading.todos': 'To-do-Liste für den nächsten 3-Tage-Block',
  'report.heading.verification': 'Verifizierungsplan für nächsten Block',
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
