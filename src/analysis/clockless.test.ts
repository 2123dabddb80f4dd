import { describe, expect, it } from 'vitest';
import { FLOW_HOURLY_SQL } from '../model/flow-hourly.js';
import { breakInTime } from './break-in-time.js';
import { clocklessVerdicts } from './clockless.js';
import { addLog } from './rule-testing.js';
import { TestDb } from './testing.js';
import { render } from '../i18n/translate.js';

/** An era-A ws loop as `docker logs cdb_ws` prints it without -t: no clock on any line. */
function wsLoop(attempts: number, opts: { noData?: boolean; banner?: boolean } = {}): string[] {
  const out = opts.banner === false ? [] : ['Hole Symbolliste...', '✓ Redis verbunden - market_data Events werden publiziert'];
  for (let a = 1; a <= attempts; a++) {
    out.push(`[WS] Connecting chunk (attempt ${a})...`, '[WS ERROR] Handshake status 403 Forbidden', `[WS] Disconnected (attempt ${a})`);
    if (opts.noData !== false) out.push('Noch keine Daten – warte auf Klines...');
  }
  return out;
}

function db(lines: string[], opts: { clock?: boolean; service?: string; file?: string } = {}): TestDb {
  const t = new TestDb();
  lines.forEach((message, i) =>
    addLog(t, {
      service: opts.service ?? 'cdb_ws', file: opts.file ?? 'logs/ws_errors.txt', line: i + 1, message, level: null, kind: 'print',
      ts: opts.clock ? new Date(Date.parse('2025-11-26T01:00:00Z') + i * 60_000).toISOString() : null,
    }),
  );
  return t;
}

const evidenceOf = (fileId: number, line: number) => ({ file: `file ${fileId}`, line, text: '' });

describe('clockless sources judged on content', () => {
  it.each([
    { name: 'reconnect loop and "no data yet", no clock', lines: wsLoop(20), clock: false, stage: 'market_data' },
    { name: 'loop without "no data yet" but with its start lines', lines: wsLoop(20, { noData: false }), clock: false, stage: 'market_data' },
    { name: 'a Top-movers line: the feed worked at some time', lines: [...wsLoop(20), '[2025-11-26 01:00:00 UTC] Top movers (15m):'], clock: false, stage: null },
    { name: 'an errors-only extract (grep ERROR): success lines were filtered away', lines: wsLoop(20, { noData: false, banner: false }).filter((l) => l.includes('ERROR')), clock: false, stage: null },
    { name: 'too few failure lines to say anything', lines: ['Hole Symbolliste...', '[WS ERROR] Handshake status 403 Forbidden'], clock: false, stage: null },
    { name: 'the same loop with a clock is the hourly flow\'s business', lines: wsLoop(20), clock: true, stage: null },
  ])('$name → $stage', ({ lines, clock, stage }) => {
    const t = db(lines, { clock });
    const v = clocklessVerdicts(t.db);
    expect(v.map((x) => x.stage)[0] ?? null).toBe(stage);
  });

  it('the reason says it was judged on content and names the lines, the counts and the rising attempts', () => {
    const [v] = clocklessVerdicts(db(wsLoop(12)).db);
    expect(v.reason).toMatch(/^judged on content: logs\/ws_errors\.txt \(cdb_ws\) has no clock/);
    expect(v.reason).toContain('12 × `Noch keine Daten – warte auf Klines...`');
    expect(v.reason).toContain('`[WS ERROR] Handshake status 403 Forbidden`');
    expect(v.reason).toContain('reconnect attempts rising from 1 to 12');
    expect(v.reason).toContain('not one market data line');
    expect(v.attempts).toEqual({ first: 1, last: 12 });
    expect(render('en', v.reasonText)).toBe(v.reason);
    // German: the tool's words translated, the quoted log lines and the path as they are.
    const de = render('de', v.reasonText);
    expect(de).toMatch(/^nach Inhalt beurteilt: logs\/ws_errors\.txt \(cdb_ws\) hat keine Uhrzeit; 50 Einträge darin, davon 36 Fehlerzeilen der Schicht Market Data \/ Screener — /);
    expect(de).toContain('12 × `Noch keine Daten – warte auf Klines...`');
    expect(de).toContain('Reconnect-Versuche steigend von 1 bis 12');
    expect(de).toContain('keine einzige Zeile der Stufe Market Data');
  });

  it.each([
    { name: 'no hourly flow at all', flow: [] as [string, number][], stage: 'market_data' },
    { name: 'no market data counted in any block hour', flow: [['2025-11-26T01', 0]] as [string, number][], stage: 'market_data' },
    { name: 'another source shows market data in the block', flow: [['2025-11-26T01', 40]] as [string, number][], stage: null },
  ])('break on content: $name → $stage', ({ flow, stage }) => {
    const t = db(wsLoop(20));
    if (flow.length) {
      t.db.exec(FLOW_HOURLY_SQL);
      for (const [hour, n] of flow) t.db.prepare("INSERT INTO flow_hourly VALUES (?, 'market_data', '', ?, 'redis', 1, 1)").run(hour, n);
    }
    const b = breakInTime(t.db, evidenceOf);
    expect(b?.stage ?? null).toBe(stage);
    if (b) {
      expect(b).toMatchObject({ layer: 'market_data', at: null, on_content: true });
      expect(b.reason).toContain('judged on content');
      expect(render('de', b.reasonText)).toMatch(/^nach Inhalt beurteilt: /);
      expect(b.evidence.length).toBeGreaterThan(0);
    }
  });
});
