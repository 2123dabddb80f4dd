#!/usr/bin/env python3
"""Samples of incidents that stop part-way through the block (issue 11: diagnose in time).

Standard-library Python, fixed seeds and fixed times: running it twice gives the same bytes.
It reuses the writers of make-samples.py (container log model, era-B startup lines, polls).

    python3 samples/make-time-samples.py
    cd samples && python3 verify-samples.py
"""
from __future__ import annotations

import importlib.util
import os
import random
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
_spec = importlib.util.spec_from_file_location('make_samples', os.path.join(HERE, 'make-samples.py'))
M = importlib.util.module_from_spec(_spec)
sys.modules['make_samples'] = M
_spec.loader.exec_module(M)

E, NS, MS, US, Svc = M.E, M.NS, M.MS, M.US, M.Svc


def sample_feed_dies_midblock() -> None:
    """Era B. The MEXC feed publishes market data until 2026-02-11 09:03; from then on the
    socket closes and the client loops `[ws] connection closed` / `[ws] reconnecting in 5s...`
    without publishing again. The ws log goes on to the capture, so every later hour is observed."""
    name = 'feed-dies-midblock-era-b'
    rng = random.Random(20260211)
    days = ['2026-02-10', '2026-02-11', '2026-02-12']
    start = E('2026-02-10 00:00:04')
    death = E('2026-02-11 09:03:17')
    cap = E('2026-02-13 00:04:40')

    ws, sig, risk, exe = Svc('cdb_ws', rng), Svc('cdb_signal', rng), Svc('cdb_risk', rng), Svc('cdb_execution', rng, 'stderr')
    M.ws_start_b(ws, start, 'mexc_pb', '172.18.0.9')
    M.signal_start_b(sig, start + 300 * MS, '172.18.0.10')
    M.risk_start_b(risk, start + 510 * MS, '172.18.0.12')
    M.exec_start_b(exe, start + 620 * MS, '172.18.0.13')

    # market data: a published tick every 2 minutes (thinned DEBUG), until the feed dies
    ticks = [t for t in M.schedule(rng, start + 60 * NS, death, 120, 900)]
    for t in ticks:
        ws.wsb(t, 'DEBUG', '[redis] published market_data: BTCUSDT @ %.2f' % rng.uniform(96100, 97900))
    # the socket closes; the client reconnects every few minutes and is closed again, nothing published
    t = death + 41 * NS
    while t < cap:
        ws.wsb(t, 'WARNING', '[ws] connection closed: no close frame received or sent')
        ws.wsb(t + 2 * MS, 'INFO', '[ws] reconnecting in 5s...')
        ws.wsb(t + 5 * NS + 3 * MS, 'INFO', '[ws] connecting to wss://wbs-api.mexc.com/ws')
        t += (300 + rng.randint(0, 120)) * NS

    # signals follow the ticks (one in ~20 minutes), each approved and executed
    sig_times = [t + 37 * MS for t in ticks[5::10]]
    fills = 0
    for t in sig_times:
        price = rng.uniform(96100, 97900)
        pct = rng.randint(51, 240) / 10000
        oid = M.mock_dec(rng)
        fill = round(50000 * (1 + rng.uniform(-0.001, 0.001)), 2)
        sig.br(t, 'INFO', 'signal_engine', '✨ Signal generiert: BTCUSDT BUY @ $%.2f (+%.2f%%)' % (price, pct))
        risk.br(t + 1 * MS, 'INFO', 'risk_manager', '📨 Signal empfangen: BTCUSDT BUY')
        risk.br(t + 2 * MS, 'INFO', 'risk_manager', '✅ Order freigegeben: BTCUSDT BUY qty=0.0002')
        exe.dash(t + 41 * MS, 'INFO', 'Processing order: BTCUSDT BUY qty=0.0002')
        exe.dash(t + 118 * MS, 'INFO', 'Order filled: %s at %.2f' % (oid, fill))
        exe.dash(t + 120 * MS, 'INFO', 'Published result to order_results')
        exe.dash(t + 144 * MS, 'INFO', 'Saved order to database: %s' % oid)
        exe.dash(t + 148 * MS, 'INFO', 'Saved trade to database: %s' % oid)
        risk.br(t + 124 * MS, 'INFO', 'risk_manager', 'Order-Result empfangen: %s status=FILLED qty=0.0002' % oid)
        fills += 1

    for svc, off, fn in [(ws, 11, M.poll_wsb), (sig, 17, M.poll_br), (risk, 43, M.poll_br)]:
        for t in M.schedule(rng, start + off * NS, cap, 1800, 900):
            fn(svc, t)
    for t in M.schedule(rng, start + 36 * NS, cap, 1800, 900):
        M.poll_dash(exe, t)

    b = M.Bundle(name)
    b.add('logs/compose_logs.txt', M.compose_logs([ws, sig, risk, exe], True, rng), 'container-log')
    b.write_dir()

    L = 'feed-dies-midblock-era-b/logs/compose_logs.txt'
    blk = "grep -E '\\| 2026-02-1[012]T'"
    last_tick = M.iso_z(ticks[-1])[:19] + 'Z'
    M.write_expected(name, {
        'description': 'Era B. The MEXC websocket feed publishes market data (DEBUG `[redis] published market_data`) and signals, '
                       'approvals and mock fills follow, until 2026-02-11 09:03 UTC; from then on the socket closes and the client '
                       'loops `[ws] connection closed` / `[ws] reconnecting in 5s...` without publishing again. The ws log runs on to '
                       'the capture (2026-02-13 00:04), so every hour after the stop is observed.',
        'incident': 'market data feed dies mid-block (reconnect loop)',
        'era': 'B', 'dialect': 'real',
        'block': {'from': days[0], 'to': days[-1]},
        'archive': None,
        'files': b.file_table(),
        'counts': {
            'market_data_events': len([t for t in ticks if M.in_block(t, days)]),
            'signals': len(sig_times),
            'signals_per_day': M.per_day(sig_times, days),
            'risk_approved': len(sig_times), 'risk_rejected': 0,
            'orders': fills, 'trades': fills, 'persisted_trades': None,
        },
        'counts_raw': {'orders_rows': None, 'trades_rows': None},
        'break_layer': 'market_data',
        'break_stage': 'market_data',
        'break_at': last_tick,
        'top_hypothesis': {'layer': 'market_data', 'keywords': ['feed', 'market data', 'market_data', 'websocket', 'reconnect', 'connection closed']},
        # the first `[ws] connection closed` after the death
        'top_cause': {'started_at': M.iso_z(death + 41 * NS)},
        'reports': [],
        'secrets': [],
        'how': {
            'market_data_events': "%s %s | grep -c 'ws_service: \\[redis\\] published market_data'" % (blk, L),
            'signals': "%s %s | grep -c '✨ Signal generiert'" % (blk, L),
            'signals_per_day': "%s %s | grep '✨ Signal generiert' | awk 'BEGIN{%s} {c[substr($3,1,10)]++} END{for (d in c) print d, c[d]}' | sort" % (blk, L, ';'.join('c[\"%s\"]=0' % d for d in days)),
            'risk_rejected': "%s %s | grep -cE 'Signal blockiert|Max Exposure erreicht|Circuit Breaker|Position zu gro' || true" % (blk, L),
            'risk_approved': "%s %s | grep -c '✅ Order freigegeben'" % (blk, L),
            'orders': "%s %s | grep -c 'Order filled: '" % (blk, L),
            'trades': "%s %s | grep -c 'Order filled: '" % (blk, L),
        },
        'checks': [
            {'what': 'break_at: the last published tick (its own clock, HH:MM:SS on the ws line; the docker stamp is a few ms later)',
             'expect': last_tick,
             'cmd': "grep 'published market_data' %s | sort -k3 | tail -1 | awk '{print $4 \"T\" $5 \"Z\"}'" % L},
            {'what': 'nothing is published after the stop, while the ws log goes on with reconnect loops to the capture',
             'expect': '0',
             'cmd': "awk '$3 > \"2026-02-11T09:04\" && /published market_data/' %s | wc -l" % L},
        ],
    })


