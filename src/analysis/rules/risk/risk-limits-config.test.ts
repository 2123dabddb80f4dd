import { describe, expect, it } from 'vitest';
import { sentencesOf, spoken, TestDb } from '../../testing.js';
import { addSettings } from '../shared/testing.js';
import rule from './risk-limits-config.js';

type Row = { key: string; value: string; source?: string; service?: string };

function run(rows: Row[], era = 'A', lang: 'en' | 'de' = 'en') {
  const t = new TestDb();
  addSettings(t, rows.filter((r) => (r.source ?? 'env') === 'env'));
  addSettings(t, rows.filter((r) => r.source === 'startup'), 'logs/cdb_risk.log');
  addSettings(t, rows.filter((r) => r.source === 'inspect_env'), 'inspect/cdb_risk.json');
  return spoken(rule.check(t.context({ era })), lang);
}

const startup = (key: string, value: string): Row => ({ key, value, source: 'startup', service: 'cdb_risk' });

describe('risk-limits-config', () => {
  it.each<[string, Row[], string, string, string]>([
    ['startup banner differs from .env', [{ key: 'MAX_EXPOSURE_PCT', value: '0.30' }, startup('MAX_EXPOSURE_PCT', '50.0%')], 'A', 'limit:MAX_EXPOSURE_PCT', 'warn'],
    ['inspect Env differs from .env', [{ key: 'MAX_DAILY_DRAWDOWN_PCT', value: '0.08' }, { key: 'MAX_DAILY_DRAWDOWN_PCT', value: '0.05', source: 'inspect_env' }], 'A', 'limit:MAX_DAILY_DRAWDOWN_PCT', 'warn'],
    ['era A sets the exposure through MAX_TOTAL_EXPOSURE_PCT', [{ key: 'MAX_TOTAL_EXPOSURE_PCT', value: '0.30' }], 'A', 'unread:MAX_TOTAL_EXPOSURE_PCT', 'warn'],
    ['CIRCUIT_BREAKER_THRESHOLD_PCT is read by no service', [{ key: 'CIRCUIT_BREAKER_THRESHOLD_PCT', value: '0.10' }], 'A', 'unread:CIRCUIT_BREAKER_THRESHOLD_PCT', 'ok'],
    ['runbook-only MIN_CONFIDENCE', [{ key: 'MIN_CONFIDENCE', value: '0.60' }], 'B', 'unread:MIN_CONFIDENCE', 'ok'],
    ['REDIS_MAXMEMORY', [{ key: 'REDIS_MAXMEMORY', value: '256mb' }], 'A', 'unread:REDIS_MAXMEMORY', 'ok'],
  ])('MUST fire: %s', (_n, rows, era, subject, status) => {
    const r = run(rows, era);
    expect(r.status).toBe(status);
    expect(r.findings?.map((f) => f.subject)).toContain(subject);
  });

  it.each<[string, Row[], string]>([
    ['startup equals .env (percent vs fraction)', [{ key: 'MAX_EXPOSURE_PCT', value: '0.50' }, startup('MAX_EXPOSURE_PCT', '50.0%'), startup('MAX_DAILY_DRAWDOWN_PCT', '5.0%'), { key: 'MAX_DAILY_DRAWDOWN_PCT', value: '0.05' }], 'A'],
    ['era B reads MAX_TOTAL_EXPOSURE_PCT', [{ key: 'MAX_TOTAL_EXPOSURE_PCT', value: '0.30' }], 'B'],
    ['era A sets both names to the same value', [{ key: 'MAX_TOTAL_EXPOSURE_PCT', value: '0.50' }, { key: 'MAX_EXPOSURE_PCT', value: '0.50' }], 'A'],
    ['signal threshold as printed', [{ key: 'SIGNAL_THRESHOLD_PCT', value: '3.0' }, startup('SIGNAL_THRESHOLD_PCT', '3.0%')], 'A'],
  ])('MUST NOT fire: %s', (_n, rows, era) => {
    const r = run(rows, era);
    expect(r.status).toBe('ok');
    expect(r.findings?.filter((f) => f.severity !== 'low' && f.severity !== 'info') ?? []).toHaveLength(0);
    expect(r.hypotheses ?? []).toHaveLength(0);
  });

  it('is not evaluable without configuration', () => {
    expect(rule.check(new TestDb().context()).status).toBe('not_evaluable');
  });

  it('names the variable era A really reads and points the to-do at it', () => {
    const r = run([{ key: 'MAX_TOTAL_EXPOSURE_PCT', value: '0.30' }]);
    expect(r.metrics).toMatchObject({ effective_MAX_EXPOSURE_PCT: 0.5, effective_MAX_EXPOSURE_PCT_source: 'code default' });
    expect(r.findings![0].message).toMatch(/reads MAX_EXPOSURE_PCT, in effect 50 %/);
    expect(r.todos?.[0]).toMatchObject({ where: '.env MAX_EXPOSURE_PCT', priority: 'low' });
  });

  it.each<[string, Row[], 'en' | 'de', string[]]>([
    [
      'a banner that differs from .env',
      [{ key: 'MAX_EXPOSURE_PCT', value: '0.30' }, startup('MAX_EXPOSURE_PCT', '50.0%')],
      'en',
      [
        'MAX_EXPOSURE_PCT: the service printed 50 % at startup but .env says 30 %: the configured value is not the one in effect.',
        'Recreate cdb_risk so MAX_EXPOSURE_PCT = 30 % applies, then check the startup banner',
        'cdb_risk prints the configured MAX_EXPOSURE_PCT at startup',
      ],
    ],
    [
      'a banner that differs from .env',
      [{ key: 'MAX_EXPOSURE_PCT', value: '0.30' }, startup('MAX_EXPOSURE_PCT', '50.0%')],
      'de',
      [
        'MAX_EXPOSURE_PCT: der Service hat beim Start 50 % ausgegeben, aber .env sagt 30 %: der konfigurierte Wert ist nicht der wirksame.',
        'cdb_risk neu erstellen, damit MAX_EXPOSURE_PCT = 30 % gilt, dann die Startausgabe prüfen',
        'Ära A liest die .env über env_file nur, wenn der Container erstellt wird: eine geänderte .env braucht `docker compose up -d` (Neuerstellung), keinen Neustart.',
      ],
    ],
    [
      'inspect Env with a fractional percent and a plain number',
      [
        { key: 'MAX_DAILY_DRAWDOWN_PCT', value: '0.08' },
        { key: 'MAX_DAILY_DRAWDOWN_PCT', value: '0.055', source: 'inspect_env' },
        { key: 'SIGNAL_MIN_VOLUME', value: '250000' },
        { key: 'SIGNAL_MIN_VOLUME', value: '1000000', source: 'inspect_env' },
      ],
      'de',
      [
        'MAX_DAILY_DRAWDOWN_PCT: der Container hat 5,5 % bekommen, aber .env sagt 8 %: der konfigurierte Wert ist nicht der wirksame.',
        'SIGNAL_MIN_VOLUME: der Container hat 1.000.000 bekommen, aber .env sagt 250.000: der konfigurierte Wert ist nicht der wirksame.',
      ],
    ],
    [
      'era A with MAX_TOTAL_EXPOSURE_PCT and two unread variables',
      [{ key: 'MAX_TOTAL_EXPOSURE_PCT', value: '0.30' }, { key: 'MIN_CONFIDENCE', value: '0.6' }, { key: 'REDIS_MAXMEMORY', value: '256mb' }],
      'en',
      [
        'MAX_TOTAL_EXPOSURE_PCT = 0.30 is ignored in era A; the risk manager reads MAX_EXPOSURE_PCT, in effect 50 % (code default).',
        'MIN_CONFIDENCE = 0.6 is read by no service: changing it has no effect (no confidence filter exists; the signal filters are SIGNAL_THRESHOLD_PCT and SIGNAL_MIN_VOLUME).',
        'Remove or mark variables no service reads (MIN_CONFIDENCE, REDIS_MAXMEMORY) so nobody tunes them',
      ],
    ],
    [
      'era A with MAX_TOTAL_EXPOSURE_PCT and two unread variables',
      [{ key: 'MAX_TOTAL_EXPOSURE_PCT', value: '0.30' }, { key: 'MIN_CONFIDENCE', value: '0.6' }, { key: 'REDIS_MAXMEMORY', value: '256mb' }],
      'de',
      [
        'MAX_TOTAL_EXPOSURE_PCT = 0.30 wird in Ära A ignoriert; der Risk-Manager liest MAX_EXPOSURE_PCT, wirksam 50 % (Default im Code).',
        'REDIS_MAXMEMORY = 256mb wird von keinem Service gelesen: eine Änderung wirkt nicht (Redis nimmt --maxmemory aus seiner Compose-Kommandozeile).',
        'Variablen, die kein Service liest (MIN_CONFIDENCE, REDIS_MAXMEMORY), entfernen oder markieren, damit niemand an ihnen dreht',
      ],
    ],
  ])('says it in words: %s (%s)', (_n, rows, lang, sentences) => {
    const r = run(rows, 'A', lang);
    const said = sentencesOf(r);
    for (const s of sentences) expect(said).toContain(s);
  });

  it('the wrong-name hypothesis counts the exposure rejections in words', () => {
    const t = new TestDb();
    addSettings(t, [{ key: 'MAX_TOTAL_EXPOSURE_PCT', value: '0.30' }]);
    t.insert('risk_decisions', { ts: '2025-11-27T10:00:00.000Z', decision: 'rejected', reason_code: 'exposure', in_block: 1 });
    expect(spoken(rule.check(t.context({ era: 'A' }))).hypotheses?.[0].why).toBe(
      'The intended 30 % never applies; the limit in effect is 50 %, and 1 signal was rejected on exposure.',
    );
    expect(spoken(rule.check(t.context({ era: 'A' })), 'de').hypotheses?.[0].why).toBe(
      'Die beabsichtigten 30 % gelten nie; wirksam ist das Limit 50 %, und 1 Signal wurde wegen Exposure abgelehnt.',
    );
  });

  it('the wrong-name cause needs exposure rejections in the block', () => {
    const t = new TestDb();
    addSettings(t, [{ key: 'MAX_TOTAL_EXPOSURE_PCT', value: '0.30' }]);
    const without = spoken(rule.check(t.context({ era: 'A' })));
    expect(without.hypotheses ?? []).toHaveLength(0);
    t.insert('risk_decisions', { ts: '2025-11-27T10:00:00.000Z', decision: 'rejected', reason_code: 'exposure', in_block: 1 });
    const withRejections = spoken(rule.check(t.context({ era: 'A' })));
    expect(withRejections.hypotheses?.[0]).toMatchObject({ cause: 'risk.wrong_variable_name', likelihood: 'likely' });
    expect(withRejections.todos?.[0]).toMatchObject({ cause: 'risk.wrong_variable_name', priority: 'medium' });
  });

  it('the mismatch hypothesis is weaker without the startup banner', () => {
    const withBanner = run([{ key: 'MAX_EXPOSURE_PCT', value: '0.30' }, startup('MAX_EXPOSURE_PCT', '50.0%')]);
    const inspectOnly = run([{ key: 'MAX_EXPOSURE_PCT', value: '0.30' }, { key: 'MAX_EXPOSURE_PCT', value: '0.50', source: 'inspect_env' }]);
    const envOnly = run([{ key: 'MAX_EXPOSURE_PCT', value: '0.30' }]);
    expect(withBanner.hypotheses?.[0]).toMatchObject({ cause: 'risk.limits_not_applied', likelihood: 'likely' });
    expect(inspectOnly.hypotheses?.[0]).toMatchObject({ cause: 'risk.limits_not_applied', likelihood: 'possible' });
    expect(envOnly.hypotheses ?? []).toHaveLength(0);
  });

  it('verifies the fix through the startup banner and never edits an unread variable', () => {
    const r = run([
      { key: 'MAX_EXPOSURE_PCT', value: '0.30' },
      startup('MAX_EXPOSURE_PCT', '50.0%'),
      { key: 'CIRCUIT_BREAKER_THRESHOLD_PCT', value: '0.10' },
      { key: 'MIN_CONFIDENCE', value: '0.6' },
    ]);
    const v = r.verification!.find((x) => x.id === 'startup-max_exposure_pct')!;
    expect(new RegExp(v.check).test('   Max Exposure: 30.0%')).toBe(true);
    for (const t of r.todos ?? []) expect(t.where).not.toMatch(/CIRCUIT_BREAKER_THRESHOLD_PCT|MIN_CONFIDENCE/);
  });
});
