#!/usr/bin/env python3
"""Generate samples/decision-contract-era-c/: an era-C block of two compose projects.

The fork's BLUE stack (project cdb-blue: risk, execution, db_writer, market, candles, regime,
allocation, postgres, redis) and RED stack (project cdb-red: ws, signal, prometheus, reports),
each saved with `docker compose -p <project> logs --timestamps`, plus `docker compose ps
--format json` of both. Every signal is blocked by the decision contract (`Decision contract
BLOCK: RC_002`: the panic guard fails closed because its return inputs are missing), so nothing
reaches execution. Every line is a literal message of the formats doc (§2.3, §3), so the event
catalog must classify all of them.

Standard library only, fixed seed and times: the same bytes on every run.

    python3 samples/make-sample-era-c.py
"""
from __future__ import annotations

import json
import os
import random
from datetime import datetime, timedelta, timezone

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, 'decision-contract-era-c')
START = datetime(2026, 2, 3, 0, 0, 0, tzinfo=timezone.utc)
END = datetime(2026, 2, 6, 0, 0, 0, tzinfo=timezone.utc)
rng = random.Random(20260203)


def stamp(t: datetime) -> str:
    return t.strftime('%Y-%m-%dT%H:%M:%S.') + '%09dZ' % (t.microsecond * 1000 + rng.randrange(1000))