def sample_writer_stops_midblock() -> None:
    """Era B. Postgres restarts on 2026-02-18 at 19:41 (a host update); cdb_db_writer keeps its one
    dead connection (it never reconnects) and every later insert fails with `server closed the
    connection unexpectedly`, then `connection already closed`, while signals, approvals and
    fills go on. The analyst's trades export (db_writer rows) stops at the restart."""
    name = 'writer-stops-midblock-era-b'
    rng = random.Random(20260218)
    days = ['2026-02-17', '2026-02-18', '2026-02-19']
    start = E('2026-02-17 00:00:04')
    pg_down = E('2026-02-18 19:41:22')
    pg_up = E('2026-02-18 19:41:31')
    cap = E('2026-02-20 00:03:10')

    ws, sig, risk, exe = Svc('cdb_ws', rng), Svc('cdb_signal', rng), Svc('cdb_risk', rng), Svc('cdb_execution', rng, 'stderr')
    dbw, pg = Svc('cdb_db_writer', rng, 'stderr'), Svc('cdb_postgres', rng)
    M.pg_start(pg, start - 2 * NS, start - 40 * NS)
    M.dbw_start_b(dbw, start + 200 * MS)
    M.ws_start_b(ws, start, 'mexc_pb', '172.18.0.9')
    M.signal_start_b(sig, start + 300 * MS, '172.18.0.10')
    M.risk_start_b(risk, start + 510 * MS, '172.18.0.12')
    M.exec_start_b(exe, start + 620 * MS, '172.18.0.13')
    # the restart: fast shutdown, then the usual startup lines
    for i, line in enumerate(['[1] LOG:  received fast shutdown request', '[1] LOG:  aborting any active transactions',
                              '[1] LOG:  background worker "logical replication launcher" (PID 31) exited with exit code 1',
                              '[26] LOG:  shutting down', '[1] LOG:  database system is shut down']):
        t = pg_down + i * 40 * MS
        pg.raw(t, '%s %s' % (M.pg_log_ts(t), line))
    M.pg_start(pg, pg_up, pg_down + 200 * MS)

    ticks = M.schedule(rng, start + 60 * NS, cap, 120, 900)
    for t in ticks:
        ws.wsb(t, 'DEBUG', '[redis] published market_data: BTCUSDT @ %.2f' % rng.uniform(96100, 97900))
    sig_times = [t + 37 * MS for t in ticks[5::10]]
    trades_rows, persisted, failed = [], [], 0
    sid, oid_n, tid = 5120, 10230, 8840
    for t in sig_times:
        price = rng.uniform(96100, 97900)
        pct = rng.randint(51, 240) / 10000
        oid = M.mock_dec(rng)
        fill = round(50000 * (1 + rng.uniform(-0.001, 0.001)), 2)
        ts = t // NS
        sig.br(t, 'INFO', 'signal_engine', '✨ Signal generiert: BTCUSDT BUY @ $%.2f (+%.2f%%)' % (price, pct))
        risk.br(t + 1 * MS, 'INFO', 'risk_manager', '📨 Signal empfangen: BTCUSDT BUY')
        risk.br(t + 2 * MS, 'INFO', 'risk_manager', '✅ Order freigegeben: BTCUSDT BUY qty=0.0002')
        exe.dash(t + 41 * MS, 'INFO', 'Processing order: BTCUSDT BUY qty=0.0002')
        exe.dash(t + 118 * MS, 'INFO', 'Order filled: %s at %.2f' % (oid, fill))
        exe.dash(t + 120 * MS, 'INFO', 'Published result to order_results')
        risk.br(t + 124 * MS, 'INFO', 'risk_manager', 'Order-Result empfangen: %s status=FILLED qty=0.0002' % oid)
        if t < pg_down:
            dbw.br(t + 3 * MS, 'INFO', 'db_writer', '✅ Signal persisted: ID=%d, BTCUSDT buy' % sid)
            dbw.br(t + 4 * MS, 'INFO', 'db_writer', '✅ Order persisted: ID=%d, BTCUSDT BUY' % oid_n)
            dbw.br(t + 126 * MS, 'INFO', 'db_writer', '✅ Trade persisted: ID=%d, BTCUSDT BUY @ %.2f' % (tid, fill))
            trades_rows.append([tid, None, 'BTCUSDT', 'buy', M.px(fill), '0.00020000', 'filled', M.px(fill), None, '0.00000000',
                                M.pg_ts(ts * NS), 'MEXC', None, '{}'])
            persisted.append(t + 126 * MS)
            sid, oid_n, tid = sid + 1, oid_n + 1, tid + 1
        else:
            err = 'server closed the connection unexpectedly\n\tThis probably means the server terminated abnormally\n\tbefore or while processing the request.\n' \
                if failed == 0 else 'connection already closed'
            dbw.br(t + 3 * MS, 'ERROR', 'db_writer', 'Failed to persist signal: ' + err)
            dbw.br(t + 4 * MS, 'ERROR', 'db_writer', 'Failed to persist order: connection already closed')
            dbw.br(t + 126 * MS, 'ERROR', 'db_writer', 'Failed to persist trade: connection already closed')
            failed += 1

    for svc, off, fn in [(ws, 11, M.poll_wsb), (sig, 17, M.poll_br), (risk, 43, M.poll_br)]:
        for t in M.schedule(rng, start + off * NS, cap, 1800, 900):
            fn(svc, t)
    for t in M.schedule(rng, start + 36 * NS, cap, 1800, 900):
        M.poll_dash(exe, t)

    b = M.Bundle(name)
    b.add('logs/compose_logs.txt', M.compose_logs([ws, sig, risk, exe, dbw, pg], True, rng), 'container-log')
    b.add('db/trades.csv', M.psql_csv(M.TRADES_COLS, trades_rows), 'db-dump')
    b.write_dir()

    L = name + '/logs/compose_logs.txt'
    T = name + '/db/trades.csv'
    blk = "grep -E '\\| 2026-02-1[789]T'"
    in_blk = lambda c: "awk -F, 'NR>1 && substr($%d,1,10)>=\"2026-02-17\" && substr($%d,1,10)<=\"2026-02-19\"' %s" % (c, c, T)
    last_persisted = M.iso_z(trades_rows[-1] and persisted[-1])[:19] + 'Z'
    last_row = trades_rows[-1][10][:19].replace(' ', 'T') + 'Z'
    fills = len(sig_times)
    M.write_expected(name, {
        'description': 'Era B. Postgres restarts on 2026-02-18 at 19:41 UTC; cdb_db_writer keeps its dead connection and every later '
                       'insert fails (`server closed the connection unexpectedly`, then `connection already closed`) while market data, '
                       'signals, approvals and mock fills go on to the capture. The trades export (db_writer rows) stops at the restart.',
        'incident': 'writer stops persisting mid-block (dead DB connection after a Postgres restart)',
        'era': 'B', 'dialect': 'real',
        'block': {'from': days[0], 'to': days[-1]},
        'archive': None,
        'files': b.file_table(),
        'counts': {
            'market_data_events': len([t for t in ticks if M.in_block(t, days)]),
            'signals': len([t for t in sig_times if M.in_block(t, days)]),
            'signals_per_day': M.per_day(sig_times, days),
            'risk_approved': len([t for t in sig_times if M.in_block(t, days)]), 'risk_rejected': 0,
            'orders': len([t for t in sig_times if M.in_block(t, days)]), 'trades': len([t for t in sig_times if M.in_block(t, days)]),
            'persisted_trades': len([r for r in trades_rows if r[10][:10] in days]),
        },
        'counts_raw': {'orders_rows': None, 'trades_rows': len([r for r in trades_rows if r[10][:10] in days])},
        'break_layer': 'reporting',
        'break_layer_any_of': ['reporting', 'system'],
        'break_stage': 'persisted',
        'break_at': last_row,
        'top_hypothesis': {'layer': 'execution', 'keywords': ['persist', 'connection', 'writer', 'postgres']},
        # the first failed insert after the restart; the trigger is one of Postgres's own shutdown lines (all say "shut")
        'top_cause': {'started_at': M.iso_z(min(t for t in sig_times if t >= pg_down) + 3 * MS), 'cause_evidence': 'shut'},
        'notes': ['The top hypothesis is filed under execution (runbook layer 5 checks "executed and persisted", as in persistence-era-b); the break in time is the persisted stage, reported as reporting.'],
        'reports': [],
        'secrets': [],
        'how': {
            'market_data_events': "%s %s | grep -c 'ws_service: \\[redis\\] published market_data'" % (blk, L),
            'signals': "%s %s | grep -c '✨ Signal generiert'" % (blk, L),
            'signals_per_day': "%s %s | grep '✨ Signal generiert' | awk 'BEGIN{%s} {c[substr($3,1,10)]++} END{for (d in c) print d, c[d]}' | sort"
                               % (blk, L, ';'.join('c[\"%s\"]=0' % d for d in days)),
            'risk_rejected': "%s %s | grep -cE 'Signal blockiert|Max Exposure erreicht|Circuit Breaker|Position zu gro' || true" % (blk, L),
            'risk_approved': "%s %s | grep -c '✅ Order freigegeben'" % (blk, L),
            'orders': "%s %s | grep -c 'Order filled: '" % (blk, L),
            'trades': "%s %s | grep -c 'Order filled: '" % (blk, L),
            'persisted_trades': in_blk(11) + ' | wc -l',
            'trades_rows': in_blk(11) + ' | wc -l',
        },
        'checks': [
            {'what': 'break_at: the last persisted trade row (its timestamp, to the second)', 'expect': last_row,
             'cmd': "awk -F, 'NR>1{print $11}' %s | sort | tail -1 | awk '{print $1 \"T\" substr($2,1,8) \"Z\"}'" % T},
            {'what': 'fills after the last persisted row (upstream goes on)', 'expect': str(failed),
             'cmd': "grep 'Order filled: ' %s | awk '$3 > \"%s\"' | wc -l" % (L, last_persisted)},
            {'what': 'db_writer trade inserts that failed after the Postgres restart', 'expect': str(failed),
             'cmd': "grep -c 'db_writer: Failed to persist trade: ' %s" % L},
            {'what': 'Postgres restarted (fast shutdown) inside the block', 'expect': '1',
             'cmd': "%s %s | grep -c 'received fast shutdown request'" % (blk, L)},
        ],
    })


