import { describe, expect, it } from 'vitest';
import { sentencesOf, spoken, TestDb } from '../../testing.js';
import { addDump, addLogs, addRows, times } from '../shared/testing.js';
import rule, { classifyDbError } from './execution-persistence.js';

interface S {
  fills?: number;
  dump?: boolean;
  persisted?: number;
  failures?: number;
  failure?: string;
  failureService?: string;
  pgRestart?: boolean;
  healthyWriter?: boolean;
  writerAlive?: boolean;
}

const SCHEMA = 'Failed to save trade: column "quantity" of relation "trades" does not exist';
const CONN = 'Failed to persist trade: connection already closed';

function run(s: S, lang: 'en' | 'de' = 'en') {
  const t = new TestDb();
  const ts = times('2025-11-26T02:00:00.000Z', 100, 600_000);
  if (s.fills) addLogs(t, 'cdb_execution', ts.slice(0, s.fills).map((x) => [x, 'Order filled: MOCK_72265633 at 50033.56']));
  if (s.dump) addDump(t, 'trades', ['id', 'symbol', 'side', 'price', 'timestamp']);
  if (s.persisted) {
    addRows(t, 'trades', ts.slice(0, s.persisted).map((x) => ({ ts: x, timestamp: x, symbol: 'BTCUSDT', side: 'BUY', price: 50033.56, source: 'db', in_block: 1 })));
  }
  if (s.failures) {
    addLogs(t, s.failureService ?? 'cdb_execution', ts.slice(0, s.failures).map((x) => [x, s.failure ?? SCHEMA, 'ERROR']));
  }
  if (s.pgRestart) addLogs(t, 'cdb_postgres', [['2025-11-26T01:00:00.000Z', 'database system is ready to accept connections', 'LOG']], { logger: 'postgres' });
  if (s.healthyWriter) addRows(t, 'containers', [{ source: 'compose_ps_table', name: 'cdb_db_writer', service: 'cdb_db_writer', state: 'running', status: 'Up 3 days (healthy)', health: 'healthy' }], 'compose_ps.txt');
  if (s.writerAlive) addLogs(t, 'cdb_db_writer', [['2025-11-26T00:00:01.000Z', 'Listening for events...']]);
  return spoken(rule.check(t.context()), lang);
}

