import { describe, expect, it } from 'vitest';
import { parseAppLine } from './app-line.js';
import {
  SIGNAL_AMBIGUOUS,
  ServiceInference,
  evidenceLine,
  normalizeContainerName,
  serviceForLogger,
  serviceFromFileName,
} from './service-names.js';

describe('normalizeContainerName', () => {
  it.each([
    ['cdb_risk', 'cdb_risk'],
    ['cdb_risk-1', 'cdb_risk'],
    ['cdb_paper_runner-12', 'cdb_paper_runner'],
    ['/cdb_core', 'cdb_core'],
    ['claire_de_binare_cdb_core_1', 'cdb_core'],
    ['cdb-blue-cdb_risk-1', 'cdb_risk'],
    ['cdb_market_eth', 'cdb_market_eth'],
    ['web-1', 'web'],
    ['grafana', 'grafana'],
  ])('%s → %s', (name, want) => {
    expect(normalizeContainerName(name)).toBe(want);
  });
});

describe('serviceFromFileName', () => {
  it.each([
    ['cdb_risk.log', 'cdb_risk'],
    ['risk.txt', 'cdb_risk'],
    ['docker_logs_cdb_execution_2025-12-01.txt', 'cdb_execution'],
    ['logs/paper_trading_20251130.log', 'cdb_paper_runner'],
    ['db_writer.log.gz', 'cdb_db_writer'],
    ['cdb_market_eth.log', 'cdb_market_eth'],
    ['cdb_market.log', 'cdb_market'],
    ['cdb-signal.txt', 'cdb_signal'],
    ['ws_20251201.log', 'cdb_ws'],
    ['signals.csv', null],
    ['news.txt', null],
    ['247ddfa3f7dd52f75157a8ae9242ec41afc2238220d0f9da3add217295fea98f-json.log', null],
    ['evidence.txt', null],
  ])('%s → %s', (name, want) => {
    expect(serviceFromFileName(name)).toBe(want);
  });
});

describe('serviceForLogger', () => {
  it.each([
    ['risk_manager', 'cdb_risk'],
    ['execution_service', 'cdb_execution'],
    ['db_writer', 'cdb_db_writer'],
    ['__main__', 'cdb_paper_runner'],
    ['email_alerter', 'cdb_paper_runner'],
    ['ws_service', 'cdb_ws'],
    ['candle_service', 'cdb_candles'],
    ['regime_service', 'cdb_regime'],
    ['allocation_service', 'cdb_allocation'],
    ['market_service', 'cdb_market'],
    ['signal_engine', SIGNAL_AMBIGUOUS],
    ['signal_engine.price_buffer', SIGNAL_AMBIGUOUS],
    ['werkzeug', null],
    ['urllib3.connectionpool', null],
    [null, null],
  ])('%s → %s', (logger, want) => {
    expect(serviceForLogger(logger)).toBe(want);
  });
});

function infer(lines: string[], fileName = 'evidence.txt') {
  const inf = new ServiceInference();
  for (const l of lines) inf.feed(evidenceLine(l), l);
  return inf.decide(fileName, true)!;
}

describe('ServiceInference', () => {
  const health = '2025-12-21 22:20:04,941 [INFO] werkzeug: 127.0.0.1 - - [21/Dec/2025 22:20:04] "GET /health HTTP/1.1" 200 -';
  it.each<[string, string[], string, string | null, RegExp]>([
    ['logger wins', [health, '2025-12-21 22:20:05,000 [INFO] risk_manager: 📨 Signal empfangen: BTC_USDT BUY'], 'x.txt', 'cdb_risk', /content \(logger risk_manager\)/],
    ['content beats the file name', ['2025-11-23 22:10:18,256 - execution_service - INFO - Starting execution_service v0.1.0'], 'cdb_risk.log', 'cdb_execution', /file name suggests cdb_risk, content wins/],
    ['health polls only: file name', [health], 'risk.txt', 'cdb_risk', /from the file name/],
    ['health polls only, no name: unknown', [health], 'evidence.txt', null, /service unknown/],
    ['redis shape', ['1:M 29 Nov 2025 20:50:01.123 * Ready to accept connections tcp'], 'a.txt', 'cdb_redis', /redis log line shape/],
    ['postgres shape', ['2025-11-30 02:41:07.512 UTC [1] LOG:  database system is ready to accept connections'], 'a.txt', 'cdb_postgres', /postgres/],
    ['era-A ws prints', ['[WS] Connecting chunk (attempt 3)...'], 'a.txt', 'cdb_ws', /era-A cdb_ws/],
    ['bare werkzeug is weak: name wins', ['127.0.0.1 - - [29/Nov/2025 20:52:46] "GET /health HTTP/1.1" 200 -'], 'cdb_core.log', 'cdb_core', /file name/],
    ['bare werkzeug alone → cdb_ws (weak)', ['127.0.0.1 - - [29/Nov/2025 20:52:46] "GET /health HTTP/1.1" 200 -'], 'a.txt', 'cdb_ws', /weak/],
    ['dash werkzeug alone → cdb_execution (weak)', ['2025-12-21 23:52:00,865 - werkzeug - INFO - 127.0.0.1 - - [21/Dec/2025 23:52:00] "GET /health HTTP/1.1" 200 -'], 'a.txt', 'cdb_execution', /dash/],
    ['cdb_reports prints', ['[INFO] CDB Daily Orders Summary Service started'], 'a.txt', 'cdb_reports', /cdb_reports/],
    ['signal_engine + file name', ['2026-01-05 09:14:03,100 [INFO] signal_engine: Config validiert ✓'], 'docker_logs_cdb_signal.txt', 'cdb_signal', /file name names cdb_signal/],
    ['signal_engine + B-only message', ['2026-01-05 09:14:03,100 [INFO] signal_engine: PriceBuffer initialized (max_history=100)'], 'a.txt', 'cdb_signal', /era-B-only/],
    ['signal_engine + A-only message', ['2025-11-20 18:59:17,273 [INFO] signal_engine: ✨ Signal generiert: BTC_USDT BUY @ $50000.00 (+3.45%, Confidence: 0.35)'], 'a.txt', 'cdb_core', /era-A-only/],
    ['signal_engine without tells: date guess, ambiguity noted', ['2025-11-20 18:59:17,273 [ERROR] signal_engine: Fehler bei Market-Data-Verarbeitung: x'], 'a.txt', 'cdb_core', /ambiguous \(cdb_core\|cdb_signal\)/],
    ['signal_engine without tells in era B dates', ['2026-01-20 18:59:17,273 [ERROR] signal_engine: Fehler bei Market-Data-Verarbeitung: x'], 'a.txt', 'cdb_signal', /ambiguous/],
  ])('%s', (_n, lines, file, service, how) => {
    const d = infer(lines, file);
    expect(d.service).toBe(service);
    expect(d.how).toMatch(how);
  });

  it('stays undecided before the end when only the ambiguous logger was seen', () => {
    const inf = new ServiceInference();
    const l = '2025-11-20 18:59:17,273 [INFO] signal_engine: Config validiert ✓';
    inf.feed(parseAppLine(l), l);
    expect(inf.decide('a.txt', false)).toBeNull();
    expect(inf.hasStrong()).toBe(false);
  });
});