def sample_since_healthy() -> None:
    """Era B, healthy. cdb_signal's log exists only as `docker logs -t --since 2026-02-26T00:00:00Z`
    (the analyst's last-day save); the other services' logs cover the whole block. Before that
    save no source shows signals: those hours are not observed, never a stop."""
    name = 'since-healthy-era-b'
    rng = random.Random(20260226)
    days = ['2026-02-24', '2026-02-25', '2026-02-26']
    start = E('2026-02-24 00:00:04')
    since = E('2026-02-26 00:00:00')
    cap = E('2026-02-27 00:02:50')

    ws, sig, risk, exe = Svc('cdb_ws', rng), Svc('cdb_signal', rng), Svc('cdb_risk', rng), Svc('cdb_execution', rng, 'stderr')
    M.ws_start_b(ws, start, 'mexc_pb', '172.18.0.9')
    M.signal_start_b(sig, start + 300 * MS, '172.18.0.10')
    M.risk_start_b(risk, start + 510 * MS, '172.18.0.12')
    M.exec_start_b(exe, start + 620 * MS, '172.18.0.13')
    ticks = M.schedule(rng, start + 60 * NS, cap, 120, 900)
    for t in ticks:
        ws.wsb(t, 'DEBUG', '[redis] published market_data: BTCUSDT @ %.2f' % rng.uniform(96100, 97900))
    sig_times = [t + 37 * MS for t in ticks[5::10]]
    for t in sig_times:
        price = rng.uniform(96100, 97900)
        pct = rng.randint(51, 240) / 10000
        oid = M.mock_dec(rng)
        fill = round(50000 * (1 + rng.uniform(-0.001, 0.001)), 2)
        sig.br(t, 'INFO', 'signal_engine', '✨ Signal generiert: BTCUSDT BUY @ $%.2f (+%.2f%%)' % (price, pct))
        risk.br(t + 1 * MS, 'INFO', 'risk_manager', '📨 Signal empfangen: BTCUSDT BUY')
        risk.br(t + 2 * MS, 'INFO', 'risk_manager', '✅ Order freigegeben: BTCUSDT BUY qty=0.0002')
        exe.dash(t + 41 * MS, 'INFO', 'Processing order: BTCUSDT BUY qty=0.0002')
        exe.dash(t + 118 * MS, 'INFO', 'Order filled: %s at %.2f' % (oid, fill))
        exe.dash(t + 120 * MS, 'INFO', 'Published result to order_results')
        exe.dash(t + 144 * MS, 'INFO', 'Saved order to database: %s' % oid)
        exe.dash(t + 148 * MS, 'INFO', 'Saved trade to database: %s' % oid)
        risk.br(t + 124 * MS, 'INFO', 'risk_manager', 'Order-Result empfangen: %s status=FILLED qty=0.0002' % oid)
    for svc, off, fn in [(ws, 11, M.poll_wsb), (sig, 17, M.poll_br), (risk, 43, M.poll_br)]:
        for t in M.schedule(rng, start + off * NS, cap, 1800, 900):
            fn(svc, t)
    for t in M.schedule(rng, start + 36 * NS, cap, 1800, 900):
        M.poll_dash(exe, t)

    b = M.Bundle(name)
    b.add('logs/compose_logs.txt', M.compose_logs([ws, risk, exe], True, rng), 'container-log')
    # docker logs --since filters on the daemon's stamp
    b.add('logs/signal_since_2026-02-26.txt', ''.join(M.rfc9(d) + ' ' + line + '\n' for d, line, _ in sig.physical() if d >= since),
          'container-log')
    b.write_dir()

    L = name + '/logs/compose_logs.txt'
    S = name + '/logs/signal_since_2026-02-26.txt'
    blk = "grep -E '\\| 2026-02-2[456]T'"
    logged = [t for t in sig_times if t >= since]
    n = len(sig_times)
    M.write_expected(name, {
        'description': 'Era B, healthy. Market data, approvals and mock fills flow the whole block in the compose export; cdb_signal\'s '
                       'log is only a `docker logs -t --since 2026-02-26T00:00:00Z` save, so signal lines exist for the last day only. '
                       'The first two days are "not observed" for the signal stage, never a stop: no break, no failing layer.',
        'incident': 'none (a --since save of one service must not create a break)',
        'era': 'B', 'dialect': 'real',
        'block': {'from': days[0], 'to': days[-1]},
        'archive': None,
        'files': b.file_table(),
        'counts': {
            'market_data_events': len([t for t in ticks if M.in_block(t, days)]),
            'signals': None,
            'signals_per_day': None,
            'risk_approved': n, 'risk_rejected': 0, 'orders': n, 'trades': n, 'persisted_trades': None,
        },
        'counts_raw': {'orders_rows': None, 'trades_rows': None},
        'break_layer': None,
        'break_stage': None,
        'break_at': None,
        'top_hypothesis': None,
        'reports': [],
        'secrets': [],
        'notes': ['`signals` is null: the only signal log starts on the last block day, so the block count is not evaluable from it '
                  '(%d logged lines); the approvals (%d, one per signal) bound it from below.' % (len(logged), n)],
        'how': {
            'market_data_events': "%s %s | grep -c 'ws_service: \\[redis\\] published market_data'" % (blk, L),
            'risk_rejected': "%s %s | grep -cE 'Signal blockiert|Max Exposure erreicht|Circuit Breaker|Position zu gro' || true" % (blk, L),
            'risk_approved': "%s %s | grep -c '✅ Order freigegeben'" % (blk, L),
            'orders': "%s %s | grep -c 'Order filled: '" % (blk, L),
            'trades': "%s %s | grep -c 'Order filled: '" % (blk, L),
        },
        'checks': [
            {'what': 'the signal log starts at the --since time (first docker stamp)', 'expect': '2026-02-26',
             'cmd': "head -1 %s | cut -c1-10" % S},
            {'what': 'signal lines in the --since save (last block day only)', 'expect': str(len(logged)),
             'cmd': "grep -c '✨ Signal generiert' %s" % S},
            {'what': 'approvals on the last block day equal the saved signal lines', 'expect': str(len(logged)),
             'cmd': "grep '✅ Order freigegeben' %s | grep -c '| 2026-02-26T'" % L},
        ],
    })


