/** Messages of the command line (where practical: user errors and the run summary). */
export const en = {
  'cli.run.ingested': '{files:int} file(s) ingested into {db} ({read:int} read, {unchanged:int} unchanged, {quarantined:int} line(s) quarantined)',
  'cli.run.block': 'block {from:date} … {to:date}, era {era}, {dialect} dialect',
  'cli.run.break_layer': 'break layer: {layer}',
  'cli.run.no_break': 'none — the flow held',
  'cli.run.top': 'top hypothesis: {title} ({likelihood})',
  'cli.run.wrote': 'wrote {path}',
  'cli.warning': 'warning: {warning}',
} as const;

export const de: { [K in keyof typeof en]: string } = {
  'cli.run.ingested': '{files:int} Datei(en) eingelesen in {db} ({read:int} gelesen, {unchanged:int} unverändert, {quarantined:int} Zeile(n) in Quarantäne)',
  'cli.run.block': 'Block {from:date} … {to:date}, Ära {era}, Dialekt {dialect}',
  'cli.run.break_layer': 'Bruch-Schicht: {layer}',
  'cli.run.no_break': 'keine — der Fluss hielt',
  'cli.run.top': 'Top-Hypothese: {title} ({likelihood})',
  'cli.run.wrote': 'geschrieben: {path}',
  'cli.warning': 'Warnung: {warning}',
};
