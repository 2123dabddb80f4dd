/**
 * Texts the rule helpers share (src/analysis/rule-kit.ts, src/analysis/rules/shared/): log
 * coverage, the reworded to-dos of contradicted-todos, where a variable is set. Keys start with `shared.`.
 */
export const en = {
  'shared.unknown_service': '(unknown service)',
  'shared.coverage': '{service} logs cover {span:duration} of the {block:duration} block',
  'shared.coverage.none': 'no {service} logs in the block',
  /** A moment after "at" (English) — German puts its own preposition in. */
  'shared.at_time': '{at:datetime}',
  'shared.unknown_time': 'an unknown time',
} as const;

export const de: { [K in keyof typeof en]: string } = {
  'shared.unknown_service': '(unbekannter Service)',
  'shared.coverage': 'die Logs von {service} decken {span:duration} des Blocks ({block:duration}) ab',
  'shared.coverage.none': 'keine Logs von {service} im Block',
  'shared.at_time': 'am {at:datetime}',
  'shared.unknown_time': 'zu unbekannter Zeit',
};