def sample_clockless_feed() -> None:
    """Era A. The feed never gets data: cdb_ws's log, saved without `-t` and without its
    clocked banner lines, holds only reconnect errors and `Noch keine Daten – warte auf Klines...`.
    The other services (compose export with stamps) run, poll and receive nothing; the paper
    runner prints its midnight reports (`Events Logged: 0`, its counter since start).

    The block comes from the stamped logs (runner start 2025-12-10 00:00, `Duration: 3 days`,
    reports at the next three midnights). The feed log has no hour to count in: the tool must
    judge it on content (issue 11 item 2): market_data fails with break_at null."""
    name = 'clockless-feed-era-a'
    rng = random.Random(20251210)
    days = ['2025-12-10', '2025-12-11', '2025-12-12']
    start = E('2025-12-10 00:00:03')
    cap = E('2025-12-13 00:04:12')
    core, risk, exe = Svc('cdb_core', rng), Svc('cdb_risk', rng), Svc('cdb_execution', rng, 'stderr')
    pr = Svc('cdb_paper_runner', rng)
    M.runner_start(pr, start + 900 * MS, '172.18.0.10', None, duration_days=3)
    M.core_start_a(core, start + 200 * MS, '3.0', '100000', '172.18.0.7')
    M.risk_start_a(risk, start + 400 * MS, '172.18.0.8', None)
    M.exec_start_a(exe, start + 600 * MS, '172.18.0.9')
    for svc, off in [(core, 17), (risk, 43), (pr, 52)]:
        for t in M.schedule(rng, start + off * NS, cap, 900, 900):
            M.poll_br(svc, t)
    for t in M.schedule(rng, start + 36 * NS, cap, 900, 900):
        M.poll_dash(exe, t)
    # the runner's midnight reports: nothing reached it, so its in-memory counter stays at 0
    runner = M.Runner(pr, start + 900 * MS, 0.0, 3)
    report_days = ['2025-12-11', '2025-12-12', '2025-12-13']
    for d in report_days:
        runner.report(E(d + ' 00:00:00') + rng.randint(20, 60) * MS, 0, 0, email=False)

    # cdb_ws: `docker logs cdb_ws 2>&1 | grep -vE 'Top movers|GET /health|^$' > ws_errors.txt` (no -t, banners dropped)
    ws = ['Hole Symbolliste...', '✓ Redis verbunden - market_data Events werden publiziert']
    attempt, nodata = 1, 0
    for k in range(60):
        ws.append('[WS] Connecting chunk (attempt %d)...' % attempt)
        ws.append('[WS ERROR] Handshake status 403 Forbidden')
        ws.append('[WS CLOSE] Code=None, Msg=None')
        ws.append('[WS] Disconnected (attempt %d)' % attempt)
        ws.append('[WS ERROR] Chunk reconnect #%d: Handshake status 403 Forbidden' % attempt)
        for _ in range(rng.randint(1, 3)):
            ws.append('Noch keine Daten – warte auf Klines...')
            nodata += 1
        attempt += 1

    b = M.Bundle(name)
    b.add('logs/compose_logs_t.txt', M.compose_logs([core, risk, exe, pr], True, rng), 'container-log')
    b.add('logs/ws_errors.txt', '\n'.join(ws) + '\n', 'container-log')
    b.write_dir()
    W = name + '/logs/ws_errors.txt'
    L = name + '/logs/compose_logs_t.txt'
    M.write_expected(name, {
        'description': 'Era A. cdb_ws never receives data: its log (saved without -t, its clocked Top-movers banners filtered out) holds only '
                       'reconnect errors (`[WS ERROR] Handshake status 403 Forbidden`, `Disconnected (attempt N)` with N rising) and '
                       '`Noch keine Daten – warte auf Klines...`. The other services log with docker stamps and receive nothing; the paper '
                       'runner reports `Events Logged: 0` at each midnight. The feed is judged on content: market_data fails, with no '
                       'moment (break_at null).',
        'incident': 'market data feed never connects; its log has no clock',
        'era': 'A', 'dialect': 'real',
        'block': {'from': days[0], 'to': days[-1]},
        'archive': None,
        'files': b.file_table(),
        'counts': {'market_data_events': 0, 'signals': 0, 'signals_per_day': {d: 0 for d in days}, 'risk_approved': 0, 'risk_rejected': 0,
                   'orders': 0, 'trades': 0, 'persisted_trades': None},
        'counts_raw': {'orders_rows': None, 'trades_rows': None},
        'break_layer': 'market_data',
        'break_stage': 'market_data',
        'break_at': None,
        'top_hypothesis': {'layer': 'market_data', 'keywords': ['feed', 'market data', 'market-data', 'websocket', 'reconnect', 'klines', 'no data']},
        'reports': [],
        'secrets': [],
        'how': {
            'market_data_events': "grep -c 'published market_data' %s %s | awk -F: '{n+=$2} END{print n}'" % (W, L),
            'signals': "grep -c 'Signal generiert' %s || true" % L,
            'signals_per_day': "grep 'Signal generiert' %s | awk 'BEGIN{%s} {c[substr($3,1,10)]++} END{for (d in c) print d, c[d]}' | sort"
                               % (L, ';'.join('c[\"%s\"]=0' % d for d in days)),
            'risk_approved': "grep -c 'Order freigegeben' %s || true" % L,
            'risk_rejected': "grep -cE 'Signal blockiert|Max Exposure erreicht|Circuit Breaker|Position zu gro' %s || true" % L,
            'orders': "grep -c 'Order filled\\|Order rejected' %s || true" % L,
            'trades': "grep -c 'Order filled' %s || true" % L,
        },
        'checks': [
            {'what': 'the ws log has no clock: no line starts with a stamp or holds a date', 'expect': '0',
             'cmd': "grep -cE '[0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9]{2}:[0-9]{2}:[0-9]{2}' %s || true" % W},
            {'what': '`Noch keine Daten` lines', 'expect': str(nodata), 'cmd': "grep -c 'Noch keine Daten' %s" % W},
            {'what': 'reconnect attempts, rising to', 'expect': str(attempt - 1),
             'cmd': "grep -o 'Disconnected (attempt [0-9]*)' %s | tail -1 | grep -o '[0-9]*'" % W},
            {'what': 'no line of the ws log says data arrived (Top movers, published)', 'expect': '0',
             'cmd': "grep -cE 'Top movers|published|TOP [0-9]+ Gewinner' %s || true" % W},
            {'what': 'the runner reports Events Logged: 0 at each midnight', 'expect': str(len(report_days)),
             'cmd': "grep -c 'Events Logged:    0' %s" % L},
        ],
    })