def asctime(t: datetime, millis: bool = True) -> str:
    return t.strftime('%Y-%m-%d %H:%M:%S') + (',%03d' % (t.microsecond // 1000) if millis else '')


class Log:
    def __init__(self, services: list[str]):
        self.pad = max(len(s) for s in services) + 1
        self.lines: list[tuple[datetime, int, str]] = []

    def bracket(self, svc: str, t: datetime, level: str, logger: str, msg: str) -> None:
        self.raw(svc, t, f'{asctime(t)} [{level}] {logger}: {msg}')

    def dash(self, svc: str, t: datetime, level: str, logger: str, msg: str) -> None:
        self.raw(svc, t, f'{asctime(t)} - {logger} - {level} - {msg}')

    def raw(self, svc: str, t: datetime, text: str) -> None:
        self.lines.append((t, len(self.lines), f'{svc.ljust(self.pad)}| {stamp(t)} {text}'))

    def write(self, path: str) -> None:
        # compose logs without -f print each container's log in turn (formats doc §2.1)
        by_svc: dict[str, list[tuple[datetime, int, str]]] = {}
        for item in self.lines:
            by_svc.setdefault(item[2].split('|')[0].strip(), []).append(item)
        with open(path, 'w', encoding='utf-8', newline='\n') as f:
            for svc in sorted(by_svc):
                for _, _, line in sorted(by_svc[svc]):
                    f.write(line + '\n')


def health(log: Log, svc: str, logger_fmt: str, port: int) -> None:
    t = START + timedelta(seconds=40 + rng.randrange(20))
    while t < END:
        text = f'127.0.0.1 - - [{t.strftime("%d/%b/%Y %H:%M:%S")}] "GET /health HTTP/1.1" 200 -'
        if logger_fmt == 'dash':
            log.dash(svc, t, 'INFO', 'werkzeug', text)
        else:
            log.bracket(svc, t, 'INFO', 'werkzeug', text)
        t += timedelta(minutes=30)


def main() -> None:
    os.makedirs(os.path.join(OUT, 'logs'), exist_ok=True)
    os.makedirs(os.path.join(OUT, 'ps'), exist_ok=True)
    blue = Log(['cdb_risk', 'cdb_execution', 'cdb_db_writer', 'cdb_market', 'cdb_candles', 'cdb_regime', 'cdb_allocation', 'cdb_postgres', 'cdb_redis'])
    red = Log(['cdb_ws', 'cdb_signal', 'cdb_reports'])
    t0 = START + timedelta(seconds=5)

    # --- startup (formats doc §3.1)
    blue.raw('cdb_redis', t0, '1:C 03 Feb 2026 00:00:05.101 # oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo')
    blue.raw('cdb_redis', t0 + timedelta(seconds=1), '1:M 03 Feb 2026 00:00:06.204 * Ready to accept connections tcp')
    blue.raw('cdb_postgres', t0, 'PostgreSQL Database directory appears to contain a database; Skipping initialization')
    blue.raw('cdb_postgres', t0 + timedelta(seconds=1), '2026-02-03 00:00:06.311 UTC [1] LOG:  database system is ready to accept connections')
    r = t0 + timedelta(seconds=3)
    for msg in ['Config validiert ✓', 'Redis verbunden: cdb_redis:6379', 'Subscribed zu Topic: signals', 'Subscribed zu Order-Result Topic: order_results',
                '🚀 Risk-Manager gestartet', '   Max Position: 10.0%', '   Max Exposure: 30.0%', '   Max Drawdown: 5.0%', '   Stop-Loss: 2.0%',
                'Order-Result Listener Thread gestartet', 'Regime-Stream Listener Thread gestartet', 'Allocation-Stream Listener Thread gestartet',
                'Shutdown-Stream Listener Thread gestartet', 'Bootstrap allocation: strategy_id=paper allocation_pct=0.0200']:
        blue.bracket('cdb_risk', r, 'INFO', 'risk_manager', msg)
        r += timedelta(milliseconds=3)
    e = t0 + timedelta(seconds=4)
    for msg in ['Starting execution_service v0.1.0', 'Port: 8003', 'Mode: MOCK', 'Trading config: TRADING_MODE=paper DRY_RUN=True MOCK_TRADING=True',
                'Connected to Redis at cdb_redis:6379', 'Subscribed to topic: orders', '🟢 Using MockExecutor (Paper Trading Mode)', 'Database initialized',
                'Bot-shutdown listener started', 'Message loop started']:
        blue.dash('cdb_execution', e, 'INFO', 'execution_service', msg)
        e += timedelta(milliseconds=5)
    w = t0 + timedelta(seconds=4)
    for msg in ['Redis password loaded: Yes', 'Starting DB Writer Service...', 'Metrics server listening on :8010', 'Connected to Redis at cdb_redis:6379',
                'Connected to PostgreSQL at cdb_postgres:5432/claire_de_binare', 'Subscribed to channels: signals, orders, order_results, portfolio_snapshots',
                'DB Writer Service started ✅', 'Listening for events...']:
        blue.bracket('cdb_db_writer', w, 'INFO', 'db_writer', msg)
        w += timedelta(milliseconds=4)
    for svc, logger, name in [('cdb_candles', 'candle_service', 'Candle'), ('cdb_regime', 'regime_service', 'Regime'), ('cdb_allocation', 'allocation_service', 'Allocation')]:
        blue.bracket(svc, t0 + timedelta(seconds=5), 'INFO', logger, f'{name}-Service gestartet')
        blue.bracket(svc, t0 + timedelta(seconds=5, milliseconds=2), 'INFO', logger, 'Subscribed zu PubSub channel: market_data')
    blue.bracket('cdb_regime', t0 + timedelta(seconds=6), 'INFO', 'regime_service', 'Bootstrap: Regime set to UNKNOWN')
    blue.bracket('cdb_market', t0 + timedelta(seconds=5), 'INFO', 'market_service', 'MEXC Protobuf mode: Starting WS client')
    blue.bracket('cdb_market', t0 + timedelta(seconds=5, milliseconds=8), 'INFO', 'market_service', 'Redis connected: cdb_redis:6379')
    blue.bracket('cdb_market', t0 + timedelta(seconds=5, milliseconds=9), 'INFO', 'market_service', 'Starting MEXC WS client: symbol=ETHUSDT, interval=100ms')
    blue.bracket('cdb_market', t0 + timedelta(seconds=6), 'INFO', 'market_service', '[ws] connected')

    s = t0 + timedelta(seconds=2)
    red.raw('cdb_ws', s, f'{asctime(s, False)} [INFO] ws_service: ============================================================')
    red.raw('cdb_ws', s, f'{asctime(s, False)} [INFO] ws_service: WEBSOCKET SERVICE - MODE: mexc_pb')
    red.raw('cdb_ws', s, f'{asctime(s, False)} [INFO] ws_service: ============================================================')
    for msg in ['MEXC Protobuf mode: Starting WS client', 'Redis connected: cdb_redis:6379', 'Starting MEXC WS client: symbol=BTCUSDT, interval=100ms',
                '[ws] connecting to wss://wbs-api.mexc.com/ws', '[ws] connected', '[ws] subscribe -> spot@public.aggre.deals.v3.api.pb@100ms@BTCUSDT']:
        red.raw('cdb_ws', s, f'{asctime(s, False)} [INFO] ws_service: {msg}')
        s += timedelta(milliseconds=300)
    g = t0 + timedelta(seconds=3)
    for msg in ['Config validiert ✓', 'Redis verbunden: cdb_redis:6379', 'Subscribed zu Topic: market_data', 'Health-Check: http://0.0.0.0:8005/health',
                '🚀 Signal-Engine gestartet', '   Schwelle: 0.005%', '   Lookback: 15min', '   Min. Volume: 0.0', 'PriceBuffer initialized (max_history=1000)']:
        red.bracket('cdb_signal', g, 'INFO', 'signal_engine', msg)
        g += timedelta(milliseconds=2)
    red.raw('cdb_reports', t0, '[INFO] CDB Daily Orders Summary Service started')
    red.raw('cdb_reports', t0, '[INFO] Next run scheduled for 2026-02-03 08:00 UTC (in 8.0h)')

    # --- the flow: a signal every 40 min ± 5, each blocked by the decision contract (formats doc §3.4, §5.2)
    t = START + timedelta(minutes=20)
    sid = 1000
    while t < END - timedelta(minutes=10):
        price = 70000 + rng.randrange(-900, 900) + rng.randrange(100) / 100
        pct = rng.randrange(1, 40) / 1000
        red.bracket('cdb_signal', t, 'INFO', 'signal_engine', f'✨ Signal generiert: BTCUSDT BUY @ ${price:.2f} (+{pct:.2f}%)')
        sid += 1
        blue.bracket('cdb_db_writer', t + timedelta(milliseconds=40), 'INFO', 'db_writer', f'✅ Signal persisted: ID={sid}, BTCUSDT buy')
        rt = t + timedelta(milliseconds=25)
        blue.bracket('cdb_risk', rt, 'INFO', 'risk_manager', '📨 Signal empfangen: BTCUSDT BUY')
        blue.bracket('cdb_risk', rt + timedelta(milliseconds=4), 'WARNING', 'risk_manager', 'Decision contract BLOCK: RC_002')
        if sid % 9 == 0:
            blue.bracket('cdb_risk', rt + timedelta(milliseconds=6), 'WARNING', 'risk_manager', '⚠️ correlation_ledger DECISION write failed (evidence debt)')
        t += timedelta(minutes=40 + rng.randrange(-5, 6))

    # --- background: candles and regime every 30 min, the 08:00 summary, health polls
    t = START + timedelta(minutes=1)
    while t < END:
        o = 70000 + rng.randrange(-500, 500)
        blue.bracket('cdb_candles', t, 'INFO', 'candle_service', f'Candle emittiert: BTCUSDT @ {int(t.timestamp())} (O:{o}.00 H:{o + 20}.00 L:{o - 15}.00 C:{o + 5}.00 V:1.2300)')
        if t.minute == 1:
            blue.bracket('cdb_risk', t + timedelta(seconds=2), 'INFO', 'risk_manager', 'Regime-Update: HIGH_VOL_CHAOTIC (risk_off=True)')
        t += timedelta(minutes=30)
    for day in range(3):
        at = START + timedelta(days=day, hours=8, seconds=1)
        red.raw('cdb_reports', at, f'[INFO] Generating daily summary for {at.strftime("%Y-%m-%d")}')
        red.raw('cdb_reports', at, '[INFO] Summary complete: 0 orders, 0 filled, 0 rejected')
        red.raw('cdb_reports', at, '[INFO] Email sent successfully to ops@example.org')
        red.raw('cdb_reports', at, f'[INFO] Next run scheduled for {(at + timedelta(days=1)).strftime("%Y-%m-%d")} 08:00 UTC (in 24.0h)')
    health(blue, 'cdb_risk', 'bracket', 8002)
    health(blue, 'cdb_execution', 'dash', 8003)
    health(red, 'cdb_signal', 'bracket', 8005)
    for h in range(0, 72, 6):
        at = START + timedelta(hours=h, minutes=3)
        blue.raw('cdb_postgres', at, f'{at.strftime("%Y-%m-%d %H:%M:%S")}.{rng.randrange(1000):03d} UTC [27] LOG:  checkpoint starting: time')

    blue.write(os.path.join(OUT, 'logs', 'cdb-blue_compose_logs.txt'))
    red.write(os.path.join(OUT, 'logs', 'cdb-red_compose_logs.txt'))

    # --- docker compose ps --format json of both projects (formats doc §8), one object per line
    rows = []
    for project, svcs in [('cdb-blue', ['cdb_allocation', 'cdb_candles', 'cdb_db_writer', 'cdb_execution', 'cdb_market', 'cdb_postgres', 'cdb_redis', 'cdb_regime', 'cdb_risk']),
                          ('cdb-red', ['cdb_reports', 'cdb_signal', 'cdb_ws'])]:
        for svc in svcs:
            rows.append({'Command': '"python -u service.py"', 'CreatedAt': '2026-02-02 23:59:40 +0000 UTC', 'ExitCode': 0, 'Health': 'healthy' if svc not in ('cdb_db_writer', 'cdb_reports') else '',
                         'ID': '%012x' % rng.randrange(1 << 48), 'Image': f'{project}-{svc}', 'Labels': '', 'LocalVolumes': '0', 'Mounts': '', 'Name': svc, 'Networks': f'{project}_default',
                         'Ports': '', 'Project': project, 'Publishers': [], 'RunningFor': '3 days ago', 'Service': svc, 'Size': '0B', 'State': 'running', 'Status': 'Up 3 days' + (' (healthy)' if svc not in ('cdb_db_writer', 'cdb_reports') else '')})
    with open(os.path.join(OUT, 'ps', 'compose_ps.json'), 'w', encoding='utf-8', newline='\n') as f:
        for row in rows:
            f.write(json.dumps(row, separators=(',', ':')) + '\n')


if __name__ == '__main__':
    main()
