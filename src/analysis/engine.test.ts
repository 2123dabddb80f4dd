import { describe, expect, it } from 'vitest';
import { text } from '../i18n/translate.js';
import { localize } from '../i18n/localize.js';
import { defineRule, type LayerId, type RuleDef, type RuleResult, type Status } from './define-rule.js';
import { aggregateStatus, failsOn, runEngine } from './engine.js';
import { TestDb } from './testing.js';
import { addLogs } from './rule-testing.js';
import exceptions from './rules/system/exceptions.js';

function stub(id: string, layer: LayerId, result: RuleResult | (() => RuleResult)): RuleDef {
  return defineRule({ id, layer, title: `stub ${id}`, needs: ['nothing'], check: () => (typeof result === 'function' ? result() : result) });
}

const run = (rules: RuleDef[]) => runEngine(new TestDb().context(), rules);

describe('engine', () => {
  it('keeps the metrics each rule declares as verdict metrics, under their layer keys, with their notes', () => {
    const keyed = (id: string, keys: string[], result: RuleResult): RuleDef => defineRule({ ...stub(id, 'system', result), keyMetrics: keys });
    const r = run([
      keyed('a-first', ['n', 'missing'], { status: 'ok', metrics: { n: 1, detail: 2 }, metricNotes: { n: 'sample: 1 min capture' } }),
      // Same metric name in a second rule: the engine prefixes it, and the key follows the prefix.
      keyed('b-second', ['n'], { status: 'ok', metrics: { n: 3 }, metricNotes: { n: 'source: <db>', other: '' } }),
      keyed('c-none', [], { status: 'ok', metrics: { m: 4 } }),
      stub('d-undeclared', 'system', { status: 'ok', metrics: { u: 5 } }),
    ]);
    const sys = r.layers.find((l) => l.id === 'system')!;
    expect(sys.key_metrics).toEqual(['n', 'b-second.n']);
    expect(sys.metric_notes).toEqual({ n: 'sample: 1 min capture', 'b-second.n': 'source: <db>' });
    expect(Object.keys(sys.metrics).sort()).toEqual(['b-second.n', 'detail', 'm', 'n', 'u']);
  });

  it('every registered rule declares its verdict metrics (an empty list is a declaration too)', async () => {
    const { RULES } = await import('./registry.js');
    for (const rule of RULES) expect(Array.isArray(rule.keyMetrics), rule.id).toBe(true);
  });

  it('records a rule that throws, and the others still run', () => {
    const r = run([
      stub('a-ok', 'system', { status: 'ok', metrics: { n: 1 } }),
      stub('b-throws', 'system', () => {
        throw new Error('no such table: src_trades');
      }),
      stub('c-warn', 'risk', { status: 'warn', findings: [{ severity: 'low', message: 'x', evidence: [] }] }),
    ]);
    expect(r.errors).toEqual([{ rule: 'b-throws', message: 'no such table: src_trades' }]);
    expect(r.rules.map((x) => [x.id, x.status])).toEqual([
      ['a-ok', 'ok'],
      ['b-throws', 'not_evaluable'],
      ['c-warn', 'warn'],
    ]);
    expect(r.rules.find((x) => x.id === 'b-throws')!.missing).toMatch(/the rule failed: no such table/);
    expect(r.layers.find((l) => l.id === 'system')!.status).toBe('ok');
    expect(r.layers.find((l) => l.id === 'risk')!.status).toBe('warn');
  });

  it.each([
    ['returns nothing', () => undefined as unknown as RuleResult, /no result/],
    ['invalid status', () => ({ status: 'broken' }) as unknown as RuleResult, /invalid status/],
    ['invalid severity', () => ({ status: 'ok', findings: [{ severity: 'huge', message: 'm', evidence: [] }] }) as unknown as RuleResult, /invalid severity/],
    ['invalid likelihood', () => ({ status: 'ok', hypotheses: [{ cause: 'c', title: 't', likelihood: 'sure', evidence: [] }] }) as unknown as RuleResult, /invalid likelihood/],
  ])('a malformed result (%s) becomes an error row', (_n, fn, re) => {
    const r = run([stub('bad', 'system', fn), stub('good', 'system', { status: 'ok' })]);
    expect(r.errors[0].rule).toBe('bad');
    expect(r.errors[0].message).toMatch(re);
    expect(r.rules.find((x) => x.id === 'good')!.status).toBe('ok');
  });

  it.each<[Status[], Status]>([
    [['ok', 'warn', 'not_evaluable'], 'warn'],
    [['ok', 'fail', 'warn'], 'fail'],
    [['not_evaluable', 'not_evaluable'], 'not_evaluable'],
    [['not_evaluable', 'ok'], 'ok'],
    [[], 'not_evaluable'],
  ])('layer status of %j is %s', (statuses, expected) => expect(aggregateStatus(statuses)).toBe(expected));

  it('a layer without rules is not evaluable', () => {
    expect(run([stub('x', 'system', { status: 'ok' })]).layers.find((l) => l.id === 'reporting')!.status).toBe('not_evaluable');
  });

  it('not_evaluable when the evidence is absent, or the log covers only minutes of a 3-day block', () => {
    const empty = new TestDb();
    const a = runEngine(empty.context(), [exceptions]);
    expect(a.rules[0]).toMatchObject({ status: 'not_evaluable', missing: 'no service logs in the bundle' });
    const tail = new TestDb();
    addLogs(tail, { service: 'cdb_core', message: 'Config validiert ✓' }, 3000, 3012, 1);
    const b = runEngine(tail.context(), [exceptions]);
    expect(b.rules[0].status).toBe('not_evaluable');
    expect(b.rules[0].missing).toMatch(/cdb_core logs cover 12 min of the 3 d block/);
    expect(b.rules[0].texts?.missing?.key).toBe('exceptions.missing');
    expect(b.layers[0].status).toBe('not_evaluable');
  });

  it('gives findings stable ids and sorts them by severity, rule, id', () => {
    const r = run([
      stub('zeta', 'system', { status: 'warn', findings: [{ subject: 'cdb_risk', severity: 'low', message: 'a', evidence: [] }] }),
      stub('alpha', 'system', {
        status: 'warn',
        findings: [
          { severity: 'medium', message: 'b', evidence: [] },
          { subject: 'cdb_ws', severity: 'high', message: 'c', evidence: [] },
          { subject: 'cdb_ws', severity: 'high', message: 'd', evidence: [] },
        ],
      }),
    ]);
    expect(r.layers[0].findings.map((f) => f.id)).toEqual(['alpha:cdb_ws', 'alpha:cdb_ws#2', 'alpha:main', 'zeta:cdb_risk']);
  });

  it('ranks hypotheses by likelihood, then layer order, then cause; merges a cause keeping the best likelihood', () => {
    const ev = (line: number) => [{ file: 'f.log', line, text: `line ${line}` }];
    const r = run([
      stub('s1', 'system', { status: 'ok', hypotheses: [{ cause: 'system.redis_auth', title: 'auth (weak)', likelihood: 'possible', evidence: ev(1) }] }),
      stub('s2', 'system', { status: 'ok', hypotheses: [{ cause: 'system.redis_auth', title: 'auth (strong)', likelihood: 'very_likely', evidence: ev(2) }] }),
      stub('r1', 'risk', { status: 'ok', hypotheses: [{ cause: 'risk.drawdown_limit', title: 'drawdown', likelihood: 'very_likely', evidence: ev(3) }] }),
      stub('m1', 'market_data', { status: 'ok', hypotheses: [{ cause: 'market_data.b', title: 'b', likelihood: 'likely', evidence: ev(4) }, { cause: 'market_data.a', title: 'a', likelihood: 'likely', evidence: ev(5) }] }),
      stub('x1', 'execution', { status: 'ok', hypotheses: [{ cause: 'execution.x', title: 'x', likelihood: 'unlikely', evidence: [] }] }),
    ]);
    expect(r.hypotheses.map((h) => [h.cause, h.likelihood])).toEqual([
      ['system.redis_auth', 'very_likely'],
      ['risk.drawdown_limit', 'very_likely'],
      ['market_data.a', 'likely'],
      ['market_data.b', 'likely'],
      ['execution.x', 'unlikely'],
    ]);
    const auth = r.hypotheses[0];
    expect(auth.title).toBe('auth (strong)');
    expect(auth.evidence.map((e) => e.line)).toEqual([1, 2]);
    expect(auth.rules).toEqual(['s1', 's2']);
  });

  it('a hypothesis may name another layer than its rule', () => {
    const r = run([stub('s', 'system', { status: 'ok', hypotheses: [{ cause: 'market_data.ws_reconnect_loop', layer: 'market_data', title: 't', likelihood: 'likely', evidence: [] }] })]);
    expect(r.hypotheses[0].layer).toBe('market_data');
  });

  it('sorts to-dos by priority, category, title and dedupes verification checks by id', () => {
    const check = { id: 'v.one', title: 't', kind: 'log' as const, check: 'x', expect: { op: '==' as const, value: 0 } };
    const r = run([
      stub('a', 'system', {
        status: 'ok',
        todos: [
          { category: 'MONITORING', title: 'm', priority: 'low', effort: 'larger', where: 'w' },
          { category: 'CONFIG', title: 'z', priority: 'high', effort: 'quick_win', where: 'w' },
          { category: 'CODE', title: 'c', priority: 'high', effort: 'larger', where: 'w' },
        ],
        verification: [check, { ...check, id: 'v.two' }],
      }),
      stub('b', 'risk', { status: 'ok', verification: [{ ...check, title: 'dup' }], todos: [{ category: 'CONFIG', title: 'z', priority: 'high', effort: 'quick_win', where: 'w' }] }),
    ]);
    expect(r.todos.map((t) => `${t.priority}/${t.category}/${t.title}`)).toEqual(['high/CODE/c', 'high/CONFIG/z', 'low/MONITORING/m']);
    expect(r.verification.map((v) => [v.id, v.title])).toEqual([
      ['v.one', 't'],
      ['v.two', 't'],
    ]);
  });

  it('a to-do\'s where may be keyed text: rendered in English, kept as texts.where, localized with the title', () => {
    const r = run([
      stub('r', 'system', {
        status: 'ok',
        todos: [{ category: 'CONFIG', title: text('clock-skew.todo.resync'), priority: 'low', effort: 'quick_win', where: text('clock-skew.where.host') }],
      }),
    ]);
    expect(r.todos[0].where).toBe('Docker host (WSL2: `wsl --shutdown` or hwclock -s)');
    expect(r.todos[0].texts?.where).toEqual({ key: 'clock-skew.where.host', params: {} });
    expect(localize({ todos: r.todos }, 'de').todos[0].where).toBe('Docker-Host (WSL2: `wsl --shutdown` oder hwclock -s)');
  });

  it('never offers a setting that no service reads as the fix', () => {
    const todo = (where: string) => ({ category: 'CONFIG' as const, title: `edit ${where}`, priority: 'high' as const, effort: 'quick_win' as const, where });
    const r = runEngine(new TestDb().context({ era: 'A' }), [
      stub('r', 'risk', {
        status: 'ok',
        todos: [todo('.env MIN_CONFIDENCE'), todo('.env CIRCUIT_BREAKER_THRESHOLD_PCT'), todo('.env MAX_TOTAL_EXPOSURE_PCT'), todo('.env MAX_EXPOSURE_PCT'), todo('docker-compose.yml cdb_redis command')],
      }),
    ]);
    expect(r.todos.map((t) => t.where)).toEqual(['.env MAX_EXPOSURE_PCT', 'docker-compose.yml cdb_redis command']);
    expect(r.errors.map((e) => e.message)).toEqual([
      'dropped the to-do "edit .env MIN_CONFIDENCE": MIN_CONFIDENCE is read by no service in era A',
      'dropped the to-do "edit .env CIRCUIT_BREAKER_THRESHOLD_PCT": CIRCUIT_BREAKER_THRESHOLD_PCT is read by no service in era A',
      'dropped the to-do "edit .env MAX_TOTAL_EXPOSURE_PCT": MAX_TOTAL_EXPOSURE_PCT is read by no service in era A',
    ]);
    const b = runEngine(new TestDb().context({ era: 'B' }), [stub('r', 'risk', { status: 'ok', todos: [todo('.env MAX_TOTAL_EXPOSURE_PCT')] })]);
    expect(b.todos).toHaveLength(1);
  });

  it('redacts secrets in evidence and messages', () => {
    const r = run([
      stub('s', 'system', {
        status: 'warn',
        findings: [{ severity: 'low', message: 'url redis://:hunter2secret@cdb_redis:6379', evidence: [{ file: '.env', line: 3, text: 'REDIS_PASSWORD=hunter2secret' }] }],
      }),
    ]);
    const f = r.layers[0].findings[0];
    expect(JSON.stringify(f)).not.toContain('hunter2secret');
    expect(f.evidence[0].text).toMatch(/^REDIS_PASSWORD=‹redacted:[0-9a-f]{8}›$/);
  });

  it('keeps a row described in its own words as keyed evidence: redacted, English, German after localize', () => {
    const t = new TestDb();
    const ctx = t.context();
    const rule = stub('s', 'system', () => ({
      status: 'warn',
      findings: [{ severity: 'low', message: 'x', evidence: [ctx.evidence(null, null, text('shared.evidence.printed_at_startup', { setting: 'REDIS_PASSWORD=hunter2secret' }))] }],
    }));
    const ev = runEngine(ctx, [rule]).layers[0].findings[0].evidence[0];
    expect(JSON.stringify(ev)).not.toContain('hunter2secret');
    expect(ev.text).toMatch(/^REDIS_PASSWORD=‹redacted:[0-9a-f]{8}› \(printed at startup\)$/);
    expect(ev.texts?.text.key).toBe('shared.evidence.printed_at_startup');
    const de = localize({ lang: 'en', ev }, 'de').ev;
    expect(de.text).toMatch(/^REDIS_PASSWORD=‹redacted:[0-9a-f]{8}› \(beim Start ausgegeben\)$/);
  });

  it('keeps metrics JSON-safe: NaN/Infinity become null, other types text; a colliding name gets the rule prefix', () => {
    const r = run([
      stub('a', 'system', { status: 'ok', metrics: { rate: Number.NaN, n: 3 } }),
      stub('b', 'system', { status: 'ok', metrics: { n: 4, flag: true as unknown as number, inf: Infinity } }),
    ]);
    expect(r.layers[0].metrics).toEqual({ rate: null, n: 3, 'b.n': 4, flag: 'true', inf: null });
  });

  it.each([
    ['high', true],
    ['critical', false],
    ['info', true],
  ] as const)('--fail-on %s', (sev, hit) => {
    const r = run([stub('s', 'system', { status: 'warn', findings: [{ severity: 'high', message: 'm', evidence: [] }] })]);
    expect(failsOn(r.layers, sev)).toBe(hit);
  });
});