def sample_debug_filter_drop() -> None:
    """Era B, dev stack at LOG_LEVEL=DEBUG. A compose refactor dropped SIGNAL_MIN_VOLUME from
    cdb_signal's environment, so the engine runs with the code default 100000 (its banner says
    `Min. Volume: 100000.0`), while the B feed publishes trades without a volume (0.0). Market data
    flows all block; the engine computes each tick's change from its price buffer and every tick
    that passes the 0.005 % threshold is dropped by the volume check, which logs only at DEBUG
    (`BTCUSDT: Volume zu niedrig (0.0)`, services/signal/service.py). Zero signals, nothing else
    goes wrong: those DEBUG lines are the only direct evidence."""
    name = 'debug-filter-drop-era-b'
    rng = random.Random(20260310)
    days = ['2026-03-10', '2026-03-11', '2026-03-12']
    start = E('2026-03-10 00:00:04')
    cap = E('2026-03-13 00:03:20')
    ws, sig, risk, exe = Svc('cdb_ws', rng), Svc('cdb_signal', rng), Svc('cdb_risk', rng), Svc('cdb_execution', rng, 'stderr')
    M.ws_start_b(ws, start, 'mexc_pb', '172.18.0.9')
    for i, m in enumerate(['Config validiert ✓', 'Redis verbunden: cdb_redis:6379', 'PriceBuffer initialized (max_history=100)',
                           'Subscribed zu Topic: market_data', 'Health-Check: http://0.0.0.0:8005/health', '🚀 Signal-Engine gestartet',
                           '   Schwelle: 0.005%', '   Lookback: 15min', '   Min. Volume: 100000.0']):
        sig.br(start + 300 * MS + i * 300 * US, 'INFO', 'signal_engine', m)
    M.flask_banner(sig, start + 305 * MS, 'service', 8005, '172.18.0.10')
    M.risk_start_b(risk, start + 510 * MS, '172.18.0.12')
    M.exec_start_b(exe, start + 620 * MS, '172.18.0.13')

    # market data: a published tick every 2 minutes (thinned DEBUG); the engine handles each one
    ticks = M.schedule(rng, start + 60 * NS, cap, 120, 900)
    threshold, price, prev = 0.005, 96800.0, None
    drops, passed = [], 0
    for t in ticks:
        price = round(price * (1 + rng.gauss(0, 0.0003)), 2)
        # keep clear of the threshold, so the printed 4-decimal change decides as the engine did
        while prev is not None and abs((price - prev) / prev * 100.0 - threshold) < 0.0002:
            price = round(price + 0.37, 2)
        ws.wsb(t, 'DEBUG', '[redis] published market_data: BTCUSDT @ %.2f' % price)
        h = t + rng.randint(2, 9) * MS
        if prev is None:
            sig.br(h, 'DEBUG', 'signal_engine.price_buffer', 'BTCUSDT: Cold start @ $%.2f → pct_change=0.0' % price)
            pct = 0.0
        else:
            pct = (price - prev) / prev * 100.0
            sig.br(h, 'DEBUG', 'signal_engine.price_buffer', 'BTCUSDT: $%.2f → $%.2f (%+.4f%%)' % (prev, price, pct))
        sig.br(h + 1 * MS, 'DEBUG', 'signal_engine', 'BTCUSDT: pct_change calculated from price buffer (@ $%.2f → %+.4f%%)' % (price, pct))
        if pct >= threshold:
            passed += 1
            # the volume check follows the threshold check; B ticks carry no volume (MarketData.volume = 0.0)
            sig.br(h + 1 * MS, 'DEBUG', 'signal_engine', 'BTCUSDT: Volume zu niedrig (0.0)')
            drops.append(h)
        prev = price
    for svc, off, fn in [(ws, 11, M.poll_wsb), (sig, 17, M.poll_br), (risk, 43, M.poll_br)]:
        for t in M.schedule(rng, start + off * NS, cap, 1800, 900):
            fn(svc, t)
    for t in M.schedule(rng, start + 36 * NS, cap, 1800, 900):
        M.poll_dash(exe, t)

    b = M.Bundle(name)
    b.add('logs/compose_logs.txt', M.compose_logs([ws, sig, risk, exe], True, rng), 'container-log')
    b.write_dir()
    L = name + '/logs/compose_logs.txt'
    blk = "grep -E '\\| 2026-03-1[012]T'"
    inb = lambda xs: len([x for x in xs if M.in_block(x, days)])
    M.write_expected(name, {
        'description': 'Era B at LOG_LEVEL=DEBUG. cdb_signal runs with the code default SIGNAL_MIN_VOLUME=100000 (banner `Min. Volume: '
                       '100000.0`; the variable is missing from its environment) while the feed publishes trades without volume. Market '
                       'data flows all block; every tick that passes the 0.005 %% threshold is dropped by the volume check, which logs '
                       'only at DEBUG: `BTCUSDT: Volume zu niedrig (0.0)` (%d lines). Zero signals; the DEBUG lines are the direct '
                       'evidence, the to-do is SIGNAL_MIN_VOLUME (services/signal/config.py reads it).' % len(drops),
        'incident': 'volume filter drops every tick (DEBUG-only evidence)',
        'era': 'B', 'dialect': 'real',
        'block': {'from': days[0], 'to': days[-1]},
        'archive': None,
        'files': b.file_table(),
        'counts': {'market_data_events': inb(ticks), 'signals': 0, 'signals_per_day': {d: 0 for d in days}, 'risk_approved': 0, 'risk_rejected': 0,
                   'orders': 0, 'trades': 0, 'persisted_trades': None},
        'counts_raw': {'orders_rows': None, 'trades_rows': None},
        'break_layer': 'signal_engine',
        'break_stage': 'signals',
        'break_at': None,
        'top_hypothesis': {'layer': 'signal_engine', 'keywords': ['Volume zu niedrig', 'volume filter', 'SIGNAL_MIN_VOLUME']},
        'debug_filter': {'class_text': 'Volume zu niedrig', 'lines': inb(drops), 'setting': 'SIGNAL_MIN_VOLUME',
                         'without_debug_likelihood': 'possible'},
        'reports': [], 'secrets': [],
        'how': {
            'market_data_events': "%s %s | grep -c 'ws_service: \\[redis\\] published market_data'" % (blk, L),
            'signals': "%s %s | grep -c 'Signal generiert' || true" % (blk, L),
            'signals_per_day': "%s %s | grep 'Signal generiert' | awk 'BEGIN{%s} {c[substr($3,1,10)]++} END{for (d in c) print d, c[d]}' | sort"
                               % (blk, L, ';'.join('c[\"%s\"]=0' % d for d in days)),
            'risk_approved': "%s %s | grep -c 'Order freigegeben' || true" % (blk, L),
            'risk_rejected': "%s %s | grep -cE 'Signal blockiert|Max Exposure erreicht|Circuit Breaker|Position zu gro' || true" % (blk, L),
            'orders': "%s %s | grep -c 'Order filled: ' || true" % (blk, L),
            'trades': "%s %s | grep -c 'Order filled: ' || true" % (blk, L),
        },
        'checks': [
            {'what': 'DEBUG `Volume zu niedrig` lines in the block (one per tick that passed the threshold)', 'expect': str(inb(drops)),
             'cmd': "%s %s | grep -c 'signal_engine: BTCUSDT: Volume zu niedrig (0.0)'" % (blk, L)},
            {'what': 'ticks whose price-buffer change reached the 0.005 % threshold', 'expect': str(passed),
             'cmd': "grep 'pct_change calculated from price buffer' %s | grep -oE '[+-][0-9.]+%%\\)$' | tr -d '%%)+' | awk '$1 >= 0.005' | wc -l" % L},
            {'what': 'the engine started with the code default volume minimum', 'expect': '1',
             'cmd': "grep -c 'Min. Volume: 100000.0' %s" % L},
            {'what': 'no ERROR or WARNING line anywhere: the DEBUG lines are the only explanation', 'expect': '0',
             'cmd': "grep -cE '\\[(ERROR|WARNING|CRITICAL)\\]| - (ERROR|WARNING) - ' %s || true" % L},
        ],
    })