describe('execution-persistence', () => {
  it.each<[string, S, string, string, string]>([
    ['fills, empty trades table, schema errors', { fills: 20, dump: true, failures: 20 }, 'fail', 'execution.persistence_schema', 'very_likely'],
    [
      'fills, dead db_writer connection after a postgres restart while healthy',
      { fills: 20, dump: true, failures: 5, failure: CONN, failureService: 'cdb_db_writer', pgRestart: true, healthyWriter: true },
      'fail',
      'execution.persistence_connection',
      'very_likely',
    ],
    ['one writer fails, the twin persists', { fills: 20, dump: true, persisted: 20, failures: 20 }, 'warn', 'execution.persistence_schema', 'likely'],
    ['fills, empty table, no failure line', { fills: 20, dump: true }, 'fail', 'execution.persistence_unknown', 'possible'],
    ['NOT NULL violation on signals', { failures: 3, failure: 'Failed to persist signal: null value in column "signal_type" of relation "signals" violates not-null constraint', failureService: 'cdb_db_writer' }, 'warn', 'execution.persistence_schema', 'possible'],
  ])('MUST fire: %s', (_n, s, status, cause, likelihood) => {
    const r = run(s);
    expect(r.status).toBe(status);
    expect(r.hypotheses?.find((h) => h.cause === cause)?.likelihood).toBe(likelihood);
  });

  it.each<[string, S, string]>([
    ['every fill persisted', { fills: 20, dump: true, persisted: 20, writerAlive: true }, 'ok'],
    ['nothing filled, nothing failed', { dump: true, writerAlive: true }, 'not_evaluable'],
    ['fills but no way to see persistence', { fills: 20 }, 'not_evaluable'],
  ])('MUST NOT fire: %s', (_n, s, status) => {
    const r = run(s);
    expect(r.status).toBe(status);
    expect(r.hypotheses ?? []).toHaveLength(0);
  });

  it('evidence names the failing insert, the restart and the healthy container', () => {
    const r = run({ fills: 20, dump: true, failures: 5, failure: CONN, failureService: 'cdb_db_writer', pgRestart: true, healthyWriter: true });
    const h = r.hypotheses!.find((x) => x.cause === 'execution.persistence_connection')!;
    const texts = h.evidence.map((e) => e.text).join(' | ');
    expect(texts).toContain('connection already closed');
    expect(texts).toContain('ready to accept connections');
    expect(texts).toContain('cdb_db_writer');
    expect(r.todos?.some((t) => t.where.startsWith('cdb_db_writer'))).toBe(true);
  });

  it.each<[string, S, 'en' | 'de', string[]]>([
    [
      'fills, empty trades table, schema errors',
      { fills: 20, dump: true, failures: 20 },
      'en',
      [
        '20 fills (execution log (Order filled)) but no trade persisted in the block (trades dump); 20 persistence failures logged.',
        `20 persistence failures (schema), e.g. ${SCHEMA}`,
        `First failure: ${SCHEMA}`,
        'Apply the missing migration (column "quantity" of relation "trades")',
      ],
    ],
    [
      'fills, empty trades table, schema errors',
      { fills: 20, dump: true, failures: 1 },
      'de',
      [
        '20 Fills (Execution-Log (Order filled)), aber kein Trade im Block persistiert (Trades-Dump); 1 Persistierungsfehler geloggt.',
        `1 Persistierungsfehler (Schema), z. B. ${SCHEMA}`,
        'Die fehlende Migration anwenden (column "quantity" of relation "trades")',
      ],
    ],
    [
      'a dead connection after a postgres restart while healthy',
      { fills: 20, dump: true, failures: 5, failure: CONN, failureService: 'cdb_db_writer', pgRestart: true, healthyWriter: true },
      'en',
      [
        `First failure: ${CONN}. PostgreSQL restarted in the block; db_writer keeps one connection and never reconnects. The db_writer container still reports healthy: its health check cannot see this.`,
        'The writer lost its database connection and never reconnected',
      ],
    ],
    [
      'a dead connection after a postgres restart while healthy',
      { fills: 20, dump: true, failures: 5, failure: CONN, failureService: 'cdb_db_writer', pgRestart: true, healthyWriter: true },
      'de',
      [
        `5 Persistierungsfehler (Verbindung), z. B. ${CONN}`,
        `Erster Fehler: ${CONN}. PostgreSQL ist im Block neu gestartet; db_writer hält eine einzige Verbindung und baut sie nie neu auf. Der db_writer-Container meldet weiter healthy: sein Health-Check sieht das nicht.`,
      ],
    ],
    ['every fill persisted', { fills: 1, dump: true, persisted: 1, writerAlive: true }, 'en', ['1 fill, 1 trade persisted.']],
    ['every fill persisted', { fills: 20, dump: true, persisted: 20, writerAlive: true }, 'de', ['20 Fills, 20 Trades persistiert.']],
    ['half the fills persisted', { fills: 20, dump: true, persisted: 8, writerAlive: true }, 'de', ['Nur 8 von 20 Fills haben einen persistierten Trade.']],
    [
      'no failure line',
      { fills: 20, dump: true },
      'de',
      [
        'Fills werden aus einem Grund, den das Bundle nicht zeigt, nicht in die Datenbank geschrieben',
        'Keine Zeile `Failed to save/persist` wurde erfasst; das db_writer-Log (stderr) fehlt womöglich im Bundle.',
        'Ausgeführte Trades werden persistiert',
      ],
    ],
  ])('says it in words: %s (%s)', (_n, s, lang, sentences) => {
    const r = run(s, lang);
    const said = sentencesOf(r);
    for (const x of sentences) expect(said).toContain(x);
  });

  it.each<[S, 'en' | 'de', string]>([
    [{ dump: true, writerAlive: true }, 'en', 'no fills in the block (nothing to persist) and no persistence failures'],
    [{ fills: 20 }, 'de', 'kein Trades-Dump und keine db_writer-/Persist-Logzeilen, gegen die die Fills geprüft werden könnten'],
  ])('says why it cannot evaluate %j (%s)', (s, lang, missing) => {
    expect(run(s, lang).missing).toBe(missing);
  });

  it('likelihood drops with fewer failures and the class disappears without them', () => {
    const l = (n: number) => run({ fills: 20, dump: true, failures: n }).hypotheses?.[0];
    expect(l(20)).toMatchObject({ cause: 'execution.persistence_schema', likelihood: 'very_likely' });
    expect(l(3)).toMatchObject({ cause: 'execution.persistence_schema', likelihood: 'likely' });
    expect(l(0)).toMatchObject({ cause: 'execution.persistence_unknown', likelihood: 'possible' });
  });

  it.each<[string, string]>([
    ['column "order_id" of relation "orders" does not exist', 'schema'],
    ['relation "risk_events" does not exist', 'schema'],
    ['new row for relation "signals" violates check constraint "signals_signal_type_check"', 'constraint'],
    ['null value in column "signal_type" of relation "signals" violates not-null constraint', 'constraint'],
    ['connection already closed', 'connection'],
    ['server closed the connection unexpectedly', 'connection'],
    ['connection to server at "cdb_postgres" (172.18.0.16), port 5432 failed: Connection refused', 'connection'],
    ['duplicate key value violates unique constraint "orders_order_id_key"', 'duplicate'],
    ['something odd', 'other'],
  ])('classifyDbError(%j) = %s', (text, cls) => {
    expect(classifyDbError(text)).toBe(cls);
  });
});
