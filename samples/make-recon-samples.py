#!/usr/bin/env python3
"""Four small bundles for DB-vs-report reconciliation (evidence-formats §6), one explanation each,
plus a consistent block of every report kind. Standard library only, fixed seeds and times:
the same bytes on every run. Reuses the writers of make-samples.py (log wrappers, psql CSV,
the paper runner's report block).

    python3 samples/make-recon-samples.py

Each sample's answer key (<name>.expected.json) lists every report value with the DB count the
generator put into the window that report really counted, and the verdict that follows from §6.
verify-samples.py re-derives the DB counts from the files with awk (the `checks`).
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
_spec.loader.exec_module(M)  # type: ignore[union-attr]

E, NS, MS, US, ymd, pg_ts, asctime = M.E, M.NS, M.MS, M.US, M.ymd, M.pg_ts, M.asctime
DAY = 86400 * NS
RULE = '=' * 60


# --------------------------------------------------------------------------------------------
# one DB: signals, each executed once; both writers persist every order and fill (§5.5)
# --------------------------------------------------------------------------------------------

class Db:
    def __init__(self, rng: random.Random):
        self.rng = rng
        self.signals: list[list] = []
        self.orders: list[list] = []
        self.trades: list[list] = []
        self.times: list[int] = []

    def signal(self, t: int, rejected: bool = False) -> None:
        rng = self.rng
        sid = len(self.signals) + 1
        price = round(95000 + rng.uniform(-900, 900), 2)
        self.signals.append([sid, 'BTCUSDT', 'buy', '%.8f' % price, '0.5000', pg_ts(t), 'signal_engine', '{}'])
        self.times.append(t)
        mock = 'MOCK_%08d' % rng.randint(10_000_000, 99_999_999)
        qty = '%.8f' % rng.uniform(0.0001, 0.0003)
        ot = t + rng.randint(40, 400) * MS
        # db_writer twin first (the orders channel), then the execution row, within a second
        self.orders.append([None, None, None, 'BTCUSDT', 'buy', 'market', '%.8f' % price, qty, False, None, 'pending',
                            None, None, pg_ts(ot), None, None, '{}'])
        et = ot + rng.randint(100, 600) * MS
        status = 'rejected' if rejected else 'filled'
        fill = '%.8f' % (50000 * (1 + rng.uniform(-0.001, 0.001)))
        self.orders.append([None, mock, None, 'BTCUSDT', 'buy', 'market', None if rejected else fill, qty, True, None, status,
                            None if rejected else qty, None if rejected else fill, pg_ts(et), pg_ts(et),
                            None if rejected else pg_ts(et), '{"source": "execution_service", "order_id": "%s"}' % mock])
        if rejected:
            return
        tt = et + rng.randint(5, 60) * MS
        self.trades.append([None, None, 'BTCUSDT', 'buy', fill, qty, 'filled', fill, '0.0000', '0.00000000', pg_ts(tt), 'MEXC',
                            None, '{"order_id": "%s"}' % mock])
        self.trades.append([None, None, 'BTCUSDT', 'buy', fill, qty, 'filled', fill, '0.0000', '0.00000000',
                            pg_ts(tt + self.rng.randint(50, 700) * MS), 'MEXC', None, '{}'])

    def csv(self, bundle) -> None:
        for i, r in enumerate(self.orders):
            r[0] = i + 1
        for i, r in enumerate(self.trades):
            r[0] = i + 1
        bundle.add('db/signals.csv', M.psql_csv(M.SIGNALS_COLS, self.signals), 'db-dump')
        bundle.add('db/orders.csv', M.psql_csv(M.ORDERS_B_COLS, self.orders), 'db-dump')
        bundle.add('db/trades.csv', M.psql_csv(M.TRADES_COLS, self.trades), 'db-dump')

    # counts by construction; raw = both writers' rows, the executions / fills once
    def n_signals(self, a: int, b: int) -> int:
        return sum(1 for t in self.times if a <= t < b)

    def _ts(self, row: list, col: int) -> int:
        s = row[col][:-3]
        return E(s)

    def n_trades(self, a: int, b: int) -> tuple[int, int]:
        raw = sum(1 for r in self.trades if a <= self._ts(r, 10) < b)
        return raw, sum(1 for r in self.trades if r[13] != '{}' and a <= self._ts(r, 10) < b)

    def n_orders(self, a: int, b: int, status: str | None = None) -> tuple[int, int]:
        rows = [r for r in self.orders if a <= self._ts(r, 13) < b and (status is None or r[10] == status)]
        return len(rows), sum(1 for r in rows if r[1])


def day0(d: str) -> int:
    return E(d + ' 00:00:00')


def awk_count(sample: str, table: str, col: int, a: str, b: str, extra: str = '') -> str:
    """Rows of a psql CSV whose time column (text 'YYYY-MM-DD HH:MM:SS[.f]+00') lies in [a, b)."""
    return ("awk -F, 'NR>1 && substr($%d,1,19)>=\"%s\" && substr($%d,1,19)<\"%s\"%s' %s/db/%s.csv | wc -l"
            % (col, a, col, b, extra, sample, table))


def rec(kind: str, date: str | None, metric: str, value, db, matches: bool, explanation, interpretation) -> dict:
    return {'report_kind': kind, 'date': date, 'metric': metric, 'report_value': value, 'db_value': db,
            'matches': matches, 'explanation': explanation, 'interpretation': interpretation}


def base_expected(name: str, b, description: str, incident: str, block: tuple[str, str], counts: dict, counts_raw: dict,
                  how: dict, checks: list, recon: list, extra: dict | None = None) -> dict:
    exp = {
        'description': description,
        'incident': incident,
        'era': 'B',
        'dialect': 'real',
        'block': {'from': block[0], 'to': block[1]},
        'archive': None,
        'files': b.file_table(),
        'counts': counts,
        'counts_raw': counts_raw,
        'break_layer': None,
        'top_hypothesis': None,
        'secrets': [],
        'how': how,
        'checks': checks,
        'reconciliation': recon,
    }
    exp.update(extra or {})
    return exp


def flow_how(sample: str, a: str, b: str) -> dict:
    blk = "substr($%d,1,19)>=\"" + a + "\" && substr($%d,1,19)<\"" + b + "\""
    return {
        'signals': "awk -F, 'NR>1 && %s' %s/db/signals.csv | wc -l" % (blk % (6, 6), sample),
        'orders': "awk -F, 'NR>1 && $2!=\"\" && %s' %s/db/orders.csv | wc -l" % (blk % (14, 14), sample),
        'trades': "awk -F, 'NR>1 && $14!=\"{}\" && %s' %s/db/trades.csv | wc -l" % (blk % (11, 11), sample),
        'persisted_trades': "awk -F, 'NR>1 && $14!=\"{}\" && %s' %s/db/trades.csv | wc -l" % (blk % (11, 11), sample),
        'orders_rows': "awk -F, 'NR>1 && %s' %s/db/orders.csv | wc -l" % (blk % (14, 14), sample),
        'trades_rows': "awk -F, 'NR>1 && %s' %s/db/trades.csv | wc -l" % (blk % (11, 11), sample),
    }


def flow_counts(db: Db, a: int, b: int) -> tuple[dict, dict]:
    tr = db.n_trades(a, b)
    od = db.n_orders(a, b)
    return ({'market_data_events': None, 'signals': db.n_signals(a, b), 'risk_approved': None, 'risk_rejected': None,
             'orders': od[1], 'trades': tr[1], 'persisted_trades': tr[1]},
            {'orders_rows': od[0], 'trades_rows': tr[0]})


def runner_svc(rng: random.Random) -> M.Svc:
    return M.Svc('cdb_paper_runner', rng)


def events_every(runner: M.Runner, t0: int, t1: int) -> None:
    runner.events_lines(t0, t1, 1800)


# --------------------------------------------------------------------------------------------
# 1. paper runner: frozen CURRENT_DATE (window), and a restart that resets Events Logged
# --------------------------------------------------------------------------------------------

def sample_runner_restart() -> None:
    name = 'recon-runner-restart'
    rng = random.Random(1201)
    b = M.Bundle(name)
    db = Db(rng)
    per_day = {'2026-01-10': 14, '2026-01-11': 22, '2026-01-12': 18, '2026-01-13': 25, '2026-01-14': 20, '2026-01-15': 3}
    for d, n in per_day.items():
        hours = 8 if d == '2026-01-15' else 23
        for i in range(n):
            db.signal(day0(d) + int((i + 0.5) * hours * 3600 / n * NS) + rng.randint(0, 900) * NS)
    svc = runner_svc(rng)
    start1 = E('2026-01-10 09:00:02.184331')
    start2 = E('2026-01-13 15:20:07.553120')
    M.runner_start(svc, start1, '172.18.0.9', None)
    r1 = M.Runner(svc, start1, 4.0)
    events_every(r1, start1, start2)
    svc.br(start2 - 2 * NS, 'INFO', '__main__', 'Received signal 15, shutting down')
    M.runner_start(svc, start2, '172.18.0.9', None)
    r2 = M.Runner(svc, start2, 4.0)
    events_every(r2, start2, E('2026-01-15 08:00:00'))
    recon = []
    reports = []
    since, until = E('2026-01-12 00:00:00'), E('2026-01-15 00:00:05')
    for d in ['2026-01-11', '2026-01-12', '2026-01-13', '2026-01-14', '2026-01-15']:
        at = day0(d) + rng.randint(300, 700) * MS
        runner = r1 if at < start2 else r2
        frozen = ymd(runner.start + 300 * NS)
        a, z = day0(frozen), day0(frozen) + DAY
        sig = db.n_signals(a, z)
        tr_raw, _ = db.n_trades(a, z)
        rep = runner.report(at, sig, tr_raw, email=False)
        if since <= at < until:
            reports.append((d, at, sig, tr_raw, rep['events']))
    ev_prev = None
    for d, at, sig, tr, ev in reports:
        recon.append(rec('paper_runner', d, 'signals', sig, sig, False, 'window', 'runner_start_day'))
        recon.append(rec('paper_runner', d, 'trades', tr, tr, False, 'window', 'runner_start_day'))
        dropped = ev_prev is not None and ev < ev_prev
        recon.append(rec('paper_runner', None, 'events_logged', ev, None, not dropped, 'restart_reset' if dropped else None,
                         'since_process_start'))
        ev_prev = ev
    # The analyst exported the block: docker compose logs -t --since 2026-01-12T00:00:00Z --until 2026-01-15T00:00:05Z.
    # The first start banner is outside it, so the start day comes from the reports' Uptime until the restart.
    svc.recs = [r for r in svc.recs if since <= r[0] < until - 2 * NS]
    b.add('logs/compose_logs.txt', M.compose_logs([svc], True, rng), 'container-log')
    db.csv(b)
    counts, raw = flow_counts(db, day0('2026-01-12'), day0('2026-01-15'))
    L = name + '/logs/compose_logs.txt'
    checks = [
        {'what': 'signals on the first start day 2026-01-10 (reports of 01-11..01-13 print it)', 'expect': 14,
         'cmd': awk_count(name, 'signals', 6, '2026-01-10', '2026-01-11')},
        {'what': 'signals on the restart day 2026-01-13 (reports of 01-14, 01-15 print it)', 'expect': 25,
         'cmd': awk_count(name, 'signals', 6, '2026-01-13', '2026-01-14')},
        {'what': 'trade rows of both writers on 2026-01-13', 'expect': 2 * 25,
         'cmd': awk_count(name, 'trades', 11, '2026-01-13', '2026-01-14')},
        {'what': 'Signals Today printed by the four reports in the export', 'expect': '14 14 25 25',
         'cmd': "grep -o 'Signals Today:    [0-9]*' %s | awk '{print $3}' | paste -sd' '" % L},
        {'what': 'Events Logged printed by the four reports (drops after the restart)', 'expect': ' '.join(str(r[4]) for r in reports),
         'cmd': "grep -o 'Events Logged:    [0-9]*' %s | awk '{print $3}' | paste -sd' '" % L},
        {'what': 'one runner start in the export (the restart on 2026-01-13)', 'expect': 1, 'cmd': "grep -c 'PAPER TRADING RUNNER INITIALIZED' %s" % L},
        {'what': 'the restart banner', 'expect': '2026-01-13T15:20:07.553120', 'cmd': "grep -o 'Start Time:  [0-9T:.-]*' %s | awk '{print $3}'" % L},
    ]
    b.write_dir()
    M.write_expected(name, base_expected(
        name, b,
        "The paper runner's CURRENT_DATE is frozen at its start day (its connection never commits): the reports of "
        "2026-01-12..13 print the counts of 2026-01-10 (the start day, from Date minus Uptime: the log export begins with the "
        "block), and after a restart on 2026-01-13 15:20 those of 2026-01-13. The restart resets Events Logged.",
        'reports count the runner start day; Events Logged resets at a restart', ('2026-01-12', '2026-01-14'),
        counts, raw, flow_how(name, '2026-01-12', '2026-01-15'), checks, recon,
        {'era': None, 'notes': ['No era tells: the bundle holds only the runner log and DB exports (their signal_engine source and '
                                'confidence 0.5000 are era-B values, which the tool does not use to tell the era).']}))


# --------------------------------------------------------------------------------------------
# 2. daily_check in local days: the block is the team's local days (two signs agree)
# --------------------------------------------------------------------------------------------

CET = 3600 * NS


def daily_check(local_gen: str, rows: list[tuple[str, list[str]]], header: list[str], ps_rows: list[str] | None = None,
                failure: str | None = None, risk_unset: bool = False) -> str:
    day = local_gen[:10]
    out = ['# Daily Report - %s' % day, '', 'Generated: %s' % local_gen, '', '---', '', '# 📊 Claire de Binare - Daily Check', '',
           '**Date**: %s' % local_gen, '', '---', '', '## 1. Docker Container Status', '', '```']
    out += ps_rows or ['NAME               IMAGE                    COMMAND                  SERVICE            CREATED      STATUS                  PORTS',
                       'cdb_paper_runner   cdb-cdb_paper_runner     "python -u service.py"   cdb_paper_runner   3 days ago   Up 3 days (healthy)     127.0.0.1:8004->8004/tcp',
                       'cdb_signal         cdb-cdb_signal           "python -u service.py"   cdb_signal         3 days ago   Up 3 days (healthy)     127.0.0.1:8005->8005/tcp']
    out += ['```', '', '✅ **All containers checked**', '', '## 2. Portfolio Summary', '']
    if failure:
        out += ['❌ **Portfolio check failed**: %s' % failure, '', '', '## 3. Trading Statistics', '', '❌ **Trading stats failed**: %s' % failure, '', '']
    else:
        out += ['| Metric | Value |', '|--------|-------|', '| Timestamp | 2026-01-06 10:00:00.118934+00:00 |', '| **Total Equity** | **$100,000.00** |',
                '| Open Positions | 0 |', '', '✅ **Daily P&L: Positive**', '', '## 3. Trading Statistics', '',
                '| %s |' % ' | '.join(header), '|' + '|'.join('-' * (len(h) + 2) for h in header) + '|']
        out += ['| %s | %s |' % (m, ' | '.join(v)) for m, v in rows]
        out += ['']
    out += ['## 4. Risk Limits', '', '| Parameter | Configured | Status |', '|-----------|------------|--------|']
    out += ['| MAX_POSITION_PCT | Not set | ❌ |' if risk_unset else '| MAX_POSITION_PCT | 10.00% | ✅ |']
    out += ['', '## 5. Disk Space', '', '- **Total**: 931 GB', '- **Used**: 12.4%', '- **Free**: 815 GB', '', '## 6. Backup Status (Last 24h)', '',
            '✅ **1 backup(s) in last 24h**', '', '---', '', '**Report generated**: %s' % local_gen]
    return '\n'.join(out) + '\n'


def sample_local_day() -> None:
    name = 'recon-local-day'
    rng = random.Random(1202)
    b = M.Bundle(name)
    db = Db(rng)
    # Activity around local midnight: signals in the 23:xx UTC hour fall on the next local day.
    for d in ['2026-01-18', '2026-01-19', '2026-01-20', '2026-01-21', '2026-01-22']:
        n = {'2026-01-18': 6, '2026-01-19': 17, '2026-01-20': 21, '2026-01-21': 15, '2026-01-22': 4}[d]
        for i in range(n):
            h = 23 if i % 4 == 0 else (2 + i) % 22
            db.signal(day0(d) + h * 3600 * NS + rng.randint(60, 3000) * NS)
    # Exports of the team's days: docker compose logs -t --since 2026-01-18T23:00:00Z (local midnight).
    svc = M.Svc('cdb_signal', rng)
    t = E('2026-01-18 23:00:04.120000')
    svc.br(t, 'INFO', 'signal_engine', '🚀 Signal-Engine gestartet')
    while t < E('2026-01-21 22:50:00'):
        t += 1800 * NS
        # the engine's own DEBUG line per tick (formats doc §3.3), one every half hour here
        p = 95000 + rng.randint(0, 90000) / 100
        svc.br(t, 'DEBUG', 'signal_engine', 'BTCUSDT: pct_change calculated from price buffer (@ $%.2f → %+.4f%%)' % (p, rng.randint(-80, 80) / 10000))
    recon = []
    reports = []
    for local_day in ['2026-01-20', '2026-01-21', '2026-01-22']:
        gen_utc = E(local_day + ' 08:00:00') + rng.randint(0, 600) * NS  # 09:xx CET
        local = M.hms(gen_utc + CET)
        prev = M.ymd(day0(local_day) - DAY)
        la, lz = day0(prev) - CET, day0(local_day) - CET
        ys, yt = db.n_signals(la, lz), db.n_trades(la, lz)[0]
        ua, uz = day0(prev), day0(local_day)
        us_, ut_ = db.n_signals(ua, uz), db.n_trades(ua, uz)[0]
        assert ys != us_ and yt != ut_, 'local and UTC day must differ'
        ts, tt = db.n_signals(day0(local_day), gen_utc + 1), db.n_trades(day0(local_day), gen_utc + 1)
        tot_s, tot_t = db.n_signals(0, gen_utc + 1), db.n_trades(0, gen_utc + 1)[0]
        header = ['Metric', 'Yesterday (%s)' % prev, 'Today', 'Total']
        rows = [('Signals', [str(ys), str(ts), str(tot_s)]), ('Trades', [str(yt), str(tt[0]), str(tot_t)])]
        b.add('reports/report_%s.md' % local_day.replace('-', ''), daily_check(local, rows, header), 'report')
        reports.append((local_day, prev, ys, us_, yt, ut_))
        recon += [
            rec('daily_check', prev, 'signals', ys, ys, False, 'timezone', 'local_day'),
            rec('daily_check', local_day, 'signals', ts, ts, True, None, 'named_day_utc'),
            rec('daily_check', None, 'signals', tot_s, tot_s, True, None, 'all_rows'),
            rec('daily_check', prev, 'trades', yt, yt, False, 'timezone', 'local_day'),
            rec('daily_check', local_day, 'trades', tt[0], tt[0], True, 'duplicate_rows' if tt[0] != tt[1] else None, 'named_day_utc'),
            rec('daily_check', None, 'trades', tot_t, tot_t, True, 'duplicate_rows', 'all_rows'),
        ]
    b.add('logs/compose_logs_since_local_midnight.txt', M.compose_logs([svc], True, rng), 'container-log')
    db.csv(b)
    a, z = day0('2026-01-19') - CET, day0('2026-01-22') - CET
    counts, raw = flow_counts(db, a, z)
    how = {
        'signals': "awk -F, 'NR>1 && substr($6,1,19)>=\"2026-01-18 23:00:00\" && substr($6,1,19)<\"2026-01-21 23:00:00\"' %s/db/signals.csv | wc -l" % name,
        'orders': "awk -F, 'NR>1 && $2!=\"\" && substr($14,1,19)>=\"2026-01-18 23:00:00\" && substr($14,1,19)<\"2026-01-21 23:00:00\"' %s/db/orders.csv | wc -l" % name,
        'trades': "awk -F, 'NR>1 && $14!=\"{}\" && substr($11,1,19)>=\"2026-01-18 23:00:00\" && substr($11,1,19)<\"2026-01-21 23:00:00\"' %s/db/trades.csv | wc -l" % name,
        'persisted_trades': "awk -F, 'NR>1 && $14!=\"{}\" && substr($11,1,19)>=\"2026-01-18 23:00:00\" && substr($11,1,19)<\"2026-01-21 23:00:00\"' %s/db/trades.csv | wc -l" % name,
        'orders_rows': "awk -F, 'NR>1 && substr($14,1,19)>=\"2026-01-18 23:00:00\" && substr($14,1,19)<\"2026-01-21 23:00:00\"' %s/db/orders.csv | wc -l" % name,
        'trades_rows': "awk -F, 'NR>1 && substr($11,1,19)>=\"2026-01-18 23:00:00\" && substr($11,1,19)<\"2026-01-21 23:00:00\"' %s/db/trades.csv | wc -l" % name,
    }
    checks = []
    for local_day, prev, ys, us_, yt, ut_ in reports:
        nxt = local_day
        checks.append({'what': 'signals on the local day %s (CET = UTC+1)' % prev, 'expect': ys,
                       'cmd': awk_count(name, 'signals', 6, M.hms(day0(prev) - CET), M.hms(day0(nxt) - CET))})
        checks.append({'what': 'signals on the UTC day %s (differs)' % prev, 'expect': us_,
                       'cmd': awk_count(name, 'signals', 6, prev, nxt)})
        checks.append({'what': 'report_%s.md prints the local day in its Yesterday column' % local_day.replace('-', ''), 'expect': ys,
                       'cmd': "awk -F'|' '$2 ~ /Signals/{gsub(/ /,\"\",$3); print $3}' %s/reports/report_%s.md" % (name, local_day.replace('-', ''))})
    checks.append({'what': 'the log export starts at local midnight (23:00 UTC)', 'expect': '2026-01-18T23:00',
                   'cmd': "head -1 %s/logs/compose_logs_since_local_midnight.txt | awk '{print substr($3,1,16)}'" % name})
    b.write_dir()
    M.write_expected(name, base_expected(
        name, b,
        "A host-side daily_check.py variant with a 'Yesterday (<date>)' column that counts the host's local (CET) day, while "
        "'Today' uses the DB's UTC CURRENT_DATE. The logs were exported from local midnight. Both signs agree, so the block is "
        "the team's local days 2026-01-19..21 (Europe/Berlin).",
        'host report counts local days; block in local days', ('2026-01-19', '2026-01-21'),
        counts, raw, how, checks, recon,
        {'zone': 'Europe/Berlin', 'window': {'from': M.rfc9(a).replace('.000000000Z', '.000Z'), 'to': '2026-01-21T22:59:59.999Z'}}))


# --------------------------------------------------------------------------------------------
# 3. a consistent block of every report kind
# --------------------------------------------------------------------------------------------

def summary_mail(date: str, period: str, tiles: dict, trades: int) -> str:
    html = ['<html><head><style>.metric-value{font-size:24px}</style></head><body>',
            '<h1>CDB Daily Orders Summary - %s</h1>' % date, '<p>Period: %s</p>' % period, '<div class="metrics">']
    for k in ['Total Orders', 'Filled', 'Rejected', 'Cancelled']:
        html.append('<div class="metric"><div class="metric-value">%d</div><div class="metric-label">%s</div></div>' % (tiles[k], k))
    html += ['</div>', '<h2>Top Rejection Reasons</h2>', '<p>No rejections</p>', '<h2>Trade Execution</h2>',
             '<p><strong>Total Trades:</strong> %d</p>' % trades, '<p><strong>Total Fees:</strong> $0.00</p>',
             '<p class="footer">Generated by CDB Reports Service | %s 08:00 UTC</p>' % date, '</body></html>']
    head = ['From: cdb-reports@example.org', 'To: team@example.org', 'Subject: CDB Daily Orders Summary - %s' % date,
            'Date: %s' % M.rfc2822(day0(date) + 8 * 3600 * NS + 2 * NS), 'MIME-Version: 1.0', 'Content-Type: text/html; charset="utf-8"',
            'Content-Transfer-Encoding: 7bit', '']
    return '\n'.join(head + html) + '\n'


def systemcheck_log(local_gen: str, ok: bool, tables: str | None) -> str:
    stamp = local_gen.replace('-', '').replace(' ', '_').replace(':', '')
    out = [RULE, 'CLAIRE DE BINARE - SYSTEMCHECK', 'Timestamp: %s' % stamp, RULE, '', RULE, '1. ENV-VARIABLEN CHECK', RULE]
    for v in ['REDIS_HOST', 'REDIS_PASSWORD', 'POSTGRES_HOST', 'POSTGRES_PASSWORD', 'MAX_POSITION_PCT']:
        shown = ('***MASKED***' if 'PASSWORD' in v else {'REDIS_HOST': 'cdb_redis', 'POSTGRES_HOST': 'cdb_postgres', 'MAX_POSITION_PCT': '0.10'}[v]) if ok else '[FAIL] MISSING'
        out.append('  %-35s: %s' % (v, shown))
    out += ['[%s] ENV Variables Complete' % ('OK' if ok else 'FAIL'), '', RULE, '2. DOCKER CONTAINER STATUS', RULE]
    for c in ['cdb_redis', 'cdb_postgres', 'cdb_paper_runner']:
        out.append('  %-25s: Running' % c)
    out += ['[OK] Docker Containers Healthy', '', RULE, '4. POSTGRESQL CONNECTION & SCHEMA', RULE]
    if ok:
        out += ['  Connection: [OK] OK (Host: localhost)', '  Tables found: %s' % tables]
        for tb in ['signals', 'orders', 'trades', 'positions', 'portfolio_snapshots']:
            out.append('    [OK] %s' % tb)
        out += ['[OK] PostgreSQL Schema Complete']
    else:
        out += ['  PostgreSQL Error: connection to server at "localhost" (::1), port 5432 failed: fe_sendauth: no password supplied', '',
                '[FAIL] PostgreSQL Connection']
    out += ['', RULE, 'SYSTEMCHECK SUMMARY', RULE, '  Passed: %d' % (3 if ok else 1), '  Failed: %d' % (0 if ok else 2),
            '  Total:  3', '', '  Log saved to: logs/systemcheck_%s.log' % stamp, '',
            '[OK] ALL CHECKS PASSED - System bereit für Paper Trading Start!' if ok else '[FAIL] 2 CHECKS FAILED - Bitte Fehler beheben vor Start!']
    return '\n'.join(out) + '\n'


def sample_consistent() -> None:
    name = 'recon-consistent'
    rng = random.Random(1203)
    b = M.Bundle(name)
    db = Db(rng)
    for d in ['2026-02-02', '2026-02-03', '2026-02-04', '2026-02-05', '2026-02-06']:
        n = {'2026-02-02': 9, '2026-02-03': 19, '2026-02-04': 23, '2026-02-05': 16, '2026-02-06': 2}[d]
        for i in range(n):
            db.signal(day0(d) + int((i + 0.3) * 22 * 3600 / n * NS) + rng.randint(0, 1200) * NS, rejected=(i % 7 == 3))
    svc = runner_svc(rng)
    start = E('2026-02-02 10:00:01.447120')
    M.runner_start(svc, start, '172.19.0.4', None)
    r = M.Runner(svc, start, 3.0)
    events_every(r, start, E('2026-02-06 00:30:00'))
    recon = []
    for d in ['2026-02-04', '2026-02-05', '2026-02-06']:
        # A fixed build: it counts the UTC day that has just ended and prints that day as its Date.
        at = day0(d) + rng.randint(300, 700) * MS
        counted = ymd(at - DAY)
        sig = db.n_signals(day0(counted), day0(d))
        tr = db.n_trades(day0(counted), day0(d))
        rep = r.report(at, sig, tr[0], email=False)
        body = rep['body']
        fixed = body.replace('Date: %s' % d, 'Date: %s' % counted)
        assert fixed != body
        svc.recs[-4] = (svc.recs[-4][0], svc.recs[-4][1], ('%s [INFO] __main__: \n' % asctime(at + 400 * US) + fixed).split('\n'), svc.recs[-4][3])
        recon += [
            rec('paper_runner', counted, 'signals', sig, sig, True, None, 'named_day_utc'),
            rec('paper_runner', counted, 'trades', tr[0], tr[0], True, 'duplicate_rows', 'named_day_utc'),
            rec('paper_runner', None, 'events_logged', rep['events'], None, True, None, 'since_process_start'),
        ]
    # cdb_reports at 08:00 UTC over the rolling 24 h
    for d in ['2026-02-04', '2026-02-05', '2026-02-06']:
        gen = day0(d) + 8 * 3600 * NS
        a = gen - DAY
        o_raw, _ = db.n_orders(a, gen + 1)
        filled = db.n_orders(a, gen + 1, 'filled')[0]
        rejected = db.n_orders(a, gen + 1, 'rejected')[0]
        t_raw, _ = db.n_trades(a, gen + 1)
        period = '%s 08:00 UTC - %s 08:00 UTC' % (ymd(a), d)
        b.add('mail/cdb_daily_orders_summary_%s.eml' % d, summary_mail(d, period, {'Total Orders': o_raw, 'Filled': filled, 'Rejected': rejected, 'Cancelled': 0}, t_raw), 'report')
        recon += [
            rec('cdb_reports', d, 'orders', o_raw, o_raw, True, 'duplicate_rows', 'rolling_24h'),
            rec('cdb_reports', d, 'orders_filled', filled, filled, True, None, 'rolling_24h'),
            rec('cdb_reports', d, 'orders_rejected', rejected, rejected, True, None, 'rolling_24h'),
            rec('cdb_reports', d, 'orders_cancelled', 0, 0, True, None, 'rolling_24h'),
            rec('cdb_reports', d, 'trades', t_raw, t_raw, True, 'duplicate_rows', 'rolling_24h'),
        ]
    # daily_check on the host at 21:30 CET: Today = the DB's UTC day up to generation; Total = every row
    local_day = '2026-02-05'
    gen_utc = E('2026-02-05 20:30:11')
    ts, tt = db.n_signals(day0(local_day), gen_utc + 1), db.n_trades(day0(local_day), gen_utc + 1)[0]
    tot_s, tot_t = db.n_signals(0, gen_utc + 1), db.n_trades(0, gen_utc + 1)[0]
    b.add('reports/report_20260205.md', daily_check(M.hms(gen_utc + CET), [('Signals', [str(ts), str(tot_s)]), ('Trades', [str(tt), str(tot_t)])],
                                                    ['Metric', 'Today', 'Total']), 'report')
    recon += [
        rec('daily_check', local_day, 'signals', ts, ts, True, None, 'named_day_utc'),
        rec('daily_check', None, 'signals', tot_s, tot_s, True, None, 'all_rows'),
        rec('daily_check', local_day, 'trades', tt, tt, True, 'duplicate_rows', 'named_day_utc'),
        rec('daily_check', None, 'trades', tot_t, tot_t, True, 'duplicate_rows', 'all_rows'),
    ]
    b.add('reports/systemcheck_20260205_213015.log', systemcheck_log('2026-02-05 21:30:15', True, 'orders, portfolio_snapshots, positions, schema_version, signals, trades'), 'report')
    recon.append(rec('systemcheck', None, 'db_tables', 5, None, False, None, None))
    b.add('logs/compose_logs.txt', M.compose_logs([svc], True, rng), 'container-log')
    db.csv(b)
    counts, raw = flow_counts(db, day0('2026-02-03'), day0('2026-02-06'))
    L = name + '/logs/compose_logs.txt'
    checks = [
        {'what': 'signals on 2026-02-03 (the fixed runner report dated 2026-02-03)', 'expect': 19, 'cmd': awk_count(name, 'signals', 6, '2026-02-03', '2026-02-04')},
        {'what': 'runner reports print the day they count as Date', 'expect': '2026-02-03 2026-02-04 2026-02-05',
         'cmd': "grep -o 'Date: [0-9-]*' %s | awk '{print $2}' | paste -sd' '" % L},
        {'what': 'orders rows of both writers in the summary window 2026-02-04 08:00 .. 2026-02-05 08:00', 'expect': db.n_orders(E('2026-02-04 08:00:00'), E('2026-02-05 08:00:00'))[0],
         'cmd': awk_count(name, 'orders', 14, '2026-02-04 08:00:00', '2026-02-05 08:00:00')},
        {'what': 'the summary of 2026-02-05 prints that number as Total Orders', 'expect': db.n_orders(E('2026-02-04 08:00:00'), E('2026-02-05 08:00:00'))[0],
         'cmd': "grep -o '<div class=\"metric-value\">[0-9]*</div><div class=\"metric-label\">Total Orders' %s/mail/cdb_daily_orders_summary_2026-02-05.eml | grep -o '[0-9]*' | head -1" % name},
    ]
    b.write_dir()
    M.write_expected(name, base_expected(
        name, b,
        'Every report agrees with the DB: a fixed paper-runner build that counts the UTC day it prints, the cdb_reports summary over '
        'its printed rolling 24 h, a daily_check whose Today is the UTC day so far and whose Total is every row, and a passing '
        'systemcheck. Report totals of orders and trades count both writers\' rows (§5.5), which the DB holds too.',
        'none (every report consistent)', ('2026-02-03', '2026-02-05'), counts, raw, flow_how(name, '2026-02-03', '2026-02-06'), checks, recon))


# --------------------------------------------------------------------------------------------
# 4. reports that could not count
# --------------------------------------------------------------------------------------------

def sample_reports_failed() -> None:
    name = 'recon-reports-failed'
    rng = random.Random(1204)
    b = M.Bundle(name)
    db = Db(rng)
    for d in ['2026-01-26', '2026-01-27', '2026-01-28', '2026-01-29']:
        n = {'2026-01-26': 12, '2026-01-27': 15, '2026-01-28': 11, '2026-01-29': 1}[d]
        for i in range(n):
            db.signal(day0(d) + int((i + 0.4) * 20 * 3600 / n * NS) + rng.randint(0, 900) * NS)
    svc = runner_svc(rng)
    start = E('2026-01-26 00:00:03.301772')
    M.runner_start(svc, start, '172.18.0.7', None)
    r = M.Runner(svc, start, 2.5)
    events_every(r, start, E('2026-01-29 01:00:00'))
    recon = []
    for d in ['2026-01-27', '2026-01-28', '2026-01-29']:
        at = day0(d) + rng.randint(300, 700) * MS
        svc.br(at, 'INFO', '__main__', '\n' + RULE)
        svc.br(at + 300 * US, 'INFO', '__main__', 'DAILY REPORT')
        svc.br(at + 350 * US, 'INFO', '__main__', RULE)
        svc.br(at + 400 * US, 'INFO', '__main__', "\nReport generation failed: 'NoneType' object is not subscriptable")
        svc.br(at + 450 * US, 'INFO', '__main__', RULE)
        svc.br(at + 460 * US, 'WARNING', 'email_alerter', 'Email alert NOT sent (disabled): [INFO] Daily Report')
        recon += [
            rec('paper_runner', d, 'signals', None, None, False, 'report_failed', None),
            rec('paper_runner', d, 'trades', None, None, False, 'report_failed', None),
            rec('paper_runner', None, 'events_logged', None, None, False, 'report_failed', None),
        ]
    failure = 'connection to server at "localhost" (::1), port 5432 failed: fe_sendauth: no password supplied'
    b.add('reports/report_20260128.md', daily_check('2026-01-28 19:05:44', [], [], failure=failure, risk_unset=True), 'report')
    recon += [
        rec('daily_check', '2026-01-28', 'signals', None, None, False, 'report_failed', None),
        rec('daily_check', None, 'signals', None, None, False, 'report_failed', None),
        rec('daily_check', '2026-01-28', 'trades', None, None, False, 'report_failed', None),
        rec('daily_check', None, 'trades', None, None, False, 'report_failed', None),
    ]
    b.add('reports/systemcheck_20260128_190312.log', systemcheck_log('2026-01-28 19:03:12', False, None), 'report')
    recon.append(rec('systemcheck', None, 'db_tables', None, None, False, 'report_failed', None))
    b.add('logs/compose_logs.txt', M.compose_logs([svc], True, rng), 'container-log')
    db.csv(b)
    counts, raw = flow_counts(db, day0('2026-01-26'), day0('2026-01-29'))
    L = name + '/logs/compose_logs.txt'
    checks = [
        {'what': 'three failed runner reports', 'expect': 3, 'cmd': "grep -c \"Report generation failed: 'NoneType' object is not subscriptable\" %s" % L},
        {'what': 'daily_check could not reach the DB (host env without a password)', 'expect': 2, 'cmd': "grep -c 'fe_sendauth: no password supplied' %s/reports/report_20260128.md" % name},
        {'what': 'systemcheck: every variable MISSING in the host shell', 'expect': 5, 'cmd': "grep -c '\\[FAIL\\] MISSING' %s/reports/systemcheck_20260128_190312.log" % name},
    ]
    b.write_dir()
    M.write_expected(name, base_expected(
        name, b,
        "No report could count: the paper runner's report fails on an empty portfolio_snapshots table ('NoneType' object is not "
        "subscriptable), and the host-side daily_check.py and systemcheck.py ran in a shell without the stack's .env (no "
        "POSTGRES_PASSWORD: fe_sendauth). The pipeline itself is healthy.",
        'reports failed to generate (runner: empty snapshot table; host checks: no DB credentials)', ('2026-01-26', '2026-01-28'),
        counts, raw, flow_how(name, '2026-01-26', '2026-01-29'), checks, recon))


def main() -> None:
    sample_runner_restart()
    sample_local_day()
    sample_consistent()
    sample_reports_failed()


if __name__ == '__main__':
    main()