def sample_tail_healthy() -> None:
    """Era A, healthy. cdb_risk's log exists only as `docker compose logs -t --tail 2000 cdb_risk`
    (the analyst's quick save): it starts part-way through the second block day. Signals, orders
    and fills run the whole block in the full export of the other services. Before the tail's
    first line no source shows risk decisions: those hours are not observed, never a stop."""
    name = 'tail-healthy-era-a'
    rng = random.Random(20251215)
    days = ['2025-12-15', '2025-12-16', '2025-12-17']
    start = E('2025-12-15 00:00:03')
    cap = E('2025-12-18 00:02:41')
    tail_n = 2000
    core, risk, exe = Svc('cdb_core', rng), Svc('cdb_risk', rng), Svc('cdb_execution', rng, 'stderr')
    M.core_start_a(core, start + 200 * MS, '2.0', '0', '172.18.0.7')
    M.risk_start_a(risk, start + 400 * MS, '172.18.0.8', None)
    M.exec_start_a(exe, start + 600 * MS, '172.18.0.9')
    sig_times = M.schedule(rng, start + 120 * NS, cap - 60 * NS, 180, 60_000)
    syms = ['BTC_USDT', 'ETH_USDT', 'SOL_USDT', 'XRP_USDT']
    for t in sig_times:
        sym = rng.choice(syms)
        price = rng.uniform(90000, 97000) if sym == 'BTC_USDT' else rng.uniform(1, 4000)
        pct = rng.randint(201, 640) / 100
        conf = round(pct / 10, 4)
        q = float(round(conf * 10000))
        oid = M.mock_dec(rng)
        # the mock executor fills at its hard-coded price per symbol (±0.1 %), not at the signal's
        mock = 50000.0 if sym == 'BTC_USDT' else 3000.0 if sym == 'ETH_USDT' else 100.0
        fill = round(mock * (1 + rng.uniform(-0.001, 0.001)), 2)
        core.br(t, 'INFO', 'signal_engine', '✨ Signal generiert: %s BUY @ $%.2f (+%.2f%%, Confidence: %.2f)' % (sym, price, pct, conf))
        risk.br(t + 1 * MS, 'INFO', 'risk_manager', '📨 Signal empfangen: %s BUY' % sym)
        risk.br(t + 1400 * US, 'INFO', 'risk_manager', '✅ Order freigegeben: %s BUY qty=%.4f' % (sym, q))
        exe.dash(t + 52 * MS, 'INFO', 'Processing order: %s BUY qty=%.4f' % (sym, q))
        exe.dash(t + 129 * MS, 'INFO', 'Order filled: %s at %r' % (oid, fill))
        exe.dash(t + 131 * MS, 'INFO', 'Published result to order_results')
        risk.br(t + 134 * MS, 'INFO', 'risk_manager', 'Order-Result empfangen: %s status=FILLED qty=%.4f' % (oid, q))
        exe.dash(t + 143 * MS, 'INFO', 'Saved order to database: %s' % oid)
        exe.dash(t + 148 * MS, 'INFO', 'Saved trade to database: %s' % oid)
    for svc, off in [(core, 17), (risk, 43)]:
        for t in M.schedule(rng, start + off * NS, cap, 1800, 900):
            M.poll_br(svc, t)
    for t in M.schedule(rng, start + 36 * NS, cap, 1800, 900):
        M.poll_dash(exe, t)

    b = M.Bundle(name)
    b.add('logs/compose_logs.txt', M.compose_logs([core, exe], True, rng), 'container-log')
    # `docker compose logs -t --tail 2000 cdb_risk`: the last 2000 physical lines, compose-prefixed
    risk_phys = risk.physical()
    kept = risk_phys[-tail_n:]
    b.add('logs/risk_tail.txt', ''.join('cdb_risk  | %s %s\n' % (M.rfc9(d), line) for d, line, _ in kept), 'container-log')
    b.write_dir()

    L = name + '/logs/compose_logs.txt'
    R = name + '/logs/risk_tail.txt'
    blk = "grep -E '\\| 2025-12-1[567]T'"
    tail_from = kept[0][0]
    in_tail = [t for t in sig_times if t + 1400 * US >= tail_from - 1 * NS]
    n = len([t for t in sig_times if M.in_block(t, days)])
    M.write_expected(name, {
        'description': 'Era A, healthy. Signals, approvals, mock fills the whole block; cdb_core and cdb_execution are in a full compose '
                       'export, but cdb_risk only as `docker compose logs -t --tail %d cdb_risk`, which starts at %s. The risk hours '
                       'before it are "not observed", never a stop: no break, no failing layer.' % (tail_n, M.iso_z(tail_from)[:19] + 'Z'),
        'incident': 'none (a --tail save of one service must not create a break)',
        'era': 'A', 'dialect': 'real',
        'block': {'from': days[0], 'to': days[-1]},
        'archive': None,
        'files': b.file_table(),
        'counts': {
            'market_data_events': None,
            'signals': n,
            'signals_per_day': M.per_day(sig_times, days),
            'risk_approved': None, 'risk_rejected': 0, 'orders': n, 'trades': n, 'persisted_trades': None,
        },
        'counts_raw': {'orders_rows': None, 'trades_rows': None},
        'break_layer': None,
        'break_stage': None,
        'break_at': None,
        'top_hypothesis': None,
        'reports': [],
        'secrets': [],
        'notes': ['`risk_approved` is null: the risk log is a tail starting on %s, so the block count is not evaluable from it (%d approval '
                  'lines in the tail); the fills (%d, one per approval) bound it from below. `market_data_events` is null: no capture and '
                  'no feed log (the signals prove market data reached the engine).' % (M.iso_z(tail_from)[:10], len(in_tail), n)],
        'how': {
            'signals': "%s %s | grep -c '✨ Signal generiert'" % (blk, L),
            'signals_per_day': "%s %s | grep '✨ Signal generiert' | awk 'BEGIN{%s} {c[substr($3,1,10)]++} END{for (d in c) print d, c[d]}' | sort"
                               % (blk, L, ';'.join('c[\"%s\"]=0' % d for d in days)),
            'risk_rejected': "%s %s | grep -cE 'Signal blockiert|Max Exposure erreicht|Circuit Breaker|Position zu gro' || true" % (blk, R),
            'orders': "%s %s | grep -c 'Order filled: '" % (blk, L),
            'trades': "%s %s | grep -c 'Order filled: '" % (blk, L),
        },
        'checks': [
            {'what': 'the risk save is a tail: exactly %d lines' % tail_n, 'expect': str(tail_n), 'cmd': "wc -l < %s" % R},
            {'what': 'the risk tail starts part-way through the block (its first stamp, to the minute)', 'expect': M.iso_z(tail_from)[:16],
             'cmd': "head -1 %s | awk '{print substr($3,1,16)}'" % R},
            {'what': 'approvals in the tail', 'expect': str(len(in_tail)), 'cmd': "grep -c '✅ Order freigegeben' %s" % R},
            {'what': 'fills after the tail starts equal the approvals in it (nothing stopped)', 'expect': str(len(in_tail)),
             'cmd': "grep 'Order filled: ' %s | awk '$3 >= \"%s\"' | wc -l" % (L, M.rfc9(tail_from)[:19])},
        ],
    })


def sample_redis_aof_crashloop() -> None:
    """Era B. The host reboots on 2026-03-04 at 03:12; cdb_redis cannot load its append-only file
    (`Bad file format reading the append only file ...`) and exits, restarted by docker every few
    seconds, then minutes. Every client dies on `Error 111 connecting to cdb_redis:6379. Connection
    refused.` and crash-loops with it. The cause is Redis's storage, not the clients' network."""
    name = 'redis-aof-crashloop-era-b'
    rng = random.Random(20260304)
    days = ['2026-03-03', '2026-03-04', '2026-03-05']
    start = E('2026-03-03 00:00:04')
    boot = E('2026-03-04 03:12:40')
    cap = E('2026-03-06 00:03:30')
    redis, ws, sig, risk, exe = (Svc('cdb_redis', rng), Svc('cdb_ws', rng), Svc('cdb_signal', rng), Svc('cdb_risk', rng),
                                 Svc('cdb_execution', rng, 'stderr'))
    M.redis_start(redis, start - 1 * NS)
    M.ws_start_b(ws, start, 'mexc_pb', '172.18.0.9')
    M.signal_start_b(sig, start + 300 * MS, '172.18.0.10')
    M.risk_start_b(risk, start + 510 * MS, '172.18.0.12')
    M.exec_start_b(exe, start + 620 * MS, '172.18.0.13')
    ticks = M.schedule(rng, start + 60 * NS, boot - 30 * NS, 120, 900)
    for t in ticks:
        ws.wsb(t, 'DEBUG', '[redis] published market_data: BTCUSDT @ %.2f' % rng.uniform(96100, 97900))
    sig_times = [t + 37 * MS for t in ticks[5::10]]
    for t in sig_times:
        oid = M.mock_dec(rng)
        fill = round(50000 * (1 + rng.uniform(-0.001, 0.001)), 2)
        sig.br(t, 'INFO', 'signal_engine', '✨ Signal generiert: BTCUSDT BUY @ $%.2f (+%.2f%%)' % (rng.uniform(96100, 97900), rng.randint(51, 240) / 10000))
        risk.br(t + 1 * MS, 'INFO', 'risk_manager', '📨 Signal empfangen: BTCUSDT BUY')
        risk.br(t + 2 * MS, 'INFO', 'risk_manager', '✅ Order freigegeben: BTCUSDT BUY qty=0.0002')
        exe.dash(t + 41 * MS, 'INFO', 'Processing order: BTCUSDT BUY qty=0.0002')
        exe.dash(t + 118 * MS, 'INFO', 'Order filled: %s at %.2f' % (oid, fill))
        exe.dash(t + 120 * MS, 'INFO', 'Published result to order_results')
        exe.dash(t + 144 * MS, 'INFO', 'Saved order to database: %s' % oid)
        exe.dash(t + 148 * MS, 'INFO', 'Saved trade to database: %s' % oid)
        risk.br(t + 124 * MS, 'INFO', 'risk_manager', 'Order-Result empfangen: %s status=FILLED qty=0.0002' % oid)
    for svc, off, fn in [(ws, 11, M.poll_wsb), (sig, 17, M.poll_br), (risk, 43, M.poll_br)]:
        for t in M.schedule(rng, start + off * NS, boot - 60 * NS, 1800, 900):
            fn(svc, t)
    for t in M.schedule(rng, start + 36 * NS, boot - 60 * NS, 1800, 900):
        M.poll_dash(exe, t)

    # after the reboot the ws service comes up without Redis and keeps running (and answering /health), publishing nothing
    M.ws_start_b(ws, boot + 1 * NS, 'mexc_pb', '172.18.0.9')
    ws.wsb(boot + 1 * NS + 20 * MS, 'ERROR', 'Redis connection failed: Error 111 connecting to cdb_redis:6379. Connection refused.')
    ws.wsb(boot + 1 * NS + 21 * MS, 'WARNING', 'Service will continue but market_data will NOT be published!')
    for t in M.schedule(rng, boot + 11 * NS, cap, 1800, 900):
        M.poll_wsb(ws, t)
    # after the reboot: redis exits on its AOF at every start; docker's backoff doubles between tries
    AOF = 'Bad file format reading the append only file appendonly.aof.1.incr.aof: make a backup of your AOF file, then use ./redis-check-aof --fix <filename.manifest>'
    t, delay, tries = boot, 1, 0
    refused = 'Error 111 connecting to cdb_redis:6379. Connection refused.'
    while t < cap:
        for i, line in enumerate(['1:C %s # oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo',
                                  '1:C %s # Redis version=7.4.1, bits=64, commit=00000000, modified=0, pid=1, just started',
                                  '1:C %s # Configuration loaded', '1:M %s * monotonic clock: POSIX clock_gettime',
                                  '1:M %s * Running mode=standalone, port=6379.', '1:M %s * Server initialized',
                                  '1:M %s * Reading RDB base file on AOF loading...', '1:M %s # ' + AOF]):
            redis.raw(t + i * 300 * US, line % M.redis_ts(t + i * 300 * US))
        c = t + 2 * NS + rng.randint(0, 900) * MS
        sig.br(c, 'INFO', 'signal_engine', 'Config validiert ✓')
        sig.br(c + 5 * MS, 'ERROR', 'signal_engine', 'Redis-Verbindung fehlgeschlagen: ' + refused)
        risk.br(c + 40 * MS, 'INFO', 'risk_manager', 'Config validiert ✓')
        risk.br(c + 45 * MS, 'ERROR', 'risk_manager', 'Redis-Verbindung fehlgeschlagen: ' + refused)
        exe.dash(c + 80 * MS, 'INFO', 'Starting execution_service v0.1.0')
        exe.dash(c + 85 * MS, 'ERROR', 'Redis Initialisierung fehlgeschlagen (1/5): ' + refused)
        tries += 1
        t += delay * NS + rng.randint(0, 400) * MS
        delay = min(delay * 2, 600)   # thinned: docker retries at least every minute; one try in ten minutes is kept

    b = M.Bundle(name)
    b.add('logs/compose_logs.txt', M.compose_logs([redis, ws, sig, risk, exe], True, rng), 'container-log')
    b.write_dir()
    L = name + '/logs/compose_logs.txt'
    blk = "grep -E '\\| 2026-03-0[345]T'"
    inb = lambda xs: len([x for x in xs if M.in_block(x, days)])
    M.write_expected(name, {
        'description': 'Era B. After a host reboot on 2026-03-04 03:12 UTC cdb_redis cannot load its append-only file (`Bad file format '
                       'reading the append only file ...`) and exits at every start; signal, risk and execution die on `Error 111 connecting '
                       'to cdb_redis:6379. Connection refused.` and crash-loop with it. The fault is Redis storage; the clients\' '
                       'connection errors are its consequences.',
        'incident': 'dependency cannot start (corrupt Redis AOF), clients crash-loop',
        'era': 'B', 'dialect': 'real',
        'block': {'from': days[0], 'to': days[-1]},
        'archive': None,
        'files': b.file_table(),
        'counts': {'market_data_events': inb(ticks), 'signals': inb(sig_times), 'signals_per_day': M.per_day(sig_times, days),
                   'risk_approved': inb(sig_times), 'risk_rejected': 0, 'orders': inb(sig_times), 'trades': inb(sig_times), 'persisted_trades': None},
        'counts_raw': {'orders_rows': None, 'trades_rows': None},
        'break_layer': 'system',
        'break_stage': 'market_data',
        'break_at': M.iso_z(ticks[-1])[:19] + 'Z',
        'top_hypothesis': {'layer': 'system', 'keywords': ['AOF', 'append only', 'append-only']},
        # Redis's own line names the fault from its first failed start; the clients' refusals (the ws first, a second after
        # the boot) and the restarts (Redis's own at the boot, then every client's) are its consequences.
        'top_cause': {'cause_evidence': 'Bad file format reading the append only file',
                      'started_at': M.iso_z(boot + 7 * 300 * US),
                      'consequences': [{'evidence': refused, 'started_at': M.iso_z(boot + 1 * NS + 20 * MS)},
                                       {'evidence': 'Starting execution_service', 'started_at': M.iso_z(boot)}]},
        'reports': [], 'secrets': [],
        'how': {
            'market_data_events': "%s %s | grep -c 'ws_service: \\[redis\\] published market_data'" % (blk, L),
            'signals': "%s %s | grep -c '✨ Signal generiert'" % (blk, L),
            'signals_per_day': "%s %s | grep '✨ Signal generiert' | awk 'BEGIN{%s} {c[substr($3,1,10)]++} END{for (d in c) print d, c[d]}' | sort"
                               % (blk, L, ';'.join('c[\"%s\"]=0' % d for d in days)),
            'risk_approved': "%s %s | grep -c '✅ Order freigegeben'" % (blk, L),
            'risk_rejected': "%s %s | grep -cE 'Signal blockiert|Max Exposure erreicht|Circuit Breaker|Position zu gro' || true" % (blk, L),
            'orders': "%s %s | grep -c 'Order filled: '" % (blk, L),
            'trades': "%s %s | grep -c 'Order filled: '" % (blk, L),
        },
        'checks': [
            {'what': 'Redis starts and fails on its AOF at every try after the reboot', 'expect': str(tries),
             'cmd': "grep -c 'Bad file format reading the append only file' %s" % L},
            {'what': 'signal-engine crash-loop lines (one per Redis try)', 'expect': str(tries),
             'cmd': "grep -c 'signal_engine: Redis-Verbindung fehlgeschlagen: Error 111' %s" % L},
        ],
    })


def main() -> None:
    sample_feed_dies_midblock()
    sample_writer_stops_midblock()
    sample_since_healthy()
    sample_clockless_feed()
    sample_debug_filter_drop()
    sample_tail_healthy()
    sample_redis_aof_crashloop()


if __name__ == '__main__':
    main()
