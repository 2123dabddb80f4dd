#!/usr/bin/env python3
"""Generate the cdb-forensics sample evidence bundles (see README.md next to this file).

Deterministic: every random choice comes from a seeded random.Random, every time is a fixed
constant, nothing reads the wall clock, archives carry fixed member times. Standard library only.

    python3 samples/make-samples.py          # (re)writes the five bundles and their expected files

Each bundle imitates what an analyst collects from the Claire de Binare paper bot, in the real
formats of shared/docs/evidence-formats.md and shared/fixtures/real-tools/. The expected numbers
are written from this script's own bookkeeping (by construction); verify-samples.py re-derives
each of them with the grep/awk/wc command stored under `how` and must agree.

The expected files live NEXT TO the bundles (`<sample>.expected.json`), never inside them: they
name the planted secrets, and a bundle must not contain its own answer key.
"""
from __future__ import annotations

import calendar
import gzip
import io
import json
import os
import random
import re
import shutil
import tarfile
import zipfile
from datetime import datetime, timezone
from decimal import Decimal
from email import policy
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText

HERE = os.path.dirname(os.path.abspath(__file__))
UTC = timezone.utc
NS = 1_000_000_000
MS = 1_000_000
US = 1_000
MON = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']
DOW = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun']

# --------------------------------------------------------------------------------------------
# time helpers: every instant is an int of epoch nanoseconds (UTC)
# --------------------------------------------------------------------------------------------


def E(s: str) -> int:
    """'YYYY-MM-DD HH:MM:SS[.ffffff]' (UTC) -> epoch ns."""
    fmt = '%Y-%m-%d %H:%M:%S.%f' if '.' in s else '%Y-%m-%d %H:%M:%S'
    d = datetime.strptime(s, fmt)
    return calendar.timegm(d.timetuple()) * NS + d.microsecond * US


def D(ns: int) -> datetime:
    return datetime.fromtimestamp(ns // NS, UTC).replace(microsecond=(ns % NS) // US)


def ymd(ns: int) -> str:
    return D(ns).strftime('%Y-%m-%d')


def hms(ns: int) -> str:
    return D(ns).strftime('%Y-%m-%d %H:%M:%S')


def asctime(ns: int) -> str:
    return hms(ns) + ',%03d' % ((ns % NS) // MS)


def rfc9(ns: int) -> str:
    """docker --timestamps: RFC 3339, always 9 fractional digits."""
    return D(ns).strftime('%Y-%m-%dT%H:%M:%S') + '.%09dZ' % (ns % NS)


def rfcnano(ns: int) -> str:
    """json-file `time`: Go RFC3339Nano, trailing zeros trimmed."""
    frac = ('%09d' % (ns % NS)).rstrip('0')
    return D(ns).strftime('%Y-%m-%dT%H:%M:%S') + ('.' + frac if frac else '') + 'Z'


def clf(ns: int) -> str:
    d = D(ns)
    return '%02d/%s/%04d %02d:%02d:%02d' % (d.day, MON[d.month - 1], d.year, d.hour, d.minute, d.second)


def redis_ts(ns: int) -> str:
    d = D(ns)
    return '%02d %s %04d %02d:%02d:%02d.%03d' % (d.day, MON[d.month - 1], d.year, d.hour, d.minute, d.second,
                                                  (ns % NS) // MS)


def pg_log_ts(ns: int) -> str:
    return hms(ns) + '.%03d UTC' % ((ns % NS) // MS)


def pg_ts(ns: int, frac: bool = True) -> str:
    """timestamptz as PostgreSQL prints it in a UTC session (fraction trimmed, only if non-zero)."""
    s = hms(ns)
    us = (ns % NS) // US
    if frac and us:
        s += ('.%06d' % us).rstrip('0')
    return s + '+00'


def iso_us(ns: int) -> str:
    return D(ns).strftime('%Y-%m-%dT%H:%M:%S') + '.%06d' % ((ns % NS) // US)


def iso_z(ns: int) -> str:
    return D(ns).strftime('%Y-%m-%dT%H:%M:%SZ')


def rfc2822(ns: int, offset_h: int = 0, zone: str = '') -> str:
    d = D(ns + offset_h * 3600 * NS)
    s = '%s, %d %s %04d %02d:%02d:%02d %s%02d00' % (DOW[d.weekday()], d.day, MON[d.month - 1], d.year, d.hour,
                                                    d.minute, d.second, '-' if offset_h < 0 else '+', abs(offset_h))
    return s + (' (%s)' % zone if zone else '')


def human(sec: float) -> str:
    """docker's units.HumanDuration."""
    if sec < 1:
        return 'Less than a second'
    if sec < 60:
        return '%d seconds' % sec
    minutes = int(sec // 60)
    if minutes == 1:
        return 'About a minute'
    if minutes < 60:
        return '%d minutes' % minutes
    hours = int(sec / 3600 + 0.5)
    if hours == 1:
        return 'About an hour'
    if hours < 48:
        return '%d hours' % hours
    if hours < 24 * 7 * 2:
        return '%d days' % (hours // 24)
    return '%d weeks' % (hours // (24 * 7))


# --------------------------------------------------------------------------------------------
# container log model and the capture wrappers
# --------------------------------------------------------------------------------------------


class Svc:
    """One container's output. Records are kept with their application time; `physical()` turns
    them into physical lines with the docker daemon's receive time (a little later, strictly
    increasing per container), as `docker logs -t` / json-file would stamp them."""

    def __init__(self, name: str, rng: random.Random, stream: str = 'stdout'):
        self.name, self.rng, self.stream = name, rng, stream
        self.recs: list[tuple[int, int, list[str], str]] = []
        self.seq = 0

    def raw(self, ns: int, text: str, stream: str | None = None) -> None:
        self.recs.append((ns, self.seq, text.split('\n'), stream or self.stream))
        self.seq += 1

    def br(self, ns: int, level: str, logger: str, msg: str, stream: str | None = None) -> None:
        self.raw(ns, '%s [%s] %s: %s' % (asctime(ns), level, logger, msg), stream)

    def dash(self, ns: int, level: str, msg: str, logger: str = 'execution_service') -> None:
        self.raw(ns, '%s - %s - %s - %s' % (asctime(ns), logger, level, msg))

    def wsb(self, ns: int, level: str, msg: str) -> None:
        """era-B cdb_ws: always `ws_service`, no milliseconds."""
        self.raw(ns, '%s [%s] ws_service: %s' % (hms(ns), level, msg))

    def physical(self) -> list[tuple[int, str, str]]:
        out: list[tuple[int, str, str]] = []
        last = 0
        for ns, _, lines, st in sorted(self.recs, key=lambda r: (r[0], r[1])):
            d = ns + self.rng.randint(60_000, 950_000)
            for line in lines:
                d = max(d, last + self.rng.randint(700, 2600))
                out.append((d, line, st))
                last = d
                d += self.rng.randint(700, 2600)
        return out


def compose_logs(svcs: list[Svc], timestamps: bool, rng: random.Random, chunk=(60, 500)) -> str:
    """`docker compose logs [-t]`: `<name padded to longest+1> | [stamp ]line`; without -f the
    containers print concurrently, so the file interleaves per-container blocks (not by time)."""
    width = max(len(s.name) for s in svcs) + 1
    queues = []
    for s in svcs:
        phys = s.physical()
        chunks, i = [], 0
        while i < len(phys):
            n = rng.randint(*chunk)
            chunks.append(phys[i:i + n])
            i += n
        queues.append([s.name, chunks])
    out = []
    while True:
        live = [q for q in queues if q[1]]
        if not live:
            break
        q = rng.choice(live)
        for d, line, _ in q[1].pop(0):
            out.append(q[0].ljust(width) + ' | ' + (rfc9(d) + ' ' if timestamps else '') + line)
    return '\n'.join(out) + '\n'


def docker_logs(svc: Svc, timestamps: bool = True, streams=('stdout', 'stderr')) -> list[str]:
    return [(rfc9(d) + ' ' if timestamps else '') + line for d, line, st in svc.physical() if st in streams]


def json_file_log(svc: Svc) -> str:
    out = []
    for d, line, st in svc.physical():
        s = json.dumps({'log': line + '\n', 'stream': st, 'time': rfcnano(d)}, ensure_ascii=False,
                       separators=(',', ':'))
        # Go's encoding/json escapes these three for HTML safety
        out.append(s.replace('<', '\\u003c').replace('>', '\\u003e').replace('&', '\\u0026'))
    return '\n'.join(out) + '\n'


def text(lines: list[str]) -> str:
    return '\n'.join(lines) + '\n'


def ps51(s: str, mojibake: bool = True) -> bytes:
    """Windows PowerShell 5.1 `>` / Out-File: native output decoded with the OEM code page (cp850
    on a German Windows), written as UTF-16LE with BOM and CRLF."""
    if mojibake:
        s = s.encode('utf-8').decode('cp850')
    return b'\xff\xfe' + s.replace('\r\n', '\n').replace('\n', '\r\n').encode('utf-16-le')


def schedule(rng: random.Random, t0: int, t1: int, step_s: float, jitter_ms: int = 0) -> list[int]:
    out, t = [], t0
    while t < t1:
        out.append(t + (rng.randint(0, jitter_ms) * MS if jitter_ms else 0))
        t += int(step_s * NS)
    return out


# --------------------------------------------------------------------------------------------
# line catalog (texts from evidence-formats.md §2-§3)
# --------------------------------------------------------------------------------------------

HEALTH = '"GET /health HTTP/1.1" 200 -'


def poll_br(svc: Svc, ns: int) -> None:
    svc.br(ns, 'INFO', 'werkzeug', '127.0.0.1 - - [%s] %s' % (clf(ns), HEALTH))


def poll_dash(svc: Svc, ns: int, path: str = '/health', ip: str = '127.0.0.1') -> None:
    svc.dash(ns, 'INFO', '%s - - [%s] "GET %s HTTP/1.1" 200 -' % (ip, clf(ns), path), logger='werkzeug')


def poll_bare(svc: Svc, ns: int) -> None:
    svc.raw(ns, '127.0.0.1 - - [%s] %s' % (clf(ns), HEALTH))


def poll_wsb(svc: Svc, ns: int) -> None:
    svc.wsb(ns, 'INFO', '127.0.0.1 - - [%s] %s' % (clf(ns), HEALTH))


def flask_banner(svc: Svc, ns: int, app: str, port: int, ip: str, fmt: str = 'br') -> None:
    """Flask's click.echo lines go to stdout unformatted; werkzeug's go through logging."""
    svc.raw(ns, " * Serving Flask app '%s'" % app, stream='stdout')
    svc.raw(ns + 100 * US, ' * Debug mode: off', stream='stdout')
    msg = ('WARNING: This is a development server. Do not use it in a production deployment. '
           'Use a production WSGI server instead.\n * Running on all addresses (0.0.0.0)\n'
           ' * Running on http://127.0.0.1:%d\n * Running on http://%s:%d' % (port, ip, port))
    t = ns + 1 * MS
    if fmt == 'br':
        svc.br(t, 'INFO', 'werkzeug', msg)
        svc.br(t + 200 * US, 'INFO', 'werkzeug', 'Press CTRL+C to quit')
    elif fmt == 'dash':
        svc.dash(t, 'INFO', msg, logger='werkzeug')
        svc.dash(t + 200 * US, 'INFO', 'Press CTRL+C to quit', logger='werkzeug')
    elif fmt == 'wsb':
        svc.wsb(t, 'INFO', msg)
        svc.wsb(t + 200 * US, 'INFO', 'Press CTRL+C to quit')
    else:  # bare (era-A cdb_ws: werkzeug prints without a formatter)
        svc.raw(t, msg)
        svc.raw(t + 200 * US, 'Press CTRL+C to quit')


def redis_start(svc: Svc, ns: int, version: str = '7.4.1') -> None:
    p = ['1:C %s # oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo',
         '1:C %s # Redis version=' + version + ', bits=64, commit=00000000, modified=0, pid=1, just started',
         '1:C %s # Configuration loaded',
         '1:M %s * monotonic clock: POSIX clock_gettime',
         '1:M %s * Running mode=standalone, port=6379.',
         '1:M %s * Server initialized',
         '1:M %s * Reading RDB base file on AOF loading...',
         '1:M %s * Loading RDB produced by version ' + version,
         '1:M %s * RDB age 86 seconds',
         '1:M %s * RDB memory usage when created 1.12 Mb',
         '1:M %s * RDB is base AOF',
         '1:M %s * Done loading RDB, keys loaded: 1, keys expired: 0.',
         '1:M %s * DB loaded from base file appendonly.aof.1.base.rdb: 0.001 seconds',
         '1:M %s * DB loaded from append only file: 0.003 seconds',
         '1:M %s * Opening AOF incr file appendonly.aof.1.incr.aof on server start',
         '1:M %s * Ready to accept connections tcp']
    for i, line in enumerate(p):
        svc.raw(ns + i * 400 * US, line % redis_ts(ns + i * 400 * US))


def redis_bgsave(svc: Svc, ns: int, pid: int) -> None:
    svc.raw(ns, '1:M %s * 100 changes in 300 seconds. Saving...' % redis_ts(ns))
    svc.raw(ns + 2 * MS, '1:M %s * Background saving started by pid %d' % (redis_ts(ns + 2 * MS), pid))
    svc.raw(ns + 31 * MS, '%d:C %s * DB saved on disk' % (pid, redis_ts(ns + 31 * MS)))
    svc.raw(ns + 32 * MS, '%d:C %s * Fork CoW for RDB: current 0 MB, peak 0 MB, average 0 MB' % (pid, redis_ts(ns + 32 * MS)))
    svc.raw(ns + 104 * MS, '1:M %s * Background saving terminated with success' % redis_ts(ns + 104 * MS))


def pg_start(svc: Svc, ns: int, shut_at: int) -> None:
    svc.raw(ns, '')
    svc.raw(ns + 1 * US, 'PostgreSQL Database directory appears to contain a database; Skipping initialization')
    svc.raw(ns + 2 * US, '')
    lines = ['[1] LOG:  starting PostgreSQL 15.10 on x86_64-pc-linux-musl, compiled by gcc (Alpine 13.2.1_git20240309) 13.2.1 20240309, 64-bit',
             '[1] LOG:  listening on IPv4 address "0.0.0.0", port 5432',
             '[1] LOG:  listening on IPv6 address "::", port 5432',
             '[1] LOG:  listening on Unix socket "/var/run/postgresql/.s.PGSQL.5432"',
             '[24] LOG:  database system was shut down at %s' % pg_log_ts(shut_at)[:-8] + ' UTC',
             '[1] LOG:  database system is ready to accept connections']
    for i, line in enumerate(lines):
        t = ns + 300 * MS + i * 2 * MS
        svc.raw(t, '%s %s' % (pg_log_ts(t), line))


def pg_checkpoint(svc: Svc, ns: int, rng: random.Random) -> None:
    svc.raw(ns, '%s [27] LOG:  checkpoint starting: time' % pg_log_ts(ns))
    w = rng.randint(8, 40)
    dur = rng.randint(900, 3900)
    t = ns + dur * MS
    svc.raw(t, '%s [27] LOG:  checkpoint complete: wrote %d buffers (0.%d%%); 0 WAL file(s) added, 0 removed, 0 recycled; '
               'write=%.3f s, sync=0.002 s, total=%.3f s; sync files=%d, longest=0.001 s, average=0.001 s; '
               'distance=%d kB, estimate=%d kB' % (pg_log_ts(t), w, rng.randint(1, 3), dur / 1000 - 0.002, dur / 1000,
                                                  rng.randint(2, 9), w * 8, rng.randint(150, 500)))


def core_start_a(svc: Svc, ns: int, threshold: str, min_vol: str, ip: str) -> None:
    msgs = ['Config validiert ✓', 'Redis verbunden: cdb_redis:6379', 'Subscribed zu Topic: market_data',
            'Health-Check: http://0.0.0.0:8001/health', '🚀 Signal-Engine gestartet', '   Schwelle: %s%%' % threshold,
            '   Lookback: 15min', '   Min. Volume: %s' % min_vol]
    for i, m in enumerate(msgs):
        svc.br(ns + i * 300 * US, 'INFO', 'signal_engine', m)
    flask_banner(svc, ns + 5 * MS, 'service', 8001, ip)


def risk_start_a(svc: Svc, ns: int, ip: str, state: str | None, max_exp: str = '50.0%') -> None:
    msgs = ['Config validiert ✓', 'Redis verbunden: cdb_redis:6379']
    if state:
        msgs.append(state)
    msgs += ['Subscribed zu Topic: signals', 'Subscribed zu Order-Result Topic: order_results', '🚀 Risk-Manager gestartet',
             '   Max Position: 10.0%', '   Max Exposure: %s' % max_exp, '   Max Drawdown: 5.0%', '   Stop-Loss: 2.0%',
             'Order-Result Listener Thread gestartet']
    for i, m in enumerate(msgs):
        svc.br(ns + i * 300 * US, 'INFO', 'risk_manager', m)
    flask_banner(svc, ns + 6 * MS, 'service', 8002, ip)


def exec_start_a(svc: Svc, ns: int, ip: str) -> None:
    msgs = ['Starting execution_service v0.1.0', 'Port: 8003', 'Mode: MOCK', 'Connected to Redis at cdb_redis:6379',
            'Subscribed to topic: orders', 'Using MockExecutor (Paper Trading Mode)', 'Database initialized',
            'Message loop started', 'Starting message loop...']
    for i, m in enumerate(msgs):
        svc.dash(ns + i * 2 * MS, 'INFO', m)
    flask_banner(svc, ns + 25 * MS, 'service', 8003, ip, fmt='dash')


def dbw_start_a(svc: Svc, ns: int) -> None:
    msgs = ['Starting DB Writer Service...', 'Connected to Redis at cdb_redis:6379',
            'Connected to PostgreSQL at cdb_postgres:5432/claire_de_binare',
            'Subscribed to channels: signals, orders, order_results, portfolio_snapshots', 'DB Writer Service started ✅',
            'Listening for events...']
    for i, m in enumerate(msgs):
        svc.br(ns + i * 3 * MS, 'INFO', 'db_writer', m)


def runner_start(svc: Svc, ns: int, ip: str, email_to: str | None, duration_days: int = 14) -> None:
    svc.br(ns, 'INFO', '__main__', '✅ Redis connected')
    svc.br(ns + 4 * MS, 'INFO', '__main__', '✅ PostgreSQL connected')
    if email_to:
        svc.br(ns + 5 * MS, 'INFO', 'email_alerter', '✅ Email alerts ENABLED - sending to %s' % email_to)
    else:
        svc.br(ns + 5 * MS, 'WARNING', 'email_alerter', '⚠️  Email alerts DISABLED - missing ENV variables')
    t = ns + 6 * MS
    end = ns + duration_days * 86400 * NS
    svc.br(t, 'INFO', '__main__', '\n' + '=' * 60)
    for m in ['PAPER TRADING RUNNER INITIALIZED', '=' * 60, '  Start Time:  %s' % iso_us(ns), '  End Time:    %s' % iso_us(end),
              '  Duration:    %d days' % duration_days, '  Event Log:   logs/events/events_%s.jsonl' % ymd(ns).replace('-', ''),
              '=' * 60]:
        t += 50 * US
        svc.br(t, 'INFO', '__main__', m)
    svc.br(t + 2 * MS, 'INFO', '__main__', '🌐 Health endpoint: http://localhost:8004/health')
    flask_banner(svc, t + 3 * MS, 'service', 8004, ip)
    svc.br(t + 9 * MS, 'INFO', '__main__', '🚀 Paper Trading Runner started')
    svc.br(t + 11 * MS, 'INFO', '__main__', '📡 Subscribed to Redis channels: market_data, signals, orders, order_results, alerts')


class Runner:
    """Paper-runner bookkeeping: the in-memory `Events Logged` counter (reset at start) and the
    midnight report (§6.1)."""

    def __init__(self, svc: Svc, start: int, rate_per_s: float, duration_days: int = 14):
        self.svc, self.start, self.rate, self.duration = svc, start, rate_per_s, duration_days

    def events(self, ns: int) -> int:
        return int((ns - self.start) / NS * self.rate)

    def events_lines(self, t0: int, t1: int, step_s: int) -> None:
        if self.rate <= 0:
            return
        t = t0
        while t < t1:
            n = self.events(t) // 100 * 100
            if n > 0:
                at = self.start + int(n / self.rate * NS)
                self.svc.br(at, 'INFO', '__main__', '📊 Events logged: %d' % n)
            t += step_s * NS

    def report_text(self, ns: int, signals: int, trades: int, events: int) -> str:
        up = (ns - self.start) // NS
        remaining = (self.start + self.duration * 86400 * NS - ns) // NS
        last_hc = self.start + ((ns - self.start) // (300 * NS)) * 300 * NS
        return ('Paper Trading Daily Report\n\nDate: %s\nUptime: %d days, %d hours\nDays Remaining: %d\n\n'
                'Portfolio:\n  Total Equity:     $100,000.00\n  Daily P&L:        $0.00\n  Realized P&L:     $0.00\n'
                '  Open Positions:   0\n  Total Exposure:   0.00%%\n\nTrading Activity:\n  Signals Today:    %d\n'
                '  Trades Today:     %d\n  Events Logged:    %d\n\nSystem Health:\n  Redis:            ✅ Connected\n'
                '  PostgreSQL:       ✅ Connected\n  Last Health Check: %s\n'
                % (ymd(ns), up // 86400, (up % 86400) // 3600, remaining // 86400, signals, trades, events,
                   D(last_hc).strftime('%H:%M:%S')))

    def report(self, ns: int, signals: int, trades: int, email: bool) -> dict:
        ev = self.events(ns)
        body = self.report_text(ns, signals, trades, ev)
        s = self.svc
        s.br(ns, 'INFO', '__main__', '\n' + '=' * 60)
        s.br(ns + 300 * US, 'INFO', '__main__', 'DAILY REPORT')
        s.br(ns + 350 * US, 'INFO', '__main__', '=' * 60)
        s.br(ns + 400 * US, 'INFO', '__main__', '\n' + body)
        s.br(ns + 450 * US, 'INFO', '__main__', '=' * 60)
        if email:
            s.br(ns + 900 * MS, 'INFO', 'email_alerter', '✅ Email alert sent: [INFO] Daily Report')
        else:
            s.br(ns + 460 * US, 'WARNING', 'email_alerter', 'Email alert NOT sent (disabled): [INFO] Daily Report')
        prev = ymd(ns - NS).replace('-', '')
        s.br(ns + 950 * MS if email else ns + 23 * MS, 'INFO', '__main__',
             'Rotating event log: logs/events/events_%s.jsonl → logs/events/events_%s.jsonl' % (prev, ymd(ns).replace('-', '')))
        return {'at': ns, 'body': body, 'events': ev}


def pandas_table(rows: list[tuple[str, float]]) -> list[str]:
    vals = ['%.3f' % v for _, v in rows]
    w1 = max([len('symbol')] + [len(s) for s, _ in rows])
    w2 = max([len('pct_change')] + [len(v) for v in vals])
    out = ['symbol'.rjust(w1) + '  ' + 'pct_change'.rjust(w2)]
    for (s, _), v in zip(rows, vals):
        out.append(s.rjust(w1) + '  ' + v.rjust(w2))
    return out


def ws_a_start(svc: Svc, ns: int, ip: str, ws_config: bool) -> None:
    t = ns
    if ws_config:
        svc.raw(t, '[WS CONFIG] Using WS_URL=wss://contract.mexc.com/edge')
        t += 2 * MS
    svc.raw(t, 'Hole Symbolliste...')
    svc.raw(t + 880 * MS, '✓ Redis verbunden - market_data Events werden publiziert')
    for i in range(1, 5):
        svc.raw(t + 900 * MS + i * 40 * MS, '[WS] Connecting chunk (attempt 1)...')
    flask_banner(svc, t + 1100 * MS, 'app', 8000, ip, fmt='bare')
    svc.raw(t + 15 * NS, '')
    svc.raw(t + 15 * NS + 10 * US, '[%s UTC] Top movers (15m):' % hms(t + 15 * NS))
    svc.raw(t + 15 * NS + 20 * US, 'Noch keine Daten – warte auf Klines...')


def ws_a_top_movers(svc: Svc, ns: int, rng: random.Random, symbols: list[str]) -> None:
    picks = rng.sample(symbols, 10)
    gain = sorted([(s, round(rng.uniform(0.05, 2.9), 3)) for s in picks[:5]], key=lambda x: -x[1])
    lose = sorted([(s, round(-rng.uniform(0.02, 2.5), 3)) for s in picks[5:]], key=lambda x: x[1])
    svc.raw(ns, '')
    svc.raw(ns + 2 * US, '[%s UTC] Top movers (15m):' % hms(ns))
    svc.raw(ns + 4 * US, 'TOP 5 Gewinner:')
    for i, line in enumerate(pandas_table(gain)):
        svc.raw(ns + (6 + i) * US, line)
    svc.raw(ns + 20 * US, 'TOP 5 Verlierer:')
    for i, line in enumerate(pandas_table(lose)):
        svc.raw(ns + (22 + i) * US, line)


def prom_line(svc: Svc, ns: int, msg: str, caller: str = 'compact.go:576', comp: str = 'tsdb') -> None:
    svc.raw(ns, 'ts=%s.%03dZ caller=%s level=info component=%s msg="%s"' % (D(ns).strftime('%Y-%m-%dT%H:%M:%S'),
                                                                          (ns % NS) // MS, caller, comp, msg))


def grafana_line(svc: Svc, ns: int, logger: str, msg: str, extra: str = '') -> None:
    svc.raw(ns, 'logger=%s t=%s.%03d+00:00 level=info msg="%s"%s' % (logger, D(ns).strftime('%Y-%m-%dT%H:%M:%S'),
                                                                      (ns % NS) // MS, msg, extra))


# --------------------------------------------------------------------------------------------
# PostgreSQL output: pg_dump (COPY / --column-inserts) and psql \copy CSV
# --------------------------------------------------------------------------------------------

PG_SET = """SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;
"""


class Col:
    def __init__(self, name: str, kind: str = 'text'):
        self.name, self.kind = name, kind  # kind: text | num | bool

    @property
    def sql(self) -> str:
        return '"%s"' % self.name if self.name in ('timestamp',) else self.name


def cols(spec: str) -> list[Col]:
    out = []
    for part in spec.split(','):
        name, _, kind = part.strip().partition(':')
        out.append(Col(name, kind or 'text'))
    return out


SIGNALS_COLS = cols('id:num, symbol, signal_type, price:num, confidence:num, timestamp, source, metadata')
ORDERS_A_COLS = cols('id:num, signal_id:num, symbol, side, order_type, price:num, size:num, approved:bool, rejection_reason, '
                     'status, filled_size:num, avg_fill_price:num, created_at, submitted_at, filled_at, metadata')
ORDERS_B_COLS = cols('id:num, order_id, signal_id:num, symbol, side, order_type, price:num, size:num, approved:bool, '
                     'rejection_reason, status, filled_size:num, avg_fill_price:num, created_at, submitted_at, filled_at, metadata')
TRADES_COLS = cols('id:num, order_id:num, symbol, side, price:num, size:num, status, execution_price:num, slippage_bps:num, '
                   'fees:num, timestamp, exchange, exchange_trade_id, metadata')
SNAP_COLS = cols('id:num, timestamp, total_equity:num, available_balance:num, margin_used:num, daily_pnl:num, '
                 'total_unrealized_pnl:num, total_realized_pnl:num, total_exposure_pct:num, max_drawdown_pct:num, '
                 'open_positions:num, metadata')
POS_COLS = cols('id:num, symbol, side, size:num, entry_price:num, current_price:num, unrealized_pnl:num, realized_pnl:num, '
                'stop_loss_price:num, take_profit_price:num, liquidation_price:num, opened_at, updated_at, closed_at, metadata')
SCHEMA_COLS = cols('version, applied_at, description')
SEED_META = '{"risk_profile": "conservative", "deployment_mode": "paper"}'


def copy_escape(v) -> str:
    if v is None:
        return '\\N'
    s = str(v)
    return s.replace('\\', '\\\\').replace('\t', '\\t').replace('\n', '\\n').replace('\r', '\\r')


def sql_literal(v, col: Col) -> str:
    if v is None:
        return 'NULL'
    if col.kind == 'num':
        return str(v)
    if col.kind == 'bool':
        return 'true' if v in ('t', True) else 'false'
    return "'" + str(v).replace("'", "''") + "'"


def pg_dump(tables: list[tuple[str, list[Col], list[list]]], seqs: list[tuple[str, int, bool]], key: str,
            inserts: bool, server: str = '15.14') -> str:
    out = ['--', '-- PostgreSQL database dump', '--', '', '\\restrict ' + key, '',
           '-- Dumped from database version %s' % server, '-- Dumped by pg_dump version 15.18 (Debian 15.18-0+deb12u1)', '']
    out += PG_SET.rstrip('\n').split('\n')
    out.append('')
    for name, cs, rows in tables:
        out += ['--', '-- Data for Name: %s; Type: TABLE DATA; Schema: public; Owner: claire_user' % name, '--', '']
        collist = ', '.join(c.sql for c in cs)
        if inserts:
            for r in rows:
                out.append('INSERT INTO public.%s (%s) VALUES (%s);' % (name, collist,
                                                                        ', '.join(sql_literal(v, c) for v, c in zip(r, cs))))
        else:
            out.append('COPY public.%s (%s) FROM stdin;' % (name, collist))
            for r in rows:
                out.append('\t'.join(copy_escape(v) for v in r))
            out.append('\\.')
        out += ['', '']
    for name, val, called in seqs:
        out += ['--', '-- Name: %s; Type: SEQUENCE SET; Schema: public; Owner: claire_user' % name, '--', '',
                "SELECT pg_catalog.setval('public.%s', %d, %s);" % (name, val, 'true' if called else 'false'), '', '']
    out += ['--', '-- PostgreSQL database dump complete', '--', '', '\\unrestrict ' + key, '']
    return '\n'.join(out) + '\n'


def psql_csv(cs: list[Col], rows: list[list]) -> str:
    """psql \\copy ... CSV HEADER: NULL = empty unquoted field, booleans t/f, quotes doubled."""
    def cell(v, c: Col) -> str:
        if v is None:
            return ''
        if c.kind == 'bool':
            return 't' if v in ('t', True) else 'f'
        s = str(v)
        if s == '' or any(ch in s for ch in ',"\r\n') or s == '\\.':
            return '"' + s.replace('"', '""') + '"'
        return s
    out = [','.join(c.name for c in cs)]
    for r in rows:
        out.append(','.join(cell(v, c) for v, c in zip(r, cs)))
    return '\n'.join(out) + '\n'


def psql_aligned(query: str, heads: list[str], rows: list[list[str]], right: list[bool],
                 prompt: str = 'claire_de_binare=# ') -> list[str]:
    """An interactive psql 15 session as copied from the terminal: the prompt with the typed query, then the
    aligned table (border 1): headers centred, text left and numbers right aligned, the last column not padded
    on the right, a `---+---` rule, `(N rows)` and psql's blank line. ASCII values only (widths = len).
    Checked against psql 15.18 on a real server."""
    w = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(heads)]
    head = []
    for h, n in zip(heads, w):
        left = (n - len(h)) // 2
        head.append(' ' * left + h + ' ' * (n - len(h) - left))
    out = [prompt + query, ' ' + ' | '.join(head) + ' ', '+'.join('-' * (n + 2) for n in w)]
    for r in rows:
        cells = [v.rjust(n) if ra else (v if i == len(w) - 1 else v.ljust(n)) for i, (v, n, ra) in enumerate(zip(r, w, right))]
        out.append(' ' + ' | '.join(cells))
    out += ['(%d row%s)' % (len(rows), '' if len(rows) == 1 else 's'), '']
    return out


def restrict_key(rng: random.Random) -> str:
    alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'
    return ''.join(rng.choice(alphabet) for _ in range(63))


# --------------------------------------------------------------------------------------------
# redis-cli output
# --------------------------------------------------------------------------------------------


def pyjson(obj) -> str:
    """Python json.dumps default separators (`": "`, `", "`), ASCII-escaped."""
    return json.dumps(obj)


def subscribe_raw(channels: list[str], messages: list[tuple[int, str, str]]) -> str:
    out = []
    for i, ch in enumerate(channels, 1):
        out += ['subscribe', ch, str(i)]
    for _, ch, payload in sorted(messages, key=lambda m: m[0]):
        out += ['message', ch, payload]
    return '\n'.join(out) + '\n'


def monitor_quote(s: str) -> str:
    """sdscatrepr (MONITOR lines and redis-cli's TTY form): quotes, `\\\\ \\" \\n \\r \\t \\a \\b`, and
    \\xHH (lower-case hex) for every other non-printable byte, UTF-8 bytes >= 0x80 included."""
    out = ['"']
    for b in s.encode('utf-8'):
        c = chr(b)
        if c in '\\"':
            out.append('\\' + c)
        elif c == '\n':
            out.append('\\n')
        elif c == '\r':
            out.append('\\r')
        elif c == '\t':
            out.append('\\t')
        elif c == '\a':
            out.append('\\a')
        elif c == '\b':
            out.append('\\b')
        elif 32 <= b < 127:
            out.append(c)
        else:
            out.append('\\x%02x' % b)
    out.append('"')
    return ''.join(out)


def monitor_line(ns: int, client: str, args: list[str]) -> str:
    return '%d.%06d [0 %s] %s' % (ns // NS, (ns % NS) // US, client, ' '.join(monitor_quote(a) for a in args))


def subscribe_tty(channels: list[str], messages: list[tuple[int, str, str]]) -> str:
    """`redis-cli SUBSCRIBE ...` with stdout on a terminal (redis-cli 7.0 command-line mode), as copied from the
    terminal: the banner, then every reply numbered `1) 2) 3)`, strings quoted by sdscatrepr, the count as
    `(integer) n`. Checked byte for byte against redis-cli 7.0.15 in a pty (its CRs are the pty's, not redis-cli's)."""
    out = ['Reading messages... (press Ctrl-C to quit)']
    for i, ch in enumerate(channels, 1):
        out += ['1) "subscribe"', '2) ' + monitor_quote(ch), '3) (integer) %d' % i]
    for _, ch, payload in sorted(messages, key=lambda m: m[0]):
        out += ['1) "message"', '2) ' + monitor_quote(ch), '3) ' + monitor_quote(payload)]
    return '\n'.join(out) + '\n'


def redis_info(uptime_s: int, start_ns: int, clients: int, used: int, keys_line: str, evicted: int = 0,
               pubsub_channels: int = 6, cmds: int = 0, version: str = '7.4.1') -> str:
    secs = [
        ('Server', [('redis_version', version), ('redis_git_sha1', '00000000'), ('redis_git_dirty', '0'),
                    ('redis_build_id', '4f3b0b9d7d4c2a1e'), ('redis_mode', 'standalone'),
                    ('os', 'Linux 5.15.167.4-microsoft-standard-WSL2 x86_64'), ('arch_bits', '64'), ('monotonic_clock', 'POSIX clock_gettime'),
                    ('multiplexing_api', 'epoll'), ('atomicvar_api', 'c11-builtin'), ('gcc_version', '13.2.1'),
                    ('process_id', '1'), ('process_supervised', 'no'), ('run_id', '6c1f0e9a3b7d52e48a0c19f2d7b3e6a1c4f8b2d0'),
                    ('tcp_port', '6379'), ('server_time_usec', str(start_ns // US + uptime_s * 1_000_000)),
                    ('uptime_in_seconds', str(uptime_s)), ('uptime_in_days', str(uptime_s // 86400)), ('hz', '10'),
                    ('configured_hz', '10'), ('lru_clock', str((start_ns // NS + uptime_s) % 16777216)),
                    ('executable', '/data/redis-server'), ('config_file', ''), ('io_threads_active', '0'),
                    ('listener0', 'name=tcp,bind=*,bind=-::*,port=6379')]),
        ('Clients', [('connected_clients', str(clients)), ('cluster_connections', '0'), ('maxclients', '10000'),
                     ('client_recent_max_input_buffer', '20480'), ('client_recent_max_output_buffer', '0'),
                     ('blocked_clients', '0'), ('tracking_clients', '0'), ('pubsub_clients', str(clients - 2)),
                     ('watching_clients', '0'), ('clients_in_timeout_table', '0'), ('total_watched_keys', '0'),
                     ('total_blocking_keys', '0'), ('total_blocking_keys_on_nokey', '0')]),
        ('Memory', [('used_memory', str(used)), ('used_memory_human', '%.2fM' % (used / 1048576)),
                    ('used_memory_rss', str(used * 6)), ('used_memory_rss_human', '%.2fM' % (used * 6 / 1048576)),
                    ('used_memory_peak', str(int(used * 1.31))), ('used_memory_peak_human', '%.2fM' % (used * 1.31 / 1048576)),
                    ('used_memory_peak_perc', '76.31%'), ('used_memory_overhead', str(int(used * 0.8))),
                    ('used_memory_startup', '946048'), ('used_memory_dataset', str(int(used * 0.2))),
                    ('used_memory_dataset_perc', '22.14%'), ('total_system_memory', '25276502016'),
                    ('total_system_memory_human', '23.54G'), ('used_memory_lua', '31744'), ('used_memory_scripts', '0'),
                    ('maxmemory', '268435456'), ('maxmemory_human', '256.00M'), ('maxmemory_policy', 'allkeys-lru'),
                    ('mem_fragmentation_ratio', '5.92'), ('mem_allocator', 'jemalloc-5.3.0'), ('lazyfree_pending_objects', '0')]),
        ('Persistence', [('loading', '0'), ('async_loading', '0'), ('current_cow_peak', '0'), ('current_cow_size', '0'),
                         ('rdb_changes_since_last_save', '37'), ('rdb_bgsave_in_progress', '0'),
                         ('rdb_last_save_time', str(start_ns // NS + uptime_s - 2417)), ('rdb_last_bgsave_status', 'ok'),
                         ('aof_enabled', '1'), ('aof_rewrite_in_progress', '0'), ('aof_rewrite_scheduled', '0'),
                         ('aof_last_rewrite_time_sec', '-1'), ('aof_current_rewrite_time_sec', '-1'),
                         ('aof_last_bgrewrite_status', 'ok'), ('aof_rewrites', '0'), ('aof_last_write_status', 'ok'),
                         ('aof_last_cow_size', '0'), ('module_fork_in_progress', '0'), ('module_fork_last_cow_size', '0'),
                         ('aof_current_size', '48213'), ('aof_base_size', '112'), ('aof_pending_rewrite', '0'),
                         ('aof_buffer_length', '0'), ('aof_pending_bio_fsync', '0'), ('aof_delayed_fsync', '0')]),
        ('Stats', [('total_connections_received', '318'), ('total_commands_processed', str(cmds)),
                   ('instantaneous_ops_per_sec', '4'), ('total_net_input_bytes', str(cmds * 211)),
                   ('total_net_output_bytes', str(cmds * 402)), ('rejected_connections', '0'), ('sync_full', '0'),
                   ('expired_keys', '0'), ('evicted_keys', str(evicted)), ('evicted_clients', '0'),
                   ('total_eviction_exceeded_time', '0'), ('keyspace_hits', '1289'), ('keyspace_misses', '3'),
                   ('pubsub_channels', str(pubsub_channels)), ('pubsub_patterns', '0'), ('pubsubshard_channels', '0'),
                   ('latest_fork_usec', '412'), ('total_forks', '41'), ('total_error_replies', '0'),
                   ('total_reads_processed', str(cmds + 530)), ('total_writes_processed', str(cmds * 2 + 17))]),
        ('Replication', [('role', 'master'), ('connected_slaves', '0'), ('master_failover_state', 'no-failover'),
                         ('master_replid', 'a1d4c0e27f9b3e5d8c6a2f1b0e9d7c3a5b8f4e21'),
                         ('master_replid2', '0000000000000000000000000000000000000000'), ('master_repl_offset', '0'),
                         ('second_repl_offset', '-1'), ('repl_backlog_active', '0'), ('repl_backlog_size', '1048576'),
                         ('repl_backlog_first_byte_offset', '0'), ('repl_backlog_histlen', '0')]),
        ('CPU', [('used_cpu_sys', '%.6f' % (uptime_s * 0.0021)), ('used_cpu_user', '%.6f' % (uptime_s * 0.0034)),
                 ('used_cpu_sys_children', '0.412011'), ('used_cpu_user_children', '0.231450'),
                 ('used_cpu_sys_main_thread', '%.6f' % (uptime_s * 0.0020)), ('used_cpu_user_main_thread', '%.6f' % (uptime_s * 0.0033))]),
        ('Modules', []),
        ('Errorstats', []),
        ('Cluster', [('cluster_enabled', '0')]),
        ('Keyspace', [tuple(keys_line.split(':', 1))] if keys_line else []),
    ]
    out = []
    for i, (name, kv) in enumerate(secs):
        if i:
            out.append('')
        out.append('# ' + name)
        out += ['%s:%s' % (k, v) for k, v in kv]
    return '\r\n'.join(out) + '\r\n'


# --------------------------------------------------------------------------------------------
# docker compose ps
# --------------------------------------------------------------------------------------------


def ps_command(cmd: str) -> str:
    return '"%s"' % (cmd if len(cmd) <= 20 else cmd[:19] + '…')


def compose_ps_table(rows: list[dict]) -> str:
    heads = ['NAME', 'IMAGE', 'COMMAND', 'SERVICE', 'CREATED', 'STATUS', 'PORTS']
    table = [heads] + [[r['name'], r['image'], ps_command(r['command']), r['name'], r['created'], r['status'],
                        r['ports']] for r in rows]
    widths = [max(len(t[i]) for t in table) + 3 for i in range(len(heads) - 1)]
    out = []
    for t in table:
        out.append(''.join(c.ljust(w) for c, w in zip(t[:-1], widths)) + t[-1])
    return '\n'.join(out) + '\n'


def ports_for(port: int | None, host_port: int | None = None) -> str:
    if not port:
        return ''
    hp = host_port or port
    return '127.0.0.1:%d->%d/tcp, [::]:%d->%d/tcp' % (hp, port, hp, port)


def compose_ps_json(rows: list[dict], project: str, workdir: str) -> str:
    out = []
    for r in rows:
        port = r.get('port')
        hp = r.get('host_port') or port
        pubs = [{'URL': '127.0.0.1', 'TargetPort': port, 'PublishedPort': hp, 'Protocol': 'tcp'},
                {'URL': '::', 'TargetPort': port, 'PublishedPort': hp, 'Protocol': 'tcp'}] if port else []
        labels = ('com.docker.compose.config-hash=%s,com.docker.compose.container-number=1,com.docker.compose.depends_on=,'
                  'com.docker.compose.image=sha256:%s,com.docker.compose.oneoff=False,com.docker.compose.project=%s,'
                  'com.docker.compose.project.config_files=%s\\docker-compose.yml,com.docker.compose.project.working_dir=%s,'
                  'com.docker.compose.service=%s,com.docker.compose.version=2.40.3'
                  % (r['hash'], r['imghash'], project, workdir, workdir, r['name']))
        obj = {'Command': ps_command(r['command']), 'CreatedAt': r['created_at'], 'ExitCode': 0, 'Health': r['health'],
               'ID': r['id'], 'Image': r['image'], 'Labels': labels, 'LocalVolumes': r.get('volumes', '0'),
               'Mounts': r.get('mounts', '/host_mnt/c/Users/…'), 'Name': r['name'], 'Names': r['name'],
               'Networks': project + '_cdb_network', 'Ports': ports_for(port, hp), 'Project': project, 'Publishers': pubs,
               'RunningFor': r['created'], 'Service': r['name'], 'Size': '0B', 'State': 'running', 'Status': r['status']}
        out.append(json.dumps(obj, ensure_ascii=False, separators=(',', ':')).replace('>', '\\u003e').replace('<', '\\u003c'))
    return '\n'.join(out) + '\n'


IMAGES_A = {
    'cdb_redis': ('redis:7-alpine', 'docker-entrypoint.sh redis-server', 6379),
    'cdb_postgres': ('postgres:15-alpine', 'docker-entrypoint.sh postgres', 5432),
    'cdb_prometheus': ('prom/prometheus:latest', '/bin/prometheus --config.file=/etc/prometheus/prometheus.yml', 9090),
    'cdb_grafana': ('grafana/grafana:latest', '/run.sh', 3000),
    'cdb_ws': (None, 'python -u app.py', 8000),
    'cdb_core': (None, 'python -u service.py', 8001),
    'cdb_risk': (None, 'python -u service.py', 8002),
    'cdb_execution': (None, 'python -u service.py', 8003),
    'cdb_db_writer': (None, 'python -u db_writer.py', None),
    'cdb_paper_runner': (None, 'python -u service.py', 8004),
    'cdb_signal': (None, 'python -u service.py', 8005),
    'cdb_allocation': (None, 'python -u service.py', 8006),
    'cdb_candles': (None, 'python -u service.py', 8007),
    'cdb_regime': (None, 'python -u service.py', 8008),
    'cdb_reports': (None, 'python -u daily_orders_summary.py', None),
}


def ps_rows(names: list[str], project: str, created_ns: int, cap_ns: int, started: dict[str, int] | None = None,
            health: dict[str, str] | None = None) -> list[dict]:
    rows = []
    started = started or {}
    health = health or {}
    for n in sorted(names):
        img, cmd, port = IMAGES_A[n]
        image = img or '%s-%s' % (project, n)
        h = health.get(n, 'healthy')
        up = human((cap_ns - started.get(n, created_ns)) / NS)
        rows.append({'name': n, 'image': image, 'command': cmd, 'created': human((cap_ns - created_ns) / NS) + ' ago',
                     'status': 'Up %s (%s)' % (up, h), 'ports': ports_for(port, 19090 if n == 'cdb_prometheus' else None),
                     'port': port, 'host_port': 19090 if n == 'cdb_prometheus' else None, 'health': h})
    return rows


# --------------------------------------------------------------------------------------------
# bundle writing and bookkeeping
# --------------------------------------------------------------------------------------------


def line_count(data: bytes) -> int:
    """Physical lines: number of line feeds, +1 if the last line has none (wc -l semantics + 1)."""
    if data[:2] == b'\x1f\x8b':
        data = gzip.decompress(data)
    if data[:2] == b'\xff\xfe':
        t = data[2:].decode('utf-16-le')
    else:
        t = data.decode('utf-8')
    if not t:
        return 0
    return t.count('\n') + (0 if t.endswith('\n') else 1)


class Bundle:
    def __init__(self, name: str):
        self.name = name
        self.files: dict[str, bytes] = {}
        self.kinds: dict[str, str] = {}

    def add(self, rel: str, data, kind: str) -> None:
        self.files[rel] = data.encode('utf-8') if isinstance(data, str) else data
        self.kinds[rel] = kind

    def file_table(self, prefix: str = '') -> dict:
        return {prefix + rel: {'lines': line_count(self.files[rel]), 'kind': self.kinds[rel]} for rel in sorted(self.files)}

    def write_dir(self) -> None:
        root = os.path.join(HERE, self.name)
        if os.path.isdir(root):
            shutil.rmtree(root)
        for rel in sorted(self.files):
            p = os.path.join(root, rel)
            os.makedirs(os.path.dirname(p), exist_ok=True)
            with open(p, 'wb') as f:
                f.write(self.files[rel])

    def write_tgz(self, archive: str, folder: str, mtime: int) -> None:
        raw = io.BytesIO()
        with tarfile.open(fileobj=raw, mode='w', format=tarfile.GNU_FORMAT) as tf:
            dirs = sorted({folder} | {folder + '/' + os.path.dirname(r) for r in self.files if os.path.dirname(r)})
            for d in dirs:
                ti = tarfile.TarInfo(d)
                ti.type, ti.mode, ti.mtime, ti.uname, ti.gname = tarfile.DIRTYPE, 0o755, mtime, 'analyst', 'analyst'
                ti.uid = ti.gid = 1000
                tf.addfile(ti)
            for rel in sorted(self.files):
                ti = tarfile.TarInfo(folder + '/' + rel)
                ti.size, ti.mode, ti.mtime, ti.uname, ti.gname = len(self.files[rel]), 0o644, mtime, 'analyst', 'analyst'
                ti.uid = ti.gid = 1000
                tf.addfile(ti, io.BytesIO(self.files[rel]))
        out = io.BytesIO()
        with gzip.GzipFile(filename='', mode='wb', fileobj=out, mtime=mtime, compresslevel=9) as gz:
            gz.write(raw.getvalue())
        with open(os.path.join(HERE, archive), 'wb') as f:
            f.write(out.getvalue())

    def write_zip(self, archive: str, date_time: tuple) -> None:
        out = io.BytesIO()
        with zipfile.ZipFile(out, 'w', compression=zipfile.ZIP_DEFLATED) as zf:
            for rel in sorted(self.files):
                zi = zipfile.ZipInfo(rel, date_time=date_time)
                zi.compress_type = zipfile.ZIP_DEFLATED
                zi.create_system = 0  # made on Windows ("Send to > Compressed folder"): MS-DOS attributes
                zi.external_attr = 0x20  # FILE_ATTRIBUTE_ARCHIVE
                zf.writestr(zi, self.files[rel])
        with open(os.path.join(HERE, archive), 'wb') as f:
            f.write(out.getvalue())


def write_expected(name: str, obj: dict) -> None:
    with open(os.path.join(HERE, name + '.expected.json'), 'w', encoding='utf-8') as f:
        json.dump(obj, f, indent=2, ensure_ascii=False)
        f.write('\n')


def per_day(times: list[int], days: list[str]) -> dict[str, int]:
    out = {d: 0 for d in days}
    for t in times:
        d = ymd(t)
        if d in out:
            out[d] += 1
    return out


def candidates(report_ns: int, start_ns: int, sig_days: list[str], trade_days: list[str] | None = None) -> dict:
    """The §6.1 candidate windows of one paper-runner report, counted over the dumped rows (`*_days` = the UTC day of each
    signals / trades row, raw)."""
    out = {}
    for key, day in [('a_report_date', ymd(report_ns)), ('b_previous_day', ymd(report_ns - 86400 * NS)), ('c_runner_start_day', ymd(start_ns))]:
        out[key] = {'day': day, 'signals': sum(1 for d in sig_days if d == day)}
        if trade_days is not None:
            out[key]['trades_rows_raw'] = sum(1 for d in trade_days if d == day)
    return out


def in_block(ns: int, days: list[str]) -> bool:
    return ymd(ns) in days


def mock_hex(rng: random.Random) -> str:
    return 'MOCK_%08x' % rng.getrandbits(32)


def mock_dec(rng: random.Random) -> str:
    return 'MOCK_%08d' % rng.randrange(10_000_000, 100_000_000)


def hexid(rng: random.Random, n: int) -> str:
    return ''.join('%x' % rng.getrandbits(4) for _ in range(n))


# era-A symbols with a plausible late-2025 price level
SYMS_A = {
    'BTC_USDT': 91234.5, 'ETH_USDT': 3012.4, 'BNB_USDT': 884.2, 'SOL_USDT': 138.41, 'XRP_USDT': 2.1843, 'DOGE_USDT': 0.15271,
    'ADA_USDT': 0.4512, 'AVAX_USDT': 14.62, 'LINK_USDT': 13.07, 'DOT_USDT': 2.391, 'TRX_USDT': 0.28512, 'LTC_USDT': 82.9,
    'PEPE_USDT': 5.23e-06, 'WIF_USDT': 0.4241, 'SUI_USDT': 1.612, 'TON_USDT': 1.598, 'NEAR_USDT': 1.943, 'APT_USDT': 2.41,
    'ARB_USDT': 0.2231, 'OP_USDT': 0.3412, 'INJ_USDT': 6.11, 'ATOM_USDT': 2.612, 'FIL_USDT': 1.572, 'ETC_USDT': 13.24,
    'XLM_USDT': 0.2483, 'HBAR_USDT': 0.1412, 'ICP_USDT': 4.012, 'RENDER_USDT': 1.731, 'SEI_USDT': 0.1431, 'TIA_USDT': 0.6123,
    'JUP_USDT': 0.2512, 'BONK_USDT': 9.81e-06, 'FLOKI_USDT': 4.71e-05, 'AAVE_USDT': 176.2, 'UNI_USDT': 6.123, 'MKR_USDT': 1402.0,
    'LDO_USDT': 0.6231, 'CRV_USDT': 0.4012, 'GALA_USDT': 0.00812, 'SAND_USDT': 0.1512, 'MANA_USDT': 0.1623,
    'AXS_USDT': 1.112, 'IMX_USDT': 0.3012, 'STX_USDT': 0.3121, 'ORDI_USDT': 4.412, 'ENA_USDT': 0.2712, 'SHIB_USDT': 8.41e-06,
}


def px(p: float) -> str:
    return '%.8f' % p


# ============================================================================================
# 1. drawdown-runbook: the runbook's own example, RUNBOOK dialect, era A
# ============================================================================================

S1_SECRETS = {
    'REDIS_PASSWORD': 'rbk-Redis-7f3k9QmZ2wLx',
    'POSTGRES_PASSWORD': 'rbk-Pg-Vq8nT4hJ6sKd41',
    'MEXC_API_KEY': 'mx0vglRUNBK7Q2aZ9xW4',
    'MEXC_API_SECRET': '3c9f1e7a2b8d4f60a1c5e9b7d3f2a8c6',
    'ALERT_EMAIL_PASSWORD': 'qzvwkpthrmxaulne',
}


def sample_drawdown_runbook() -> None:
    name = 'drawdown-runbook'
    rng = random.Random(20251126)
    days = ['2025-11-26', '2025-11-27', '2025-11-28']
    want = [45, 52, 30]
    sec = S1_SECRETS
    mail_from, mail_to = 'cdb.paper.alerts@gmail.com', 'trading-ops@example.com'
    stack = E('2025-11-26 00:00:02')
    until = E('2025-11-29 00:00:05')          # docker compose logs --timestamps --until 2025-11-29T00:00:05Z
    ps_at = E('2025-11-29 08:12:31')

    redis, pg, prom = Svc('cdb_redis', rng), Svc('cdb_postgres', rng), Svc('cdb_prometheus', rng, 'stderr')
    ws, core, risk = Svc('cdb_ws', rng, 'stderr'), Svc('cdb_core', rng), Svc('cdb_risk', rng)
    exe, dbw, pr = Svc('cdb_execution', rng, 'stderr'), Svc('cdb_db_writer', rng, 'stderr'), Svc('cdb_paper_runner', rng)

    redis_start(redis, stack)
    pg_start(pg, stack + 100 * MS, E('2025-11-25 23:59:31'))
    for i, m in enumerate(['No time or size retention was set so using the default time retention',
                           'Starting Prometheus Server', 'Server is ready to receive web requests.']):
        prom_line(prom, stack + (1200 + i * 40) * MS, m, caller='main.go:%d' % (601 + i * 90), comp='web' if i == 2 else 'main')
    ws_a_start(ws, stack + 3 * NS, '172.18.0.5', ws_config=False)
    core_start_a(core, stack + 4 * NS, '3.0', '0.0', '172.18.0.6')
    risk_start_a(risk, stack + 4 * NS + 200 * MS, '172.18.0.7', None)
    exec_start_a(exe, stack + 4 * NS + 400 * MS, '172.18.0.8')
    dbw_start_a(dbw, stack + 4 * NS + 500 * MS)
    pr_start = stack + 10 * NS + 98_412 * US
    runner_start(pr, pr_start, '172.18.0.10', mail_to)
    runner = Runner(pr, pr_start, 2.12)

    syms = sorted(SYMS_A)
    # ---- signals: 45/52/30 per UTC day, on a 30 s grid so no two collide, never near midnight
    sigs = []
    for d, n in zip(days, want):
        day0 = E(d + ' 00:00:00')
        for slot in sorted(rng.sample(range(20, 2860), n)):
            t = day0 + slot * 30 * NS + rng.randint(0, 25_000) * MS
            sym_ = rng.choice(syms)
            conf = round(rng.uniform(0.60, 0.93), 2)
            price = SYMS_A[sym_] * rng.uniform(0.97, 1.04)
            dd = rng.choice([5.1, 5.2, 5.2, 5.2, 5.3])
            sigs.append({'ns': t, 'sym_': sym_, 'sym': sym_.replace('_', ''), 'conf': conf, 'price': price, 'dd': dd})
    sigs.sort(key=lambda s: s['ns'])
    sig_rows, risk_rows = [], []
    for i, s in enumerate(sigs):
        s['id'] = 'sig_%d' % (1001 + i)
        t = s['ns']
        p = float('%.6g' % s['price'])
        s['price'] = p
        core.br(t, 'INFO', 'signal_engine', '✨ Signal generiert: %s BUY @ $%.2f (+%.2f%%, Confidence: %.2f)'
                % (s['sym_'], p, s['conf'] * 10, s['conf']))
        risk.br(t + 2 * MS, 'INFO', 'risk_manager', '📨 Signal empfangen: %s BUY' % s['sym_'])
        risk.br(t + 3 * MS, 'WARNING', 'risk_manager', '❌ Signal rejected (%s): Daily Drawdown exceeded (%.1f%% > 5.0%%)'
                % (s['id'], s['dd']))
        dbw.br(t + 9 * MS, 'INFO', 'db_writer', '✅ Signal persisted: ID=%d, %s buy' % (1001 + i, s['sym_']))
        sig_rows.append([s['id'], s['sym'], 'BUY', '%.2f' % s['conf'], repr(p), iso_z(t)])
        risk_rows.append([s['id'], 'false', 'Daily Drawdown exceeded (%.1f%% > 5.0%%)' % s['dd'], iso_z(t + 3 * MS)])

    # runbook string for the "confidence" distractor hypothesis (never in real logs, §3.6)
    for _ in range(190):
        t = E('2025-11-26 00:05:00') + rng.randrange(0, 3 * 86400 - 900) * NS + rng.randint(0, 999) * MS
        c = rng.randint(41, 59) / 100
        core.br(t, 'INFO', 'signal_engine', '%s: Signal below confidence threshold (%.2f < 0.60)' % (rng.choice(syms), c))

    # ---- thinned background: health polls every 15 min, top movers every 30 min, ...
    t_end = until
    for svc, off, fn in [(core, 16, poll_br), (risk, 45, poll_br), (pr, 52, poll_br), (ws, 31, poll_bare)]:
        for t in schedule(rng, stack + off * NS, t_end, 900, 900):
            fn(svc, t)
    for t in schedule(rng, stack + 30 * NS, t_end, 900, 900):
        poll_dash(exe, t)
        poll_dash(exe, t + 5 * NS + rng.randint(0, 900) * MS, '/metrics', '172.18.0.4')
    for t in schedule(rng, stack + 1800 * NS, t_end, 3600, 500):
        ws_a_top_movers(ws, t, rng, syms)
    for i, t in enumerate(schedule(rng, stack + 3600 * NS, t_end, 7200, 60_000)):
        redis_bgsave(redis, t, 40 + i)
    for t in schedule(rng, stack + 300 * NS, t_end, 7200, 1000):
        pg_checkpoint(pg, t, rng)
    for t in schedule(rng, stack + 7200 * NS, t_end, 7200, 2000):
        prom_line(prom, t, 'Head GC completed', caller='head.go:1341', comp='tsdb')
    # runbook: 3x "maxmemory reached" on day 2, 14:30 UTC (a runbook string, §3.6)
    for t in [E('2025-11-27 14:30:02.118'), E('2025-11-27 14:30:17.604'), E('2025-11-27 14:30:41.277')]:
        redis.raw(t, '1:M %s # WARNING maxmemory reached (used_memory=268437112 > maxmemory=268435456), '
                     'policy allkeys-lru is evicting keys' % redis_ts(t))
    runner.events_lines(pr_start, t_end, 1800)

    # ---- daily reports: the runner's midnight report; mails saved by the analyst
    sig_per_day = per_day([s['ns'] for s in sigs], days)
    reports = []
    for d in ['2025-11-27', '2025-11-28', '2025-11-29']:
        at = E(d + ' 00:00:00') + rng.randint(20, 60) * MS
        prev = ymd(at - 86400 * NS)
        rep = runner.report(at, sig_per_day.get(prev, 0), 0, email=True)
        rep.update(date=d, window_day=prev, signals=sig_per_day.get(prev, 0))
        reports.append(rep)

    b = Bundle(name)
    env = """# Claire de Binare - Paper Trading
# 3-Tage-Block 2025-11-26 .. 2025-11-28 (Runbook v1.0)

# --- Infrastruktur ---
REDIS_HOST=cdb_redis
REDIS_PORT=6379
REDIS_PASSWORD={REDIS_PASSWORD}
POSTGRES_HOST=cdb_postgres
POSTGRES_PORT=5432
POSTGRES_DB=claire_de_binare
POSTGRES_USER=claire_user
POSTGRES_PASSWORD={POSTGRES_PASSWORD}

# --- Signal Engine ---
SIGNAL_THRESHOLD_PCT=3.0
SIGNAL_LOOKBACK_MIN=15
MIN_CONFIDENCE=0.60                        # 60% Min Signal Confidence
MIN_VOLUME_24H=1000000                     # $1M Min 24h Volume
SIGNAL_MIN_VOLUME=0

# --- Risk-Limits ---
MAX_POSITION_PCT=0.10                      # 10% Max Position Size
MAX_DAILY_DRAWDOWN_PCT=0.05                # 5% Max Daily Drawdown
MAX_TOTAL_EXPOSURE_PCT=0.30                # 30% Max Total Exposure
CIRCUIT_BREAKER_THRESHOLD_PCT=0.10         # 10% Circuit Breaker
STOP_LOSS_PCT=0.02
TEST_BALANCE=10000

# --- Execution / MEXC ---
MOCK_TRADING=true
DRY_RUN=true
MEXC_API_KEY={MEXC_API_KEY}
MEXC_API_SECRET={MEXC_API_SECRET}

# --- Paper Runner / Alerts ---
PAPER_TRADING_DURATION_DAYS=14
ALERT_EMAIL_FROM={mail_from}
ALERT_EMAIL_TO={mail_to}
ALERT_EMAIL_PASSWORD={ALERT_EMAIL_PASSWORD}
SMTP_SERVER=smtp.gmail.com
SMTP_PORT=587
LOG_LEVEL=INFO
""".format(mail_from=mail_from, mail_to=mail_to, **sec)
    b.add('.env', env, 'config')
    b.add('db/trading_signals.csv', text([','.join(['signal_id', 'symbol', 'signal_type', 'confidence', 'price', 'timestamp'])]
                                        + [','.join(r) for r in sig_rows]), 'db-dump')
    b.add('db/risk_events.csv', text(['signal_id,approved,reason,timestamp'] + [','.join(r) for r in risk_rows]), 'db-dump')
    b.add('db/trades.csv', 'id,signal_id,symbol,side,price,quantity,timestamp\n', 'db-dump')
    b.add('logs/docker_compose_logs.txt',
          compose_logs([redis, pg, prom, ws, core, risk, exe, dbw, pr], True, rng), 'container-log')

    # market_data SUBSCRIBE, 30 s, runbook payloads (symbol, price, volume_24h, ISO timestamp)
    cap0 = E('2025-11-28 16:20:00.412')
    md = []
    for i in range(64):
        t = cap0 + int((i + rng.random()) * 30 * NS / 64)
        sym_ = rng.choice(syms)
        md.append((t, 'market_data', pyjson({'symbol': sym_.replace('_', ''),
                                             'price': float('%.6g' % (SYMS_A[sym_] * rng.uniform(0.98, 1.02))),
                                             'volume_24h': rng.randrange(2_000_000, 4_000_000_000),
                                             'timestamp': iso_z(t)})))
    b.add('redis/subscribe_market_data.txt', subscribe_raw(['market_data'], md), 'redis')
    # trading_signals SUBSCRIBE held open around one signal of day 3
    sig_cap = next(s for s in sigs if s['ns'] > E('2025-11-28 14:00:00'))
    ts_msg = [(sig_cap['ns'] + 5 * MS, 'trading_signals', pyjson({
        'signal_id': sig_cap['id'], 'symbol': sig_cap['sym'], 'signal_type': 'BUY', 'confidence': sig_cap['conf'],
        'price': sig_cap['price'], 'timestamp': iso_z(sig_cap['ns'])}))]
    b.add('redis/subscribe_trading_signals.txt', subscribe_raw(['trading_signals'], ts_msg), 'redis')

    for rep in reports:
        body = ('Claire de Binare Paper Trading Alert\n\nSeverity: INFO\nTime: %s\nSubject: Daily Report\n\n%s\n---\n'
                'Logs: docker compose logs cdb_paper_runner --tail=100\n' % (hms(rep['at']), rep['body']))
        msg = MIMEMultipart()
        msg.set_boundary('===============%019d==' % rng.randrange(10 ** 18, 10 ** 19))
        msg['From'] = mail_from
        msg['To'] = mail_to
        msg['Subject'] = '[INFO] Claire de Binare: Daily Report'
        msg.attach(MIMEText(body, 'plain', 'utf-8'))
        sent = rep['at'] + 950 * MS
        # Gmail's submission server adds Date (in Pacific time) and Message-ID when the client sends none
        head = ('Delivered-To: %s\r\nReceived: from claire-host (dslb-084-063-112-047.084.063.pools.vodafone-ip.de. [84.63.112.47])\r\n'
                '        by smtp.gmail.com with ESMTPSA id 5b1f17b1804b1-4779a2f4e1csm%d.41.2025.%02d.%02d\r\n'
                '        for <%s>\r\n        (version=TLS1_3 cipher=TLS_AES_256_GCM_SHA384 bits=256/256);\r\n        %s\r\n'
                'Message-ID: <%08x.050a0220.%06x.%04x@mx.google.com>\r\nDate: %s\r\n'
                % (mail_to, rng.randrange(10 ** 6, 10 ** 7), D(sent).month, D(sent).day, mail_to,
                   rfc2822(sent, -8, 'PST'), rng.getrandbits(32), rng.getrandbits(24), rng.getrandbits(16),
                   rfc2822(sent, -8, 'PST')))
        b.add('reports/daily_report_%s.eml' % rep['date'], head.encode('ascii') + msg.as_bytes(policy=policy.SMTP), 'report')

    started = {n: stack for n in ['cdb_redis', 'cdb_postgres', 'cdb_prometheus', 'cdb_ws', 'cdb_core', 'cdb_risk',
                                  'cdb_execution', 'cdb_db_writer', 'cdb_paper_runner']}
    b.add('ps/compose_ps.txt', compose_ps_table(ps_rows(list(started), 'claire_de_binare', stack - 20 * NS, ps_at)),
          'containers')
    b.write_dir()

    # ---- expected
    n = len(sigs)
    L = 'drawdown-runbook/logs/docker_compose_logs.txt'
    exp = {
        'description': "The runbook's own example block (runbook.md 'Output-Struktur'): 127 signals, every one rejected by "
                       "the risk layer with the runbook string 'Daily Drawdown exceeded (x% > 5.0%)'; no orders, no trades.",
        'incident': 'risk rejects everything (daily drawdown limit)',
        'era': 'A', 'dialect': 'runbook',
        'block': {'from': days[0], 'to': days[-1]},
        'archive': None,
        'files': b.file_table(),
        'counts': {'market_data_events': len(md), 'signals': n, 'signals_per_day': sig_per_day, 'risk_approved': 0,
                   'risk_rejected': n, 'orders': 0, 'trades': 0, 'persisted_trades': 0},
        'counts_raw': {'orders_rows': None, 'trades_rows': 0},
        'break_layer': 'risk',
        'top_hypothesis': {'layer': 'risk', 'keywords': ['drawdown']},
        'reports': [{'file': 'reports/daily_report_%s.eml' % r['date'], 'also_in': 'logs/docker_compose_logs.txt',
                     'date': r['date'], 'generated_utc': iso_us(r['at'])[:23] + 'Z', 'signals_today': r['signals'],
                     'trades_today': 0, 'events_logged': r['events'], 'matching_window': 'b_previous_day',
                     'window_day': r['window_day'], 'db_count_in_window': r['signals'],
                     'candidates': candidates(r['at'], pr_start, [ymd(s['ns']) for s in sigs], [])} for r in reports],
        'reports_note': 'By construction each report counts the UTC day that has just ended (window b), so DB counts equal the '
                        'report as the runbook example says. Under the inferred frozen-CURRENT_DATE model (window c: runner start '
                        'day 2025-11-26) only the first report would match; the 2025-11-29 report lies outside the block but '
                        'reports on its last day.',
        'secrets': sorted(set(sec.values())),
        'how': {
            'market_data_events': "grep -c '^message$' drawdown-runbook/redis/subscribe_market_data.txt",
            'signals': "tail -n +2 drawdown-runbook/db/trading_signals.csv | wc -l",
            'signals_per_day': "awk -F, 'NR>1{print substr($6,1,10)}' drawdown-runbook/db/trading_signals.csv | sort | uniq -c | awk '{print $2, $1}'",
            'risk_approved': "awk -F, 'NR>1 && $2==\"true\"' drawdown-runbook/db/risk_events.csv | wc -l",
            'risk_rejected': "awk -F, 'NR>1 && $2==\"false\"' drawdown-runbook/db/risk_events.csv | wc -l",
            'orders': "grep -c 'execution_service - INFO - Processing order:' %s || true" % L,
            'trades': "grep -c 'Order filled:' %s || true" % L,
            'persisted_trades': "tail -n +2 drawdown-runbook/db/trades.csv | wc -l",
            'trades_rows': "tail -n +2 drawdown-runbook/db/trades.csv | wc -l",
        },
        'checks': [
            {'what': 'risk log: one 📨 line per signal', 'expect': n,
             'cmd': "grep -c 'risk_manager: .* Signal empfangen: [A-Z0-9]*_USDT BUY' %s" % L},
            {'what': 'risk log: one runbook drawdown reject per signal', 'expect': n,
             'cmd': "grep -cE 'Daily Drawdown exceeded \\(5\\.[123]%% > 5\\.0%%\\)' %s" % L},
            {'what': 'signal engine: one generated line per signal', 'expect': n,
             'cmd': "grep -c 'signal_engine: .* Signal generiert:' %s" % L},
            {'what': 'no order was approved', 'expect': 0, 'cmd': "grep -c 'Order freigegeben' %s || true" % L},
            {'what': 'redis maxmemory warnings on day 2 14:30 UTC', 'expect': 3,
             'cmd': "grep 'maxmemory reached' %s | grep -c '2025-11-27T14:30:'" % L},
            {'what': 'report mails decode to Signals Today 45/52/30 (previous UTC day)', 'expect': '45 52 30',
             'cmd': "for f in drawdown-runbook/reports/*.eml; do python3 -c \"import email,sys;m=email.message_from_binary_file(open(sys.argv[1],'rb'));p=[x for x in m.walk() if x.get_content_type()=='text/plain'][0];print(p.get_payload(decode=True).decode())\" $f | awk -F: '/Signals Today/{gsub(/ /,\"\",$2);print $2}'; done | paste -sd' '"},
            {'what': 'rejections with risk_events.signal_id present in trading_signals', 'expect': n,
             'cmd': "awk -F, 'NR==FNR{if(FNR>1)s[$1]=1;next} FNR>1 && ($1 in s)' drawdown-runbook/db/trading_signals.csv drawdown-runbook/db/risk_events.csv | wc -l"},
        ],
    }
    write_expected(name, exp)


# ============================================================================================
# era-A healthy pipeline (one approved signal end to end, both DB writers working, §5.5)
# ============================================================================================


def a_flow(s: dict, db: dict, svcs: dict, msgs: list, log_from: int, threshold: str) -> None:
    t, sym = s['ns'], s['sym']
    ts = t // NS
    conf = round(s['pct'] / 10, 4)
    q = float(round(conf * 10000))
    price = s['price']
    reason = 'Momentum: +%.2f%% (Schwelle: %s%%)' % (s['pct'], threshold)
    client = '%s-%d' % (sym, ts)
    oid = s['oid']
    rej = s['reject']
    rng = db['rng']
    fill = None if rej else round(price * (1 + rng.uniform(0.0001, 0.0012)), 8)
    logged = t >= log_from
    core, risk, exe, dbw = svcs['core'], svcs['risk'], svcs['exe'], svcs['dbw']

    msgs.append((t, 'signals', pyjson({'type': 'signal', 'symbol': sym, 'side': 'BUY', 'signal_type': 'buy', 'confidence': conf,
                                       'reason': reason, 'timestamp': ts, 'price': price, 'pct_change': s['pct'],
                                       'source': 'momentum_strategy'})))
    msgs.append((t + 1500 * US, 'orders', pyjson({'type': 'order', 'symbol': sym, 'side': 'BUY', 'quantity': q, 'stop_loss_pct': 0.02,
                                                  'signal_id': ts, 'reason': reason, 'timestamp': ts, 'price': price,
                                                  'client_id': client})))
    res = {'type': 'order_result', 'order_id': oid, 'status': 'REJECTED' if rej else 'FILLED', 'symbol': sym, 'side': 'BUY',
           'quantity': q, 'filled_quantity': 0.0 if rej else q, 'timestamp': ts}
    if rej:
        res.update(client_id=client, error_message='Mock rejection: Insufficient liquidity')
    else:
        res.update(price=fill, client_id=client)
    msgs.append((t + 131 * MS, 'order_results', pyjson(res)))

    sid = db['next']['signals']
    db['next']['signals'] += 1
    db['signals'].append([sid, sym, 'buy', px(price), '%.4f' % conf, pg_ts(ts * NS), 'momentum_strategy', '{}'])
    o_twin = db['next']['orders']
    db['orders'].append([o_twin, None, sym, 'buy', 'market', px(price), '%.8f' % q, 'f', None, 'pending', '0.00000000', None,
                         pg_ts(ts * NS), None, None, '{}'])
    t_exec_order = t + 143 * MS + rng.randint(0, 900) * US
    t_exec_trade = t_exec_order + 4 * MS + rng.randint(0, 900) * US
    tr_twin = db['next']['trades']
    if not rej:
        db['trades'].append([tr_twin, None, sym, 'buy', px(fill), '%.8f' % q, 'filled', px(fill), None, '0.00000000',
                             pg_ts(ts * NS), 'MEXC', None, '{}'])
    o_exec = o_twin + 1
    et = pg_ts(t_exec_order)
    if rej:
        db['orders'].append([o_exec, None, sym, 'buy', 'market', None, '%.8f' % q, 't', None, 'rejected', '0.00000000', None,
                             et, et, None, None])
    else:
        db['orders'].append([o_exec, None, sym, 'buy', 'market', px(fill), '%.8f' % q, 't', None, 'filled', '%.8f' % q, px(fill),
                             et, et, et, None])
        db['trades'].append([tr_twin + 1, None, sym, 'buy', px(fill), '%.8f' % q, 'filled', px(fill), None, '0.00000000',
                             pg_ts(t_exec_trade), 'MEXC', oid, None])
        db['next']['trades'] += 2
    db['next']['orders'] += 2
    if not logged:
        return
    core.br(t, 'INFO', 'signal_engine', '✨ Signal generiert: %s BUY @ $%.2f (+%.2f%%, Confidence: %.2f)' % (sym, price, s['pct'], conf))
    risk.br(t + 1 * MS, 'INFO', 'risk_manager', '📨 Signal empfangen: %s BUY' % sym)
    risk.br(t + 1400 * US, 'INFO', 'risk_manager', '✅ Order freigegeben: %s BUY qty=%.4f' % (sym, q))
    dbw.br(t + 3 * MS, 'INFO', 'db_writer', '✅ Signal persisted: ID=%d, %s buy' % (sid, sym))
    dbw.br(t + 4 * MS, 'INFO', 'db_writer', '✅ Order persisted: ID=%d, %s BUY' % (o_twin, sym))
    exe.dash(t + 52 * MS, 'INFO', 'Processing order: %s BUY qty=%.4f' % (sym, q))
    if rej:
        exe.dash(t + 129 * MS, 'WARNING', 'Order rejected: %s - Mock rejection: Insufficient liquidity' % oid)
    else:
        exe.dash(t + 129 * MS, 'INFO', 'Order filled: %s at %r' % (oid, fill))
    exe.dash(t + 131 * MS, 'INFO', 'Published result to order_results')
    risk.br(t + 134 * MS, 'INFO', 'risk_manager', 'Order-Result empfangen: %s status=%s qty=%.4f'
            % (oid, 'REJECTED' if rej else 'FILLED', q))
    if rej:
        risk.br(t + 135 * MS, 'WARNING', 'risk_manager', 'Alert: [WARNING] EXECUTION_ERROR: Mock rejection: Insufficient liquidity')
        dbw.br(t + 137 * MS, 'INFO', 'db_writer', '⏭️  Skipping rejected order_result: %s - not an actual trade' % sym)
    else:
        dbw.br(t + 137 * MS, 'INFO', 'db_writer', '✅ Trade persisted: ID=%d, %s BUY @ %s' % (tr_twin, sym, px(fill)))
    exe.dash(t_exec_order, 'INFO', 'Saved order to database: %s' % oid)
    if rej:
        exe.dash(t_exec_trade, 'INFO', 'Skipping trade save - order not filled: %s' % oid)
    else:
        exe.dash(t_exec_trade, 'INFO', 'Saved trade to database: %s' % oid)


def bursts(rng: random.Random, t0: int, t1: int, n: int, forced: tuple[int, int] | None = None,
           slot_s: int = 1200) -> list[int]:
    """Era-A signals come in bursts (one symbol crosses the threshold, several ticks in a row)."""
    times = []
    nslots = (t1 - t0) // (slot_s * NS)
    banned = set()
    if forced:
        start, size = forced
        fs = (start - t0) // (slot_s * NS)
        banned = {fs - 1, fs, fs + 1}
        t = start
        for _ in range(size):
            times.append(t)
            t += rng.randint(4, 8) * NS + rng.randint(0, 999) * MS
        n -= size
    sizes = []
    while sum(sizes) < n:
        sizes.append(min(rng.randint(3, 6), n - sum(sizes)))
    slots = sorted(rng.sample([k for k in range(nslots) if k not in banned], len(sizes)))
    for k, size in zip(slots, sizes):
        t = t0 + k * slot_s * NS + rng.randint(0, slot_s // 2) * NS + rng.randint(0, 999) * MS
        for _ in range(size):
            times.append(t)
            t += rng.randint(4, 15) * NS + rng.randint(0, 999) * MS
    return sorted(times)


def md_a(rng: random.Random, t: int, sym: str, pct: float | None = None) -> str:
    base = SYMS_A[sym]
    return pyjson({'type': 'market_data', 'symbol': sym, 'timestamp': t // NS // 60 * 60,
                   'price': float('%.5g' % (base * rng.uniform(0.995, 1.005))),
                   'volume': float(rng.randrange(300_000, 2_400_000)),
                   'pct_change': round(pct if pct is not None else rng.uniform(-0.3, 0.3), 3), 'interval': '1m'})


# ============================================================================================
# 2. healthy-era-a.tgz
# ============================================================================================

S2_SECRETS = {
    'REDIS_PASSWORD': 'hlthA-redis-W9c2Lp0xKq',
    'POSTGRES_PASSWORD': 'hlthA-pg-Zt5mR8uYe3Nb',
    'MEXC_API_KEY': 'mx0vglHEALTHYa7Rk2Pq9',
    'MEXC_API_SECRET': '9d41be07c3a24f8e96b1d5a07c2e3f18',
    'GRAFANA_PASSWORD': 'hlthA-graf-Qx4vN7',
}


def sample_healthy_era_a() -> None:
    name, folder = 'healthy-era-a', 'cdb_block_2025-12-15'
    rng = random.Random(20251215)
    days = ['2025-12-15', '2025-12-16', '2025-12-17']
    sec = S2_SECRETS
    db_init = E('2025-12-14 05:58:10')
    stack = E('2025-12-15 00:00:04')
    cap = E('2025-12-18 09:31:00')
    syms = ['BTC_USDT', 'ETH_USDT', 'SOL_USDT', 'LTC_USDT', 'ADA_USDT', 'PEPE_USDT', 'WIF_USDT', 'AVAX_USDT', 'DOGE_USDT',
            'XRP_USDT', 'BNB_USDT', 'LINK_USDT', 'TRX_USDT', 'SUI_USDT']
    forced = (E('2025-12-16 14:02:05.311'), 3)   # a burst inside the 30 s SUBSCRIBE capture

    times = bursts(rng, E('2025-12-14 06:20:00'), E('2025-12-14 23:40:00'), 15)
    for d, n in zip(days, [36, 41, 33]):
        times += bursts(rng, E(d + ' 00:10:00'), E(d + ' 23:40:00'), n, forced if d == '2025-12-16' else None)
    times += bursts(rng, E('2025-12-18 00:10:00'), E('2025-12-18 09:10:00'), 10)
    times.sort()
    sigs = []
    last_sym, last_t, base = None, 0, 0.0
    for t in times:
        if t - last_t >= 20 * NS:
            last_sym = rng.choice(syms)
            base = SYMS_A[last_sym] * rng.uniform(0.985, 1.015)
        sym = last_sym
        if forced[0] <= t < forced[0] + 40 * NS and sym != 'LTC_USDT':
            sym = last_sym = 'LTC_USDT'
            base = SYMS_A[sym] * rng.uniform(0.985, 1.015)
        pct = rng.randint(2000, 6500) / 1000
        price = base * (1 + rng.uniform(-0.0004, 0.0004))
        sigs.append({'ns': t, 'sym': sym, 'pct': pct, 'price': price, 'reject': False, 'oid': mock_hex(rng)})
        last_sym, last_t = sym, t
    block_idx = [i for i, s in enumerate(sigs) if in_block(s['ns'], days) and not (forced[0] <= s['ns'] < forced[0] + 40 * NS)]
    for i in rng.sample(block_idx, 6):
        sigs[i]['reject'] = True
    sigs[2]['reject'] = True   # one pre-block mock rejection

    redis, pg, prom, graf = Svc('cdb_redis', rng), Svc('cdb_postgres', rng), Svc('cdb_prometheus', rng, 'stderr'), Svc('cdb_grafana', rng)
    ws, core, risk = Svc('cdb_ws', rng, 'stderr'), Svc('cdb_core', rng), Svc('cdb_risk', rng)
    exe, dbw, pr = Svc('cdb_execution', rng, 'stderr'), Svc('cdb_db_writer', rng, 'stderr'), Svc('cdb_paper_runner', rng)
    redis_start(redis, stack)
    pg_start(pg, stack + 90 * MS, E('2025-12-14 23:59:48'))
    for i, m in enumerate(['Starting Prometheus Server', 'Server is ready to receive web requests.']):
        prom_line(prom, stack + (1100 + 50 * i) * MS, m, caller='main.go:%d' % (640 + 400 * i), comp='main' if i == 0 else 'web')
    grafana_line(graf, stack + 2100 * MS, 'settings', 'Starting Grafana', ' version=11.3.1 commit=5ab0a1b6 branch=HEAD')
    grafana_line(graf, stack + 4200 * MS, 'http.server', 'HTTP Server Listen', ' address=[::]:3000 protocol=http subUrl= socket=')
    # planted: a datasource URL with credentials, as a Redis data source plugin logs it
    grafana_line(graf, stack + 5300 * MS, 'plugin.redis-datasource', 'Plugin registered',
                 ' url=redis://:%s@cdb_redis:6379/0 pluginId=redis-datasource' % sec['REDIS_PASSWORD'])
    ws_a_start(ws, stack + 2 * NS, '172.18.0.5', ws_config=True)
    core_start_a(core, stack + 3 * NS, '2.0', '0.0', '172.18.0.6')
    risk_start_a(risk, stack + 3 * NS + 150 * MS, '172.18.0.7', 'Kein persistierter Risk-State gefunden - starte mit frischem State')
    exec_start_a(exe, stack + 3 * NS + 300 * MS, '172.18.0.8')
    dbw_start_a(dbw, stack + 3 * NS + 420 * MS)
    pr_start = stack + 6 * NS + 411_203 * US
    runner_start(pr, pr_start, '172.18.0.10', None)
    runner = Runner(pr, pr_start, 3.05)

    db = {'rng': rng, 'signals': [], 'orders': [], 'trades': [], 'next': {'signals': 1, 'orders': 1, 'trades': 1}}
    msgs: list = []
    for s in sigs:
        a_flow(s, db, {'core': core, 'risk': risk, 'exe': exe, 'dbw': dbw}, msgs, stack, '2.0')

    end = cap
    for svc, off, fn in [(core, 22, poll_br), (risk, 41, poll_br), (ws, 7, poll_bare)]:
        for t in schedule(rng, stack + off * NS, end, 900, 900):
            fn(svc, t)
    for t in schedule(rng, stack + 27 * NS, end, 900, 900):
        poll_dash(exe, t)
        poll_dash(exe, t + 6 * NS + rng.randint(0, 900) * MS, '/metrics', '172.18.0.4')
    for t in schedule(rng, stack + 1800 * NS, end, 3600, 500):
        ws_a_top_movers(ws, t, rng, syms)
    for i, t in enumerate(schedule(rng, stack + 3000 * NS, end, 7200, 60_000)):
        redis_bgsave(redis, t, 31 + i)
    for t in schedule(rng, stack + 300 * NS, end, 7200, 1000):
        pg_checkpoint(pg, t, rng)
    for t in schedule(rng, stack + 600 * NS, end, 7200, 3000):
        grafana_line(graf, t, 'cleanup', 'Completed cleanup jobs', ' duration=%.6fms' % rng.uniform(5, 14))
    for t in schedule(rng, stack + 7200 * NS, end, 7200, 2000):
        prom_line(prom, t, 'Head GC completed', caller='head.go:1341', comp='tsdb')
    runner.events_lines(pr_start, end, 1800)

    # midnight reports: CURRENT_DATE frozen at the runner's start day (window c), raw trade rows
    start_day = ymd(pr_start)
    sig_start_day = sum(1 for r in db['signals'] if r[5].startswith(start_day))
    tr_start_day = sum(1 for r in db['trades'] if r[10].startswith(start_day))
    reports = []
    for d in ['2025-12-16', '2025-12-17', '2025-12-18']:
        at = E(d + ' 00:00:00') + rng.randint(20, 60) * MS
        rep = runner.report(at, sig_start_day, tr_start_day, email=False)
        reports.append({'date': d, 'generated_utc': iso_us(at)[:23] + 'Z', 'signals_today': sig_start_day,
                        'trades_today': tr_start_day, 'events_logged': rep['events'],
                        'matching_window': 'c_runner_start_day',
                        'window_day': start_day,
                        'db_count_in_window': {'signals': sig_start_day, 'trades_rows_raw': tr_start_day,
                                               'trades_dedup': tr_start_day // 2},
                        'candidates': candidates(at, pr_start, [r[5][:10] for r in db['signals']], [r[10][:10] for r in db['trades']])})

    b = Bundle(name)
    b.add('.env', """# Claire de Binare - root .env (docker-compose.yml env_file)
REDIS_HOST=cdb_redis
REDIS_PORT=6379
REDIS_DB=0
REDIS_PASSWORD={REDIS_PASSWORD}
POSTGRES_HOST=cdb_postgres
POSTGRES_PORT=5432
POSTGRES_DB=claire_de_binare
POSTGRES_USER=claire_user
POSTGRES_PASSWORD={POSTGRES_PASSWORD}
GRAFANA_PASSWORD={GRAFANA_PASSWORD}

# Signal engine
SIGNAL_THRESHOLD_PCT=2.0
SIGNAL_MIN_VOLUME=0
SIGNAL_LOOKBACK_MIN=15
SIGNAL_PORT=8001

# Risk
MAX_POSITION_PCT=0.10
MAX_EXPOSURE_PCT=0.50
MAX_TOTAL_EXPOSURE_PCT=0.30
MAX_DAILY_DRAWDOWN_PCT=0.05
STOP_LOSS_PCT=0.02
TEST_BALANCE=10000
USE_REAL_BALANCE=false

# Execution
MOCK_TRADING=true
DRY_RUN=true
MEXC_TESTNET=false
MEXC_API_KEY={MEXC_API_KEY}
MEXC_API_SECRET={MEXC_API_SECRET}

# Screener
MEXC_BASE=https://contract.mexc.com
LOOKBACK_MIN=15
SYMBOL_WHITELIST=
WS_SCREENER_PORT=8000

PAPER_TRADING_DURATION_DAYS=14
LOG_LEVEL=INFO
""".format(**sec), 'config')
    b.add('compose_logs.txt', compose_logs([redis, pg, prom, graf, ws, core, risk, exe, dbw, pr], False, rng), 'container-log')
    seeds = [[1, pg_ts(db_init), '100000.00000000', '100000.00000000', '0.00000000', '0.00000000', '0.00000000', '0.00000000',
              '0.0000', '0.0000', 0, SEED_META]]
    schema = [['1.0.0', pg_ts(db_init), 'Initial schema'], ['1.0.1', pg_ts(db_init + 3100 * US), 'Migration 002: orders.price nullable']]
    b.add('pg_dump_claire_de_binare.sql', pg_dump(
        [('signals', SIGNALS_COLS, db['signals']), ('orders', ORDERS_A_COLS, db['orders']),
         ('portfolio_snapshots', SNAP_COLS, seeds), ('positions', POS_COLS, []), ('schema_version', SCHEMA_COLS, schema),
         ('trades', TRADES_COLS, db['trades'])],
        [('orders_id_seq', db['next']['orders'] - 1, True), ('portfolio_snapshots_id_seq', 1, True),
         ('positions_id_seq', 1, False), ('signals_id_seq', db['next']['signals'] - 1, True),
         ('trades_id_seq', db['next']['trades'] - 1, True)], restrict_key(rng), inserts=False), 'db-dump')

    cap0 = E('2025-12-16 14:02:01.204')
    cap1 = cap0 + 30 * NS
    capmsgs = [m for m in msgs if cap0 <= m[0] < cap1]
    n_md = 0
    t = cap0 + 40 * MS
    while t < cap1:
        capmsgs.append((t, 'market_data', md_a(rng, t, rng.choice(syms))))
        n_md += 1
        t += rng.randint(120, 700) * MS
    for s in sigs:   # the tick that triggered each captured signal
        if cap0 <= s['ns'] - 30 * MS < cap1:
            capmsgs.append((s['ns'] - 30 * MS, 'market_data', md_a(rng, s['ns'], s['sym'], s['pct'])))
            n_md += 1
    b.add('redis/subscribe_market_data_signals_orders_order_results.txt',
          subscribe_raw(['market_data', 'signals', 'orders', 'order_results'], capmsgs), 'redis')
    b.add('redis/pubsub_numsub.txt', 'market_data\n2\nsignals\n3\norders\n3\norder_results\n3\nalerts\n1\n', 'redis')
    b.add('redis/info.txt', redis_info((cap + 40 * NS - stack) // NS, stack, 8, 1_183_912, 'db0:keys=1,expires=1,avg_ttl=561203117',
                                       cmds=912_338), 'redis')
    rows = ps_rows(['cdb_redis', 'cdb_postgres', 'cdb_prometheus', 'cdb_grafana', 'cdb_ws', 'cdb_core', 'cdb_risk', 'cdb_execution',
                    'cdb_db_writer', 'cdb_paper_runner'], 'claire_de_binare', stack - 3 * NS, cap + 55 * NS,
                   health={'cdb_paper_runner': 'unhealthy'})
    for r in rows:
        r.update(created_at=hms(stack - 3 * NS) + ' +0000 UTC', id=hexid(rng, 12), hash=hexid(rng, 64), imghash=hexid(rng, 64))
    b.add('compose_ps.json', compose_ps_json(rows, 'claire_de_binare', 'C:\\Users\\dev\\Claire_de_Binare'), 'containers')
    b.write_tgz(name + '.tgz', folder, E('2025-12-18 09:40:12') // NS)

    # ---- expected
    blk = [s for s in sigs if in_block(s['ns'], days)]
    nb = len(blk)
    fills = sum(1 for s in blk if not s['reject'])
    m = folder + '/'
    X = "tar -xzOf healthy-era-a.tgz %s" % m
    BLK = 'substr($%d,1,10)>="2025-12-15" && substr($%d,1,10)<="2025-12-17"'
    exp = {
        'description': 'A healthy era-A block: signals flow, risk approves, the mock executor fills ~95 % and rejects the rest, '
                       'both DB writers persist (two-writer duplicates of §5.5). Logs without --timestamps, DB dump from a volume '
                       'that also holds the day before the block, capture taken the morning after the block.',
        'incident': 'none (healthy)',
        'era': 'A', 'dialect': 'real',
        'block': {'from': days[0], 'to': days[-1]},
        'archive': {'file': 'healthy-era-a.tgz', 'format': 'tar.gz', 'root_folder': folder},
        'files': b.file_table(m),
        'counts': {'market_data_events': n_md, 'signals': nb, 'signals_per_day': per_day([s['ns'] for s in blk], days),
                   'risk_approved': nb, 'risk_rejected': 0, 'orders': nb, 'trades': fills, 'persisted_trades': fills},
        'counts_raw': {'orders_rows': 2 * nb, 'trades_rows': 2 * fills},
        'break_layer': None,
        'top_hypothesis': None,
        'expect_no_fail': True,
        'notes': ['cdb_paper_runner shows (unhealthy) in compose ps: era-A image has no curl (§8), not a fault.',
                  'Mock rejections in the block: %d of %d executed orders (%.1f %%), at the documented ~5 %% rate.'
                  % (nb - fills, nb, 100.0 * (nb - fills) / nb),
                  'The dump also holds 2025-12-14 (previous block) and the log/dump hold 2025-12-18 morning: both outside the block.'],
        'reports': [dict(r, where=m + 'compose_logs.txt') for r in reports],
        'reports_note': 'The runner never commits, so CURRENT_DATE stays at the day of its first statement (2025-12-15, window c): '
                        'all three reports repeat that day\'s signals and RAW trade rows (two writers). Expected explanation, not a fault.',
        'secrets': sorted(set(sec.values())),
        'how': {
            'market_data_events': X + "redis/subscribe_market_data_signals_orders_order_results.txt | awk 'p==\"message\" && $0==\"market_data\"{n++} {p=$0} END{print n+0}'",
            'signals': X + "pg_dump_claire_de_binare.sql | awk -F'\\t' '/^COPY public.signals /{f=1;next} $0==\"\\\\.\"{f=0} f && %s' | wc -l" % (BLK % (6, 6)),
            'signals_per_day': X + "pg_dump_claire_de_binare.sql | awk -F'\\t' '/^COPY public.signals /{f=1;next} $0==\"\\\\.\"{f=0} f && %s {print substr($6,1,10)}' | sort | uniq -c | awk '{print $2, $1}'" % (BLK % (6, 6)),
            'risk_approved': X + "compose_logs.txt | grep 'risk_manager: .* Order freigegeben:' | grep -c '| 2025-12-1[5-7] '",
            'risk_rejected': X + "compose_logs.txt | grep -E 'risk_manager: .*(Max Exposure erreicht|Circuit Breaker|Position zu gro|Signal blockiert)' | grep -c '| 2025-12-1[5-7] ' || true",
            'orders': X + "pg_dump_claire_de_binare.sql | awk -F'\\t' '/^COPY public.orders /{f=1;next} $0==\"\\\\.\"{f=0} f && $8==\"t\" && %s' | wc -l" % (BLK % (13, 13)),
            'trades': X + "compose_logs.txt | grep 'execution_service - INFO - Order filled:' | grep -c '| 2025-12-1[5-7] '",
            'persisted_trades': X + "pg_dump_claire_de_binare.sql | awk -F'\\t' '/^COPY public.trades /{f=1;next} $0==\"\\\\.\"{f=0} f && $13!=\"\\\\N\" && %s' | wc -l" % (BLK % (11, 11)),
            'orders_rows': X + "pg_dump_claire_de_binare.sql | awk -F'\\t' '/^COPY public.orders /{f=1;next} $0==\"\\\\.\"{f=0} f && %s' | wc -l" % (BLK % (13, 13)),
            'trades_rows': X + "pg_dump_claire_de_binare.sql | awk -F'\\t' '/^COPY public.trades /{f=1;next} $0==\"\\\\.\"{f=0} f && %s' | wc -l" % (BLK % (11, 11)),
        },
        'checks': [
            {'what': 'db_writer pending twins in the block == execution rows (pairs)', 'expect': nb,
             'cmd': X + "pg_dump_claire_de_binare.sql | awk -F'\\t' '/^COPY public.orders /{f=1;next} $0==\"\\\\.\"{f=0} f && $10==\"pending\" && %s' | wc -l" % (BLK % (13, 13))},
            {'what': 'risk 📨 lines in the block == signals', 'expect': nb,
             'cmd': X + "compose_logs.txt | grep 'risk_manager: .* Signal empfangen: ' | grep -c '| 2025-12-1[5-7] '"},
            {'what': 'mock rejections in the block', 'expect': nb - fills,
             'cmd': X + "compose_logs.txt | grep 'Order rejected: MOCK_' | grep -c '| 2025-12-1[5-7] '"},
            {'what': 'execution trade rows (exchange_trade_id MOCK_) in the block == Order filled lines', 'expect': fills,
             'cmd': X + "pg_dump_claire_de_binare.sql | awk -F'\\t' '/^COPY public.trades /{f=1;next} $0==\"\\\\.\"{f=0} f && $13 ~ /^MOCK_/ && %s' | wc -l" % (BLK % (11, 11))},
            {'what': 'report Signals Today / Trades Today (all three reports)', 'expect': ' '.join(['%d/%d' % (sig_start_day, tr_start_day)] * 3),
             'cmd': X + "compose_logs.txt | sed 's/^[^|]*| //' | awk '/Signals Today:/{s=$3} /Trades Today:/{print s\"/\"$3}' | paste -sd' '"},
            {'what': 'signals on the runner start day 2025-12-15 (window c)', 'expect': sig_start_day,
             'cmd': X + "pg_dump_claire_de_binare.sql | awk -F'\\t' '/^COPY public.signals /{f=1;next} $0==\"\\\\.\"{f=0} f && substr($6,1,10)==\"2025-12-15\"' | wc -l"},
        ],
    }
    write_expected(name, exp)


# ============================================================================================
# 3. exposure-stuck-era-a: risk rejects everything, exposure restored from Redis after a restart
# ============================================================================================

S3_SECRETS = {
    'REDIS_PASSWORD': 'xpo-Redis-Vt7kestrel2291',
    'POSTGRES_PASSWORD': 'xpo-Pg-Hq3wL8mZc6Rt',
    'MEXC_API_KEY': 'mx0vglXPOSTUCKr4T8wQ1',
    'MEXC_API_SECRET': 'f07a3c9e1d5b48a2b6e0c4d8a1f3e5b7',
}

PS_NATIVE_ERR = """docker : Warning: Using a password with '-a' or '-u' option on the command line interface may not be safe.
At line:1 char:1
+ docker exec cdb_redis redis-cli -a {pw} PUBSUB NUMSUB market_ ...
+ ~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~
    + CategoryInfo          : NotSpecified: (Warning: Using ...may not be safe.:String) [], RemoteException
    + FullyQualifiedErrorId : NativeCommandError
 
"""


DAILY_CHECK_RISK_PARAMS = [('MAX_POSITION_PCT', 0.10), ('MAX_DAILY_DRAWDOWN_PCT', 0.05), ('MAX_TOTAL_EXPOSURE_PCT', 0.30),
                           ('CIRCUIT_BREAKER_THRESHOLD_PCT', 0.10)]


def daily_check_md(local: str, ps_stdout: str, snap: dict, stats: tuple[int, int, int, int], env: dict[str, str],
                   disk: tuple[int, int], backups: list[tuple[str, int, str]]) -> bytes:
    """`backoffice/scripts/daily_check.py` run by hand on the Windows host (§6.2), re-enacted line by line:
    `log()` collects messages (a message may hold newlines), `save_report()` writes the `# Daily Report` /
    `Generated:` / `---` header and then every message + "\n" to logs/daily_reports/report_YYYYMMDD.md with
    open(..., "w", encoding="utf-8"), i.e. CRLF on Windows. `local` is the host's local clock (datetime.now()).
    ps_stdout is `docker compose ps --format table` as subprocess(text=True) decoded it with the ANSI code page;
    snap holds the portfolio_snapshots row as psycopg2 returns it (Decimal, tz-aware datetime); stats =
    (signals today, signals total, trades today, trades total); env = the host environment; disk = (total, free)
    bytes of shutil.disk_usage; backups = (name, size bytes, mtime "%Y-%m-%d %H:%M") of F:/Claire_Backups/*.zip."""
    m = ['# \U0001F4CA Claire de Binare - Daily Check', '\n**Date**: %s\n' % local, '---']
    m += ['\n## 1. Docker Container Status\n', '```', ps_stdout, '```', '\n\u2705 **All containers checked**']
    m += ['\n## 2. Portfolio Summary\n', '| Metric | Value |', '|--------|-------|',
          '| Timestamp | %s |' % snap['timestamp'],
          '| **Total Equity** | **${:,.2f}** |'.format(snap['total_equity']),
          '| Available Balance | ${:,.2f} |'.format(snap['available_balance']),
          '| Daily P&L | ${:,.2f} |'.format(snap['daily_pnl']),
          '| Realized P&L | ${:,.2f} |'.format(snap['total_realized_pnl']),
          '| Unrealized P&L | ${:,.2f} |'.format(snap['total_unrealized_pnl']),
          '| Open Positions | %s |' % snap['open_positions'],
          '| Total Exposure | {:.2%} |'.format(snap['total_exposure_pct'])]
    m.append('\n\u2705 **Daily P&L: Positive**' if snap['daily_pnl'] >= 0 else '\n\u26a0\ufe0f  **Daily P&L: Negative**')
    m += ['\n## 3. Trading Statistics\n', '| Metric | Today | Total |', '|--------|-------|-------|',
          '| Signals | %d | %d |' % stats[:2], '| Trades | %d | %d |' % stats[2:]]
    m += ['\n## 4. Risk Limits\n', '| Parameter | Configured | Status |', '|-----------|------------|--------|']
    for param, expected in DAILY_CHECK_RISK_PARAMS:
        value = env.get(param)
        if value:
            parsed = float(value)
            m.append('| {} | {:.2%} | {} |'.format(param, parsed, '\u2705' if abs(parsed - expected) < 0.001 else '\u26a0\ufe0f'))
        else:
            m.append('| %s | Not set | \u274c |' % param)
    total, free = disk
    free_gb, total_gb, used_pct = free // 1024 ** 3, total // 1024 ** 3, (total - free) / total * 100
    m += ['\n## 5. Disk Space\n', '- **Total**: %d GB' % total_gb, '- **Used**: %.1f%%' % used_pct, '- **Free**: %d GB' % free_gb]
    m.append('\n\u2705 **Sufficient space** (>= 30 GB)' if free_gb >= 30 else '\n\u26a0\ufe0f  **Low disk space** (%d GB < 30 GB)' % free_gb)
    m.append('\n## 6. Backup Status (Last 24h)\n')
    if backups:
        m += ['\u2705 **%d backup(s) in last 24h**\n' % len(backups), 'Recent backups:']
        for name, size, mtime in sorted(backups, reverse=True)[:5]:
            m.append('  - %s (%.2f MB) - %s' % (name, size / 1024 ** 2, mtime))
    else:
        m += ['\u26a0\ufe0f  **No backups in last 24h**', '   Run: `powershell .\\backoffice\\scripts\\backup_postgres.ps1`']
    m += ['\n---\n', '**Report generated**: %s' % local]
    body = '# Daily Report - %s\n\nGenerated: %s\n\n---\n\n' % (local[:10], local) + ''.join(x + '\n' for x in m)
    return body.replace('\n', '\r\n').encode('utf-8')


def risk_status_json(status: dict) -> str:
    """era-A cdb_risk `/status` (`jsonify({**stats, "risk_state": {...}})`: Flask sorts keys, compact, ASCII),
    fetched with `curl -s localhost:8002/status | python3 -m json.tool > file`: json.tool keeps the order and
    re-indents by 4."""
    body = json.dumps(status, sort_keys=True, separators=(',', ':')) + '\n'
    return json.dumps(json.loads(body), indent=4) + '\n'


def sample_exposure_stuck() -> None:
    name = 'exposure-stuck-era-a'
    rng = random.Random(20251205)
    days = ['2025-12-05', '2025-12-06', '2025-12-07']
    sec = S3_SECRETS
    create = E('2025-12-04 09:00:05')       # `docker compose up -d` after an .env edit: every container re-created
    restart = E('2025-12-04 19:30:14.201')  # `docker restart cdb_risk` (the analyst hoped to reset the exposure)
    cap = E('2025-12-08 10:15:00')
    limit = '5000.00'
    exp_before, exp_after = '1714.40', '5120.40'
    syms = ['BTC_USDT', 'ETH_USDT', 'SOL_USDT', 'XRP_USDT', 'DOGE_USDT', 'ADA_USDT', 'AVAX_USDT', 'LINK_USDT', 'SUI_USDT',
            'NEAR_USDT', 'TON_USDT', 'LTC_USDT', 'PEPE_USDT', 'WIF_USDT']

    core, risk, exe = Svc('cdb_core', rng), Svc('cdb_risk', rng), Svc('cdb_execution', rng, 'stderr')
    core_start_a(core, create + 4 * NS, '3.0', '0.0', '172.18.0.6')
    exec_start_a(exe, create + 5 * NS, '172.18.0.8')
    risk_start_a(risk, create + 6 * NS, '172.18.0.7',
                 'Risk-State aus Redis geladen: exposure=%s positions=1 pnl=0.00' % exp_before)

    # signal schedule: (ns, kind) kind = approved | blocked | db_only
    plan: list[tuple[int, str]] = []
    plan += [(E('2025-12-03 11:42:17.208'), 'db_only'), (E('2025-12-03 16:05:51.730'), 'db_only'),
             (E('2025-12-04 07:18:40.118'), 'db_only'), (E('2025-12-04 10:12:07.512'), 'approved')]
    for t in [E('2025-12-04 11:48:02.331'), E('2025-12-04 14:20:37.901'), E('2025-12-04 16:40:11.044'),
              E('2025-12-04 18:55:48.620'), E('2025-12-04 21:03:29.470'), E('2025-12-04 23:11:05.093')]:
        plan.append((t, 'blocked'))
    for d, n in zip(days, [19, 24, 21]):
        day0 = E(d + ' 00:00:00')
        for slot in sorted(rng.sample(range(3, 140), n)):
            plan.append((day0 + slot * 600 * NS + rng.randint(0, 540_000) * MS, 'blocked'))
    for slot in sorted(rng.sample(range(2, 58), 5)):
        plan.append((E('2025-12-08 00:00:00') + slot * 600 * NS + rng.randint(0, 540_000) * MS, 'blocked'))
    plan.sort()

    sig_rows, order_rows, jsonl = [], [], []
    sid, oid_n = 2101, 4187
    for t, kind in plan:
        sym = rng.choice(syms)
        pct = rng.randint(3000, 7200) / 1000
        if kind == 'approved':
            pct = 3.406          # qty 3406.0: exposure 1714.40 + 3406.00 = 5120.40
        conf = round(pct / 10, 4)
        q = float(round(conf * 10000))
        price = SYMS_A[sym] * rng.uniform(0.985, 1.015)
        ts = t // NS
        reason = 'Momentum: +%.2f%% (Schwelle: 3.0%%)' % pct
        sig_rows.append([sid, sym, 'buy', px(price), '%.4f' % conf, pg_ts(ts * NS), 'momentum_strategy', '{}'])
        sid += 1
        sig_evt = {'type': 'signal', 'symbol': sym, 'side': 'BUY', 'signal_type': 'buy', 'confidence': conf, 'reason': reason,
                   'timestamp': ts, 'price': price, 'pct_change': pct, 'source': 'momentum_strategy'}
        if kind in ('db_only', 'approved'):
            fill = round(price * (1 + rng.uniform(0.0001, 0.0012)), 8)
            et = pg_ts(t + 143 * MS + rng.randint(0, 900) * US)
            order_rows.append([oid_n, None, sym, 'buy', 'market', px(price), '%.8f' % q, 'f', None, 'pending', '0.00000000', None,
                               pg_ts(ts * NS), None, None, '{}'])
            order_rows.append([oid_n + 1, None, sym, 'buy', 'market', px(fill), '%.8f' % q, 't', None, 'filled', '%.8f' % q,
                               px(fill), et, et, et, None])
            oid_n += 2
        if kind == 'db_only':
            continue
        core.br(t, 'INFO', 'signal_engine', '✨ Signal generiert: %s BUY @ $%.2f (+%.2f%%, Confidence: %.2f)' % (sym, price, pct, conf))
        risk.br(t + 1 * MS, 'INFO', 'risk_manager', '📨 Signal empfangen: %s BUY' % sym)
        if kind == 'approved':
            oid = mock_hex(rng)
            risk.br(t + 1400 * US, 'INFO', 'risk_manager', '✅ Order freigegeben: %s BUY qty=%.4f' % (sym, q))
            exe.dash(t + 52 * MS, 'INFO', 'Processing order: %s BUY qty=%.4f' % (sym, q))
            exe.dash(t + 129 * MS, 'INFO', 'Order filled: %s at %r' % (oid, fill))
            exe.dash(t + 131 * MS, 'INFO', 'Published result to order_results')
            risk.br(t + 134 * MS, 'INFO', 'risk_manager', 'Order-Result empfangen: %s status=FILLED qty=%.4f' % (oid, q))
            exe.dash(t + 144 * MS, 'INFO', 'Saved order to database: %s' % oid)
            exe.dash(t + 148 * MS, 'INFO', 'Saved trade to database: %s' % oid)
            continue
        msg = 'Max Exposure erreicht: %s >= %s' % (exp_after, limit)
        risk.br(t + 1400 * US, 'WARNING', 'risk_manager', 'Alert: [WARNING] RISK_LIMIT: ' + msg)
        risk.br(t + 1500 * US, 'WARNING', 'risk_manager', '⚠️ ' + msg)
        if in_block(t, days):
            jsonl.append((t + 2 * MS + rng.randint(0, 900) * US, 'signals', sig_evt))
            jsonl.append((t + 3 * MS + rng.randint(0, 900) * US, 'alerts',
                          {'type': 'alert', 'level': 'WARNING', 'code': 'RISK_LIMIT', 'message': msg,
                           'context': {'signal': sym}, 'timestamp': ts}))

    # the restart: POSIX signal 15, then a fresh start that restores the stuck exposure from Redis
    risk.br(restart, 'INFO', 'risk_manager', 'Signal empfangen: 15')
    risk.br(restart + 2 * MS, 'INFO', 'risk_manager', 'Risk-Manager gestoppt ✓')
    restart_up = restart + 2 * NS + 113 * MS   # the new process: banner line 6 (`🚀 Risk-Manager gestartet`) at +1.5 ms
    risk_start_a(risk, restart_up, '172.18.0.7', 'Risk-State aus Redis geladen: exposure=%s positions=2 pnl=0.00' % exp_after)

    for svc, off, fn in [(core, 19, poll_br), (risk, 44, poll_br)]:
        for t in schedule(rng, create + off * NS, cap, 900, 900):
            if svc is risk and restart <= t < restart + 3 * NS:
                continue
            fn(svc, t)
    for t in schedule(rng, create + 35 * NS, cap, 900, 900):
        poll_dash(exe, t)

    # paper-runner event log: one line per message on its five channels (market_data thinned)
    for d in days:
        t = E(d + ' 00:00:00') + rng.randint(1, 200_000) * US
        while ymd(t) == d:
            sym = rng.choice(syms)
            jsonl.append((t, 'market_data', json.loads(md_a(rng, t, sym))))
            t += rng.randint(180, 420) * NS + rng.randint(0, 999_999) * US
    jsonl.sort(key=lambda x: x[0])
    md_count = sum(1 for e in jsonl if e[1] == 'market_data')

    b = Bundle(name)
    b.add('.env', """# Claire de Binare .env  (edited 2025-12-04: new exposure limit 30%)
REDIS_HOST=cdb_redis
REDIS_PORT=6379
REDIS_PASSWORD={REDIS_PASSWORD}
POSTGRES_HOST=cdb_postgres
POSTGRES_PORT=5432
POSTGRES_DB=claire_de_binare
POSTGRES_USER=claire_user
POSTGRES_PASSWORD={POSTGRES_PASSWORD}

SIGNAL_THRESHOLD_PCT=3.0
SIGNAL_MIN_VOLUME=0

MAX_POSITION_PCT=0.10
MAX_TOTAL_EXPOSURE_PCT=0.30
MAX_DAILY_DRAWDOWN_PCT=0.05
STOP_LOSS_PCT=0.02
TEST_BALANCE=10000

MOCK_TRADING=true
DRY_RUN=true
MEXC_API_KEY={MEXC_API_KEY}
MEXC_API_SECRET={MEXC_API_SECRET}
PAPER_TRADING_DURATION_DAYS=14
LOG_LEVEL=INFO
""".format(**sec), 'config')
    b.add('db/signals.csv', psql_csv(SIGNALS_COLS, sig_rows), 'db-dump')
    b.add('db/orders.csv', psql_csv(ORDERS_A_COLS, order_rows), 'db-dump')
    # PowerShell 5.1:  docker logs -t cdb_risk > risk.log   (risk logs to stdout)
    b.add('logs/risk.log', ps51(text(docker_logs(risk))), 'container-log')
    b.add('logs/core.txt', text(docker_logs(core)), 'container-log')
    # bash:  docker logs -t cdb_execution > exec_stdout.txt   (stdout only: execution logs to stderr)
    b.add('logs/exec_stdout.txt', text(docker_logs(exe, streams=('stdout',))), 'container-log')
    for d in days:
        lines = [json.dumps({'timestamp': iso_us(t), 'channel': ch, 'event': ev}) for t, ch, ev in jsonl if ymd(t) == d]
        fn = 'logs/events/events_%s.jsonl' % d.replace('-', '')
        data = text(lines).encode('utf-8')
        if d == days[0]:   # the analyst gzipped the first day
            buf = io.BytesIO()
            with gzip.GzipFile(filename='events_%s.jsonl' % d.replace('-', ''), mode='wb', fileobj=buf, mtime=E(d + ' 23:59:59') // NS + 1) as gz:
                gz.write(data)
            b.add(fn + '.gz', buf.getvalue(), 'redis')
        else:
            b.add(fn, data, 'redis')
    b.add('redis/pubsub_numsub.txt', ps51(PS_NATIVE_ERR.format(pw=sec['REDIS_PASSWORD']) +
                                          'market_data\n2\nsignals\n3\norders\n3\norder_results\n3\nalerts\n1\n'), 'redis')
    names = ['cdb_redis', 'cdb_postgres', 'cdb_prometheus', 'cdb_grafana', 'cdb_ws', 'cdb_core', 'cdb_risk', 'cdb_execution',
             'cdb_db_writer', 'cdb_paper_runner']
    b.add('ps/compose_ps.txt', compose_ps_table(ps_rows(names, 'claire_de_binare', create, cap + 40 * NS,
                                                        started={'cdb_risk': restart + 2 * NS},
                                                        health={'cdb_paper_runner': 'unhealthy'})), 'containers')

    # ---- four more evidence formats. Fixed values only (no rng call), so every file above keeps its bytes.
    # (1) daily_check.py on the Windows host, Sat 2025-12-06 21:40:12 CET = 20:40:12 UTC. The analyst had loaded
    # the .env into the PowerShell session (so MAX_POSITION_PCT, MAX_TOTAL_EXPOSURE_PCT, ... are set) and set
    # POSTGRES_HOST=localhost (the .env says cdb_postgres, which the host cannot resolve).
    dc_local = '2025-12-06 21:40:12'
    dc_utc = E(dc_local) - 3600 * NS
    first_sid = 2101                                   # ids 1..2100: signals before the export window
    sig_le = [r for r in sig_rows if E(r[5][:19]) <= dc_utc]
    dc_sig_today = sum(1 for r in sig_le if r[5][:10] == ymd(dc_utc))
    dc_sig_total = first_sid - 1 + len(sig_le)
    assert dc_sig_total == sig_le[-1][0]              # contiguous ids: COUNT(*) = the highest id so far
    dc_trades_total = 3984   # no trades export: 4194 order rows = 2097 executions (two writers), ~5 % mock rejections
    assert not any(r[9] == 'filled' and r[12][:10] == ymd(dc_utc) for r in order_rows)   # Trades Today = 0
    db_init = E('2025-11-16 09:12:40.551873')        # portfolio_snapshots seed row (never updated in era A)
    snap = {'timestamp': D(db_init).replace(tzinfo=UTC), 'total_equity': Decimal('100000.00000000'),
            'available_balance': Decimal('100000.00000000'), 'daily_pnl': Decimal('0.00000000'),
            'total_realized_pnl': Decimal('0.00000000'), 'total_unrealized_pnl': Decimal('0.00000000'), 'open_positions': 0,
            'total_exposure_pct': Decimal('0.0000')}
    host_env = {'POSTGRES_HOST': 'localhost', 'POSTGRES_PORT': '5432', 'POSTGRES_DB': 'claire_de_binare', 'POSTGRES_USER': 'claire_user',
                'MAX_POSITION_PCT': '0.10', 'MAX_TOTAL_EXPOSURE_PCT': '0.30', 'MAX_DAILY_DRAWDOWN_PCT': '0.05',
                'STOP_LOSS_PCT': '0.02', 'TEST_BALANCE': '10000'}
    dc_ps = compose_ps_table(ps_rows(names, 'claire_de_binare', create, dc_utc, started={'cdb_risk': restart + 2 * NS},
                                     health={'cdb_paper_runner': 'unhealthy'}))
    dc_ps = dc_ps.encode('utf-8').decode('cp1252')     # subprocess(text=True) on a German Windows: `…` -> `â€¦`
    b.add('notes/daily_check_2025-12-06.md',
          daily_check_md(dc_local, dc_ps, snap, (dc_sig_today, dc_sig_total, 0, dc_trades_total), host_env,
                         (511_101_108_224, 143_294_586_880), [('claire_de_binare_20251206_030001.zip', 15_330_117, '2025-12-06 03:00')]),
          'report')
    # (2) psql in `docker exec -it cdb_postgres psql -U claire_user -d claire_de_binare`, pasted into the notes
    st_count: dict[str, int] = {}
    for r in order_rows:
        st_count[r[9]] = st_count.get(r[9], 0) + 1
    last_created = max(order_rows, key=lambda r: r[12])[12]
    b.add('notes/orders_by_status.txt', text(
        psql_aligned('SELECT status, COUNT(*) FROM orders GROUP BY 1 ORDER BY 1;', ['status', 'count'],
                     [[k, str(st_count[k])] for k in sorted(st_count)], [False, True]) +
        psql_aligned('SELECT MAX(created_at) FROM orders;', ['max'], [[last_created]], [False]))[:-1], 'db-dump')
    # (3) cdb_risk /status, fetched while the bundle was collected; counters since the process start at the restart
    st_at = E('2025-12-08 10:13:52')
    since = [t for t, k in plan if k == 'blocked' and restart_up < t < st_at]
    assert since and max(t for t, _ in plan) < st_at
    started_at = D(restart_up + 1500 * US - 29 * US).replace(tzinfo=None).isoformat()   # stats["started_at"] = datetime.now(), just before the banner
    status = {'started_at': started_at, 'signals_received': len(since), 'orders_approved': 0, 'orders_blocked': len(since),
              'alerts_generated': len(since), 'order_results_received': 0, 'orders_rejected_execution': 0,
              'last_order_result': None, 'status': 'running',
              'risk_state': {'total_exposure': 5120.4, 'daily_pnl': 0.0, 'open_positions': 2, 'circuit_breaker': False,
                             'positions': {'DOGE_USDT': 1714.4, 'LTC_USDT': 3406.0}, 'pending_orders': 0}}
    b.add('status/risk_status.json', risk_status_json(status), 'containers')
    # (4) redis-cli SUBSCRIBE alerts in a terminal on Fri 2025-12-05, left open 05:47:21..06:04:52 UTC: exactly the
    # alerts the paper runner logged in that window (the JSONL keeps the event as published)
    sub0, sub1 = E('2025-12-05 05:47:21'), E('2025-12-05 06:04:52')
    tty_msgs = [(t, 'alerts', pyjson(ev)) for t, ch, ev in jsonl if ch == 'alerts' and sub0 < t < sub1]
    assert len(tty_msgs) == 3
    b.add('redis/subscribe_alerts_tty.txt', subscribe_tty(['alerts'], tty_msgs), 'redis')
    b.write_dir()

    blk = [t for t, k in plan if k == 'blocked' and in_block(t, days)]
    nb = len(blk)
    R = "iconv -f UTF-16 -t UTF-8 exposure-stuck-era-a/logs/risk.log | tr -d '\\r' | grep -E '^2025-12-0[5-7]T'"
    J = "( zcat exposure-stuck-era-a/logs/events/events_20251205.jsonl.gz; cat exposure-stuck-era-a/logs/events/events_20251206.jsonl exposure-stuck-era-a/logs/events/events_20251207.jsonl )"
    DC, OBS = 'exposure-stuck-era-a/notes/daily_check_2025-12-06.md', 'exposure-stuck-era-a/notes/orders_by_status.txt'
    RS, TTY = 'exposure-stuck-era-a/status/risk_status.json', 'exposure-stuck-era-a/redis/subscribe_alerts_tty.txt'
    SIG, ORD = 'exposure-stuck-era-a/db/signals.csv', 'exposure-stuck-era-a/db/orders.csv'
    exp = {
        'description': 'Era A, real dialect. cdb_risk blocks every signal with "Max Exposure erreicht: 5120.40 >= 5000.00": '
                       'the exposure reached the limit on 2025-12-04 and the restart at 19:30 restored it from Redis '
                       '(Risk-State aus Redis geladen: exposure=5120.40). The .env sets MAX_TOTAL_EXPOSURE_PCT=0.30, which era A '
                       'ignores; MAX_EXPOSURE_PCT is absent, so the startup banner prints the default "Max Exposure: 50.0%" '
                       '(limit = TEST_BALANCE 10000 x 0.50 = 5000.00).',
        'incident': 'risk rejects everything (exposure state never reset; limit variable name not read by era A)',
        'era': 'A', 'dialect': 'real',
        'block': {'from': days[0], 'to': days[-1]},
        'archive': None,
        'files': b.file_table(),
        'encodings': {'logs/risk.log': 'UTF-16LE with BOM, CRLF (Windows PowerShell 5.1 redirect), emoji/✓ as cp850 mojibake',
                      'redis/pubsub_numsub.txt': 'UTF-16LE with BOM, CRLF; starts with the PowerShell NativeCommandError wrapper (6 lines + 1 blank)',
                      'logs/events/events_20251205.jsonl.gz': 'gzip',
                      'notes/daily_check_2025-12-06.md': 'UTF-8 without BOM, emoji; CRLF (daily_check.py writes in text mode on '
                                                         'Windows); inside the compose ps fence `…` reads `â€¦` (subprocess decoded '
                                                         'docker\'s UTF-8 with cp1252)',
                      'redis/subscribe_alerts_tty.txt': 'redis-cli TTY form (numbered replies, sdscatrepr quoting: \\" and \\xHH)'},
        'counts': {'market_data_events': md_count, 'signals': nb, 'signals_per_day': per_day(blk, days), 'risk_approved': 0,
                   'risk_rejected': nb, 'orders': 0, 'trades': 0, 'persisted_trades': None},
        'counts_raw': {'orders_rows': 0, 'trades_rows': None},
        'break_layer': 'risk',
        'top_hypothesis': {'layer': 'risk', 'keywords': ['exposure']},
        'secondary_findings': ['MAX_TOTAL_EXPOSURE_PCT=0.30 is set but era A reads only MAX_EXPOSURE_PCT (startup shows Max Exposure: 50.0%)',
                               'cdb_risk restarted 2025-12-04 19:30 (second startup banner; compose ps: Up 3 days vs created 4 days ago)',
                               'exec_stdout.txt holds stdout only (2 Flask lines): execution logs to stderr, the file proves nothing'],
        'notes': [
            'notes/daily_check_2025-12-06.md: backoffice/scripts/daily_check.py run on the Windows host at %s local (CET) = '
            '%s UTC. Header, Generated:, **Date** and **Report generated** use the host clock; "Today" is the DB\'s UTC '
            'CURRENT_DATE (2025-12-06). Signals Today %d = rows of db/signals.csv dated 2025-12-06 with timestamp <= %s; '
            'Signals Total %d = COUNT(*) at that moment = the highest id so far (ids are contiguous from 1; the export starts '
            'at id %d). Trades Today 0: no fill after 2025-12-04 10:12 (db/orders.csv). Trades Total %d is not in the bundle '
            '(no trades export); it was set from the orders ids: 4194 order rows by then = 2097 executions (two writers), '
            'about 5 %% mock rejections -> 1992 fills -> 3984 trade rows (two writers). Portfolio = the seed row (nothing '
            'publishes snapshots in era A), so Total Exposure 0.00%% while risk holds 5120.40 in Redis.'
            % (dc_local, hms(dc_utc), dc_sig_today, hms(dc_utc), dc_sig_total, first_sid, dc_trades_total),
            'daily_check.py Risk Limits reads the HOST environment (the analyst had loaded the .env into PowerShell and set '
            'POSTGRES_HOST=localhost) and checks MAX_POSITION_PCT, MAX_DAILY_DRAWDOWN_PCT, MAX_TOTAL_EXPOSURE_PCT and '
            'CIRCUIT_BREAKER_THRESHOLD_PCT, not MAX_EXPOSURE_PCT: it shows MAX_TOTAL_EXPOSURE_PCT 30.00% with a check mark '
            '(a variable era A ignores) and CIRCUIT_BREAKER_THRESHOLD_PCT Not set (read by no service). Neither says what '
            'cdb_risk uses (startup banner: Max Exposure: 50.0%).',
            'notes/orders_by_status.txt: two psql queries pasted from an interactive session (docker exec -it cdb_postgres psql '
            '-U claire_user -d claire_de_binare, session TimeZone UTC); counts equal db/orders.csv by status (%s) and '
            'MAX(created_at) is its last row: no order since 2025-12-04 10:12.'
            % ', '.join('%s %d' % (k, st_count[k]) for k in sorted(st_count)),
            'status/risk_status.json: cdb_risk GET /status at %s UTC (curl | python3 -m json.tool; Flask sorted the keys). '
            'Its counters count since the process start at the restart (started_at %s, the second startup banner in '
            'logs/risk.log at 2025-12-04 19:30:16): %d signals received and blocked = every `Signal empfangen: <SYM> BUY` in '
            'risk.log after the restart (2 on 2025-12-04, %d in the block, %d on 2025-12-08), not the block count. '
            'risk_state was restored from Redis (total_exposure 5120.4 = positions 1714.4 + 3406.0, the LTC_USDT fill of '
            '2025-12-04 10:12 on top of the 1714.40 loaded at 09:00; the symbol of that older position is not in the bundle). '
            'The real service also returns risk_state.signals_approved/signals_blocked/last_prices; they are left out here '
            'because the bundle has no value for them (last_prices x qty would not give the notional exposure of this model).'
            % (hms(st_at), started_at, len(since), sum(1 for t in since if in_block(t, days)),
               sum(1 for t in since if ymd(t) == '2025-12-08')),
            'redis/subscribe_alerts_tty.txt: redis-cli SUBSCRIBE alerts in a terminal (redis-cli 7.0, command-line mode, TTY '
            'form), left open %s..%s UTC on 2025-12-05 and copied from the terminal: the %d RISK_LIMIT alerts published in that '
            'window, byte for byte the events the paper runner logged (events_20251205.jsonl.gz). Alerts come at most one per '
            'signal, >= 200 s apart in this block, so a 30 s capture would hold at most one.'
            % (hms(sub0)[11:], hms(sub1)[11:], len(tty_msgs)),
        ],
        'secrets': sorted(set(sec.values())),
        'how': {
            'market_data_events': J + " | grep -c '\"channel\": \"market_data\"'",
            'signals': "awk -F, 'NR>1 && substr($6,1,10)>=\"2025-12-05\" && substr($6,1,10)<=\"2025-12-07\"' exposure-stuck-era-a/db/signals.csv | wc -l",
            'signals_per_day': "awk -F, 'NR>1 && substr($6,1,10)>=\"2025-12-05\" && substr($6,1,10)<=\"2025-12-07\"{print substr($6,1,10)}' exposure-stuck-era-a/db/signals.csv | sort | uniq -c | awk '{print $2, $1}'",
            'risk_approved': R + " | grep -c 'Order freigegeben:' || true",
            'risk_rejected': R + " | grep -c 'Alert: \\[WARNING\\] RISK_LIMIT: Max Exposure erreicht: 5120.40 >= 5000.00'",
            'orders': "awk -F, 'NR>1 && substr($13,1,10)>=\"2025-12-05\"' exposure-stuck-era-a/db/orders.csv | wc -l",
            'trades': J + " | grep -c '\"channel\": \"order_results\"' || true",
            'orders_rows': "awk -F, 'NR>1 && substr($13,1,10)>=\"2025-12-05\"' exposure-stuck-era-a/db/orders.csv | wc -l",
        },
        'checks': [
            {'what': 'risk log: Signal empfangen (trade signals, not POSIX 15) in the block', 'expect': nb,
             'cmd': R + " | grep -c 'Signal empfangen: [A-Z0-9]*_USDT BUY'"},
            {'what': 'paper-runner JSONL: one RISK_LIMIT alert per blocked signal', 'expect': nb,
             'cmd': J + " | grep -c '\"code\": \"RISK_LIMIT\"'"},
            {'what': 'core log: generated signals in the block', 'expect': nb,
             'cmd': "grep -E '^2025-12-0[5-7]T' exposure-stuck-era-a/logs/core.txt | grep -c 'Signal generiert:'"},
            {'what': 'risk startups (banner) in risk.log = 2 (one restart)', 'expect': 2,
             'cmd': "iconv -f UTF-16 -t UTF-8 exposure-stuck-era-a/logs/risk.log | grep -c 'Risk-Manager gestartet'"},
            {'what': 'state restored with the stuck exposure after the restart', 'expect': 1,
             'cmd': "iconv -f UTF-16 -t UTF-8 exposure-stuck-era-a/logs/risk.log | grep -c 'Risk-State aus Redis geladen: exposure=5120.40'"},
            {'what': 'startup prints the default exposure limit', 'expect': 2,
             'cmd': "iconv -f UTF-16 -t UTF-8 exposure-stuck-era-a/logs/risk.log | grep -c 'Max Exposure: 50.0%'"},
            {'what': '.env has MAX_TOTAL_EXPOSURE_PCT but not MAX_EXPOSURE_PCT', 'expect': '1 0',
             'cmd': "echo $(grep -c '^MAX_TOTAL_EXPOSURE_PCT=' exposure-stuck-era-a/.env) $(grep -c '^MAX_EXPOSURE_PCT=' exposure-stuck-era-a/.env || true)"},
            {'what': 'last order row created before the block', 'expect': '2025-12-04',
             'cmd': "tail -1 exposure-stuck-era-a/db/orders.csv | cut -d, -f13 | cut -c1-10"},
            # ---- notes/daily_check_2025-12-06.md
            {'what': 'daily_check: sections 1-6 in order', 'expect': '123456',
             'cmd': "tr -d '\\r' < %s | grep -E '^## [0-9]\\. ' | cut -c4 | tr -d '\\n'" % DC},
            {'what': 'daily_check: Trading Statistics Signals row (today, total)', 'expect': '%d %d' % (dc_sig_today, dc_sig_total),
             'cmd': "tr -d '\\r' < %s | grep '^| Signals |' | awk -F'|' '{gsub(/ /,\"\"); print $3, $4}'" % DC},
            {'what': 'db/signals.csv at the report time: rows of the UTC day so far, highest id so far',
             'expect': '%d %d' % (dc_sig_today, dc_sig_total),
             'cmd': "echo $(awk -F, 'NR>1 && substr($6,1,10)==\"%s\" && substr($6,1,19)<=\"%s\"' %s | wc -l) "
                    "$(awk -F, 'NR>1 && substr($6,1,19)<=\"%s\"{m=$1} END{print m}' %s)" % (ymd(dc_utc), hms(dc_utc), SIG, hms(dc_utc), SIG)},
            {'what': 'db/signals.csv ids are contiguous (so COUNT(*) = highest id)', 'expect': 0,
             'cmd': "awk -F, 'NR>2 && $1!=p+1{n++} NR>1{p=$1} END{print n+0}' %s" % SIG},
            {'what': 'daily_check: Trades row (today, total)', 'expect': '0 %d' % dc_trades_total,
             'cmd': "tr -d '\\r' < %s | grep '^| Trades |' | awk -F'|' '{gsub(/ /,\"\"); print $3, $4}'" % DC},
            {'what': 'db/orders.csv: no fill on the report day (Trades Today 0)', 'expect': 0,
             'cmd': "awk -F, 'NR>1 && $10==\"filled\" && substr($13,1,10)==\"%s\"' %s | wc -l" % (ymd(dc_utc), ORD)},
            {'what': 'daily_check: risk limits mirror the .env in the host env (MAX_TOTAL_EXPOSURE_PCT ok, no MAX_EXPOSURE_PCT row)',
             'expect': '1 1 0',
             'cmd': "echo $(grep -c '^| MAX_TOTAL_EXPOSURE_PCT | 30.00%% | ✅ |' %s) $(grep -c '^| CIRCUIT_BREAKER_THRESHOLD_PCT | Not set | ❌ |' %s) "
                    "$(grep -c 'MAX_EXPOSURE_PCT' %s || true)" % (DC, DC, DC)},
            {'what': 'daily_check: the portfolio is the seed row', 'expect': '| Total Exposure | 0.00% |',
             'cmd': "tr -d '\\r' < %s | grep '^| Total Exposure |'" % DC},
            # ---- notes/orders_by_status.txt
            {'what': 'psql paste: every table has as many rows as its (N rows) footer', 'expect': 'ok ok',
             'cmd': "awk '/^-+(\\+-+)*$/{f=1;n=0;next} f && /^\\([0-9]+ rows?\\)$/{v=$0; gsub(/[^0-9]/,\"\",v); print (n==v+0)?\"ok\":\"bad\"; f=0; next} f{n++}' %s | tr '\\n' ' ' | sed 's/ $//'" % OBS},
            {'what': 'psql paste: status counts equal db/orders.csv', 'expect': 'same',
             'cmd': "diff <(awk -F, 'NR>1{n[$10]++} END{for(s in n) print s, n[s]}' %s | sort) "
                    "<(awk -F'|' '/^-+\\+-+$/{f=1;next} /^\\([0-9]+ rows?\\)$/{f=0} f{gsub(/ /,\"\"); print $1, $2}' %s | sort) && echo same" % (ORD, OBS)},
            {'what': 'psql paste: MAX(created_at) = last row of db/orders.csv', 'expect': 'same',
             'cmd': "[ \"$(grep -A2 '^ *max *$' %s | tail -1 | sed 's/^ //')\" = \"$(tail -1 %s | cut -d, -f13)\" ] && echo same" % (OBS, ORD)},
            # ---- status/risk_status.json
            {'what': '/status counters (received approved blocked alerts)', 'expect': '%d 0 %d %d' % (len(since), len(since), len(since)),
             'cmd': "jq -r '[.signals_received, .orders_approved, .orders_blocked, .alerts_generated] | map(tostring) | join(\" \")' %s" % RS},
            {'what': 'risk.log: trade signals received after the restart, up to the /status call', 'expect': len(since),
             'cmd': "iconv -f UTF-16 -t UTF-8 exposure-stuck-era-a/logs/risk.log | tr -d '\\r' | awk '$1 > \"2025-12-04T19:30:16\" && $1 < \"%s\"' "
                    "| grep -c 'Signal empfangen: [A-Z0-9]*_USDT BUY'" % rfc9(st_at)[:19]},
            {'what': '/status started_at is the second startup in risk.log (same second)', 'expect': 'same',
             'cmd': "[ \"$(jq -r .started_at %s | cut -c1-19 | tr T ' ')\" = \"$(iconv -f UTF-16 -t UTF-8 exposure-stuck-era-a/logs/risk.log | tr -d '\\r' "
                    "| grep 'Risk-Manager gestartet' | tail -1 | cut -d' ' -f2,3 | cut -c1-19)\" ] && echo same" % RS},
            {'what': '/status risk_state: total_exposure, sum of positions, open positions, circuit breaker', 'expect': '5120.4 5120.4 2 false',
             'cmd': "jq -r '[.risk_state.total_exposure, ([.risk_state.positions[]] | add), .risk_state.open_positions, .risk_state.circuit_breaker] "
                    "| map(tostring) | join(\" \")' %s" % RS},
            # ---- redis/subscribe_alerts_tty.txt
            {'what': 'TTY capture: message triples', 'expect': len(tty_msgs),
             'cmd': "grep -c '^1) \"message\"$' %s" % TTY},
            {'what': 'TTY capture: lines = banner + 3 per reply (1 subscribe + messages)', 'expect': 1 + 3 * (1 + len(tty_msgs)),
             'cmd': "grep -cE '^(Reading messages\\.\\.\\. \\(press Ctrl-C to quit\\)|[123]\\) .*)$' %s" % TTY},
            {'what': 'TTY capture: each payload, unescaped, is an alert event of the paper-runner JSONL (byte for byte)',
             'expect': ' '.join(['1'] * len(tty_msgs)),
             'cmd': "grep '^3) \"{' %s | sed -E 's/^3\\) \"(.*)\"$/\\1/; s/\\\\\"/\"/g' | while IFS= read -r p; do "
                    "zcat exposure-stuck-era-a/logs/events/events_20251205.jsonl.gz | grep '\"channel\": \"alerts\"' | grep -cF \"\\\"event\\\": $p}\"; done | tr '\\n' ' ' | sed 's/ $//'" % TTY},
            {'what': 'the four added files plant no secret', 'expect': 0,
             'cmd': "cat %s %s %s %s | grep -cF %s || true" % (DC, OBS, RS, TTY, ' '.join("-e '%s'" % v for v in sorted(set(sec.values()))))},
        ],
    }
    write_expected(name, exp)


# ============================================================================================
# era-B startup catalog
# ============================================================================================


def ws_start_b(svc: Svc, ns: int, mode: str, ip: str) -> None:
    svc.wsb(ns, 'INFO', '=' * 60)
    svc.wsb(ns + 100 * US, 'INFO', 'WEBSOCKET SERVICE - MODE: %s' % mode)
    svc.wsb(ns + 200 * US, 'INFO', '=' * 60)
    if mode == 'stub':
        svc.wsb(ns + 1 * MS, 'INFO', 'STUB mode: No external WS connections')
    else:
        svc.wsb(ns + 1 * MS, 'INFO', 'MEXC Protobuf mode: Starting WS client')
        svc.wsb(ns + 9 * MS, 'INFO', 'Redis connected: cdb_redis:6379')
        svc.wsb(ns + 10 * MS, 'INFO', 'Starting MEXC WS client: symbol=BTCUSDT, interval=100ms')
        svc.wsb(ns + 11 * MS, 'INFO', '[ws] connecting to wss://wbs-api.mexc.com/ws')
        svc.wsb(ns + 412 * MS, 'INFO', '[ws] connected')
        svc.wsb(ns + 413 * MS, 'INFO', '[ws] subscribe -> spot@public.aggre.deals.v3.api.pb@100ms@BTCUSDT')
    flask_banner(svc, ns + 500 * MS, 'service', 8000, ip, fmt='wsb')


def signal_start_b(svc: Svc, ns: int, ip: str) -> None:
    for i, m in enumerate(['Config validiert ✓', 'Redis verbunden: cdb_redis:6379', 'PriceBuffer initialized (max_history=100)',
                           'Subscribed zu Topic: market_data', 'Health-Check: http://0.0.0.0:8005/health', '🚀 Signal-Engine gestartet',
                           '   Schwelle: 0.005%', '   Lookback: 15min', '   Min. Volume: 0.0']):
        svc.br(ns + i * 300 * US, 'INFO', 'signal_engine', m)
    flask_banner(svc, ns + 5 * MS, 'service', 8005, ip)


def risk_start_b(svc: Svc, ns: int, ip: str) -> None:
    for i, m in enumerate(['Config validiert ✓', 'Redis verbunden: cdb_redis:6379', 'Subscribed zu Topic: signals',
                           'Subscribed zu Order-Result Topic: order_results', '🚀 Risk-Manager gestartet', '   Max Position: 10.0%',
                           '   Max Exposure: 30.0%', '   Max Drawdown: 5.0%', '   Stop-Loss: 2.0%',
                           'Order-Result Listener Thread gestartet', 'Regime-Stream Listener Thread gestartet',
                           'Allocation-Stream Listener Thread gestartet', 'Shutdown-Stream Listener Thread gestartet',
                           'Bootstrap allocation: strategy_id=paper allocation_pct=0.0200']):
        svc.br(ns + i * 300 * US, 'INFO', 'risk_manager', m)
    flask_banner(svc, ns + 6 * MS, 'service', 8002, ip)


def exec_start_b(svc: Svc, ns: int, ip: str) -> None:
    for i, m in enumerate(['Starting execution_service v0.1.0', 'Port: 8003', 'Mode: MOCK',
                           'Trading config: TRADING_MODE=paper DRY_RUN=True MOCK_TRADING=True',
                           'Connected to Redis at cdb_redis:6379', 'Subscribed to topic: orders',
                           '🟢 Using MockExecutor (Paper Trading Mode)', 'Database initialized', 'Message loop started',
                           'Starting message loop...', 'Bot-shutdown listener started']):
        svc.dash(ns + i * 2 * MS, 'INFO', m)
    flask_banner(svc, ns + 30 * MS, 'service', 8003, ip, fmt='dash')


def dbw_start_b(svc: Svc, ns: int, pg_ok: bool = True) -> None:
    msgs = ['Redis password loaded: Yes', 'Starting DB Writer Service...', 'Metrics server listening on :8010',
            'Connected to Redis at cdb_redis:6379']
    for i, m in enumerate(msgs):
        svc.br(ns + i * 3 * MS, 'INFO', 'db_writer', m)
    t = ns + 14 * MS
    if not pg_ok:
        svc.br(t, 'ERROR', 'db_writer', 'Failed to connect to PostgreSQL: connection to server at "cdb_postgres" (172.18.0.3), '
                                        'port 5432 failed: Connection refused\n\tIs the server running on that host and accepting '
                                        'TCP/IP connections?\n')
        return
    for i, m in enumerate(['Connected to PostgreSQL at cdb_postgres:5432/claire_de_binare',
                           'Subscribed to channels: signals, orders, order_results, portfolio_snapshots', 'DB Writer Service started ✅',
                           'Listening for events...']):
        svc.br(t + i * 3 * MS, 'INFO', 'db_writer', m)


def side_service_start_b(svc: Svc, ns: int, logger: str, msgs: list[str], port: int, ip: str) -> None:
    for i, m in enumerate(msgs):
        svc.br(ns + i * 400 * US, 'INFO', logger, m)
    flask_banner(svc, ns + 4 * MS, 'service', port, ip)


def libpq_line1(query: str, token: str) -> tuple[str, str]:
    """libpq's error position display (`LINE 1: ...` + caret), truncated at 60 columns."""
    pos = query.index(token)
    shown = query if len(query) <= 60 else query[:60] + '...'
    return 'LINE 1: ' + shown, ' ' * (len('LINE 1: ') + pos) + '^'


# ============================================================================================
# 4. persistence-era-b.zip
# ============================================================================================

S4_SECRETS = {
    'REDIS_PASSWORD': 'prsB-redis-Hk2Tq9Vw7Xz4',
    'POSTGRES_PASSWORD': 'prsB-pg-Jm5Rc8Ld3Wn6',
    'GRAFANA_PASSWORD': 'prsB-graf-Yb6Pe1',
}

EXEC_TRADE_SQL = ("INSERT INTO trades (order_id, symbol, side, quantity, price, status, execution_price, fees, timestamp, exchange, "
                  "exchange_trade_id, metadata) VALUES (NULL, 'BTCUSDT', 'buy', 0.0002, {p}, 'filled', {p}, 0.0, '{ts}', 'MEXC', "
                  "'{oid}', '{{\"order_id\": \"{oid}\"}}')")
DBW_TRADE_SQL = ("INSERT INTO trades (symbol, side, quantity, price, status, execution_price, fees, timestamp, exchange, metadata) "
                 "VALUES ('BTCUSDT', 'buy', 0.0002, {p}, 'filled', {p}, 0.0, '{ts}', 'MEXC', '{{}}') RETURNING id")


def sample_persistence_era_b() -> None:
    name = 'persistence-era-b'
    rng = random.Random(20260106)
    days = ['2026-01-06', '2026-01-07', '2026-01-08']
    sec = S4_SECRETS
    db_init = E('2026-01-04 08:00:00.412311')
    deploy = E('2026-01-05 10:00:00')
    since = E('2026-01-06 00:00:00')      # docker compose logs -t --since 2026-01-06T00:00:00Z
    cap = E('2026-01-09 08:04:30')
    mon0 = E('2026-01-07 14:21:55.120377')
    forced_sig = E('2026-01-07 14:22:01.318')

    # ---- signal plan
    times = []
    for t0, t1, n in [(E('2026-01-04 08:30:00'), E('2026-01-04 23:40:00'), 10), (E('2026-01-05 00:10:00'), E('2026-01-05 09:50:00'), 6),
                      (E('2026-01-05 10:20:00'), E('2026-01-05 23:40:00'), 5)]:
        step = (t1 - t0) // n
        times += [t0 + k * step + rng.randint(0, step // NS - 60) * NS + rng.randint(0, 999_999) * US for k in range(n)]
    for d, n in zip(days, [27, 31, 24]):
        day0 = E(d + ' 00:00:00')
        slots = [k for k in range(4, 140) if not (d == '2026-01-07' and k in (85, 86))]
        picked = sorted(rng.sample(slots, n - (1 if d == '2026-01-07' else 0)))
        times += [day0 + k * 600 * NS + rng.randint(0, 540) * NS + rng.randint(0, 999_999) * US for k in picked]
    times.append(forced_sig)
    times += [E('2026-01-09 00:00:00') + k * 4500 * NS + rng.randint(600, 3600) * NS + rng.randint(0, 999_999) * US for k in range(6)]
    times.sort()
    blk_idx = [i for i, t in enumerate(times) if in_block(t, days) and t != forced_sig]
    rejects = set(rng.sample(blk_idx, 4))
    first_new = next(i for i, t in enumerate(times) if t > deploy)
    fail_sig = {first_new + 1, first_new + 3}   # signal persistence failures with a DETAIL line (2026-01-05, before the block)

    redis, pg = Svc('cdb_redis', rng), Svc('cdb_postgres', rng)
    ws, sig, cnd, reg, alc = (Svc('cdb_ws', rng), Svc('cdb_signal', rng), Svc('cdb_candles', rng), Svc('cdb_regime', rng),
                              Svc('cdb_allocation', rng))
    risk, exe, dbw, pr = Svc('cdb_risk', rng), Svc('cdb_execution', rng, 'stderr'), Svc('cdb_db_writer', rng, 'stderr'), Svc('cdb_paper_runner', rng)

    # ---- the deploy at 2026-01-05 10:00: db_writer starts before Postgres accepts connections (RestartCount 2)
    redis_start(redis, deploy + 1 * NS)
    pg_start(pg, deploy + 1 * NS + 200 * MS, deploy - 4 * NS)
    dbw_start_b(dbw, deploy + 2 * NS + 108 * MS, pg_ok=False)
    dbw_start_b(dbw, deploy + 3 * NS + 402 * MS, pg_ok=False)
    dbw_start_b(dbw, deploy + 5 * NS + 771 * MS, pg_ok=True)
    ws_start_b(ws, deploy + 6 * NS, 'mexc_pb', '172.18.0.9')
    signal_start_b(sig, deploy + 6 * NS + 300 * MS, '172.18.0.10')
    side_service_start_b(cnd, deploy + 6 * NS + 350 * MS, 'candle_service', ['Candle-Service gestartet', 'Subscribed zu PubSub channel: market_data'], 8007, '172.18.0.14')
    side_service_start_b(reg, deploy + 6 * NS + 420 * MS, 'regime_service', ['Regime-Service gestartet', 'Bootstrap: Regime set to RANGE'], 8008, '172.18.0.15')
    side_service_start_b(alc, deploy + 6 * NS + 480 * MS, 'allocation_service', ['Allocation-Service gestartet'], 8006, '172.18.0.16')
    risk_start_b(risk, deploy + 6 * NS + 510 * MS, '172.18.0.12')
    exec_start_b(exe, deploy + 6 * NS + 620 * MS, '172.18.0.13')
    pr_start = deploy + 8 * NS + 77_341 * US
    runner_start(pr, pr_start, '172.18.0.17', None)
    runner = Runner(pr, pr_start, 10.3)

    db = {'signals': [], 'orders': [], 'trades': []}
    nxt = {'signals': 4188, 'orders': 8351, 'trades': 7012}
    fills_stream, mon_events = [], []
    fills_by_day, execs = {}, []
    for i, t in enumerate(times):
        ts = t // NS
        rej = i in rejects
        price = round(rng.uniform(91200, 95400), 2)
        pct = rng.randint(51, 240) / 10000
        oid = mock_dec(rng)
        fill = None if rej else round(50000 * (1 + rng.uniform(-0.001, 0.001)), 2)
        sid = 'sig-' + hexid(rng, 32)
        new_code = t >= deploy
        client = 'BTCUSDT-%d' % ts
        reason = 'Momentum: +%.4f%% > 0.005%%' % pct
        sig_payload = {'type': 'signal', 'signal_id': sid, 'strategy_id': 'paper', 'symbol': 'BTCUSDT', 'direction': '', 'strength': 0.0,
                       'timestamp': ts, 'side': 'BUY', 'reason': reason, 'price': price, 'pct_change': pct, 'schema_version': 'v1.0'}
        order_payload = {'type': 'order', 'symbol': 'BTCUSDT', 'side': 'BUY', 'quantity': 0.0002, 'stop_loss_pct': 0.02, 'signal_id': ts,
                         'reason': reason, 'timestamp': ts, 'client_id': client, 'strategy_id': 'paper', 'price': price}
        res = {'type': 'order_result', 'order_id': oid, 'status': 'REJECTED' if rej else 'FILLED', 'symbol': 'BTCUSDT', 'side': 'BUY',
               'quantity': 0.0002, 'filled_quantity': 0.0 if rej else 0.0002, 'timestamp': ts}
        if rej:
            res.update(client_id=client, strategy_id='paper', error_message='Mock rejection: Insufficient liquidity')
        else:
            res.update(price=fill, client_id=client, strategy_id='paper')
        stream_fields = [(k, str(v)) for k, v in res.items()] + [('filled_size', '0.0' if rej else '0.0002')]
        if not rej:
            stream_fields.append(('avg_fill_price', str(fill)))
        fills_stream.append((t + 121 * MS, stream_fields))
        mon_events.append((t, sid, sig_payload, order_payload, res, stream_fields))

        # DB rows (ids are taken in insert order; a failed insert still consumes its sequence value)
        s_id = nxt['signals']
        nxt['signals'] += 1
        if i not in fail_sig:
            db['signals'].append([s_id, 'BTCUSDT', 'buy', px(price), '0.5000', pg_ts(ts * NS), 'signal_engine', '{}'])
        o_twin = nxt['orders']
        db['orders'].append([o_twin, None, None, 'BTCUSDT', 'buy', 'market', px(price), '0.00020000', 'f', None, 'pending',
                             '0.00000000', None, pg_ts(ts * NS), None, None, '{}'])
        t_ord = t + 133 * MS + rng.randint(0, 900) * US
        t_trd = t_ord + 4 * MS + rng.randint(0, 900) * US
        et = pg_ts(t_ord)
        meta = '{"source": "execution_service", "order_id": "%s"}' % oid
        if rej:
            db['orders'].append([o_twin + 1, oid, None, 'BTCUSDT', 'buy', 'market', None, '0.00020000', 'f', None, 'rejected',
                                 '0.00000000', None, et, et, None, meta])
        else:
            db['orders'].append([o_twin + 1, oid, None, 'BTCUSDT', 'buy', 'market', px(fill), '0.00020000', 'f', None, 'filled',
                                 '0.00020000', px(fill), et, et, et, meta])
        nxt['orders'] += 2
        if not rej and not new_code:
            tr = nxt['trades']
            db['trades'].append([tr, None, 'BTCUSDT', 'buy', px(fill), '0.00020000', 'filled', px(fill), None, '0.00000000',
                                 pg_ts(ts * NS), 'MEXC', None, '{}'])
            db['trades'].append([tr + 1, None, 'BTCUSDT', 'buy', px(fill), '0.00020000', 'filled', px(fill), None, '0.00000000',
                                 pg_ts(t_trd), 'MEXC', oid, '{"order_id": "%s"}' % oid])
            nxt['trades'] += 2
        if not rej:
            fills_by_day[ymd(t)] = fills_by_day.get(ymd(t), 0) + 1
        execs.append((t, rej))
        if not new_code:
            continue   # the old containers' logs are gone (re-created at the deploy)

        # ---- logs (new code)
        sig.br(t, 'INFO', 'signal_engine', '✨ Signal generiert: BTCUSDT BUY @ $%.2f (+%.2f%%)' % (price, pct))
        risk.br(t + 1 * MS, 'INFO', 'risk_manager', '📨 Signal empfangen: BTCUSDT BUY')
        risk.br(t + 2 * MS, 'INFO', 'risk_manager', '✅ Order freigegeben: BTCUSDT BUY qty=0.0002')
        if i in fail_sig:
            dbw.br(t + 3 * MS, 'ERROR', 'db_writer', 'Failed to persist signal: null value in column "signal_type" of relation "signals" '
                                                     'violates not-null constraint\nDETAIL:  Failing row contains (%d, BTCUSDT, null, '
                                                     '%s, 0.5000, %s, signal_engine, {}).\n' % (s_id, px(price), pg_ts(ts * NS)))
        else:
            dbw.br(t + 3 * MS, 'INFO', 'db_writer', '✅ Signal persisted: ID=%d, BTCUSDT buy' % s_id)
        dbw.br(t + 4 * MS, 'INFO', 'db_writer', '✅ Order persisted: ID=%d, BTCUSDT BUY' % o_twin)
        exe.dash(t + 41 * MS, 'INFO', 'Processing order: BTCUSDT BUY qty=0.0002')
        if rej:
            exe.dash(t + 118 * MS, 'WARNING', 'Order rejected: %s - Mock rejection: Insufficient liquidity' % oid)
        else:
            exe.dash(t + 118 * MS, 'INFO', 'Order filled: %s at %.2f' % (oid, fill))
        exe.dash(t + 120 * MS, 'INFO', 'Published result to order_results')
        exe.dash(t + 121 * MS, 'INFO', 'Published result to stream stream.fills')
        exe.dash(t + 122 * MS, 'INFO', 'Published result to stream stream.order_results')
        risk.br(t + 124 * MS, 'INFO', 'risk_manager', 'Order-Result empfangen: %s status=%s qty=0.0002' % (oid, res['status']))
        if rej:
            risk.br(t + 125 * MS, 'WARNING', 'risk_manager', 'Alert: [WARNING] EXECUTION_ERROR: Mock rejection: Insufficient liquidity')
            dbw.br(t + 126 * MS, 'INFO', 'db_writer', '⏭️  Skipping rejected order_result: BTCUSDT - not an actual trade')
        else:
            q1 = DBW_TRADE_SQL.format(p=fill, ts=hms(ts * NS))
            l1, c1 = libpq_line1(q1, 'quantity')
            err = 'column "quantity" of relation "trades" does not exist\n%s\n%s\n' % (l1, c1)
            dbw.br(t + 126 * MS, 'ERROR', 'db_writer', 'Failed to persist trade: ' + err +
                   'Traceback (most recent call last):\n  File "/app/db_writer.py", line 268, in persist_trade\n    cursor.execute(\n'
                   'psycopg2.errors.UndefinedColumn: ' + err)
            pg.raw(t + 126 * MS, '%s [187] ERROR:  column "quantity" of relation "trades" does not exist at character %d'
                   % (pg_log_ts(t + 126 * MS), q1.index('quantity') + 1))
            pg.raw(t + 126 * MS + 10 * US, '%s [187] STATEMENT:  %s' % (pg_log_ts(t + 126 * MS), q1))
        exe.dash(t_ord, 'INFO', 'Saved order to database: %s' % oid)
        if rej:
            exe.dash(t_trd, 'INFO', 'Skipping trade save - order not filled: %s' % oid)
        else:
            q2 = EXEC_TRADE_SQL.format(p=fill, ts=hms(t_trd), oid=oid)
            l2, c2 = libpq_line1(q2, 'quantity')
            exe.dash(t_trd, 'ERROR', 'Failed to save trade: column "quantity" of relation "trades" does not exist\n%s\n%s\n' % (l2, c2))
            pg.raw(t_trd, '%s [214] ERROR:  column "quantity" of relation "trades" does not exist at character %d'
                   % (pg_log_ts(t_trd), q2.index('quantity') + 1))
            pg.raw(t_trd + 10 * US, '%s [214] STATEMENT:  %s' % (pg_log_ts(t_trd), q2))

    # ---- background (thinned): polls every 30 min, DEBUG lines now and then
    for svc, off, fn in [(ws, 11, poll_wsb), (sig, 17, poll_br), (cnd, 23, poll_br), (reg, 29, poll_br), (alc, 5, poll_br),
                         (risk, 43, poll_br), (pr, 52, poll_br)]:
        for t in schedule(rng, deploy + off * NS, cap, 1800, 900):
            fn(svc, t)
    for t in schedule(rng, deploy + 36 * NS, cap, 1800, 900):
        poll_dash(exe, t)
    for t in schedule(rng, deploy + 600 * NS, cap, 600, 800):
        ws.wsb(t, 'DEBUG', '[redis] published market_data: BTCUSDT @ %.2f' % rng.uniform(91200, 95400))
    for t in schedule(rng, deploy + 900 * NS, cap, 1200, 900):
        p = rng.uniform(91200, 95400)
        sig.br(t, 'DEBUG', 'signal_engine.price_buffer', 'BTCUSDT: pct_change calculated from price buffer (@ $%.2f → %+.4f%%)'
               % (p, rng.uniform(-0.004, 0.004)))
    for t in schedule(rng, deploy + 1800 * NS, cap, 1800, 0):
        m0 = t // NS // 60 * 60 - 60
        o = rng.uniform(91200, 95400)
        c = o + rng.uniform(-30, 30)
        cnd.br(t + rng.randint(2, 40) * MS, 'INFO', 'candle_service', 'Candle emittiert: BTCUSDT @ %d (O:%.2f H:%.2f L:%.2f C:%.2f V:%.4f)'
               % (m0, o, max(o, c) + rng.uniform(0, 25), min(o, c) - rng.uniform(0, 25), c, rng.uniform(0.5, 9)))
    for i, t in enumerate(schedule(rng, deploy + 3700 * NS, cap, 7200, 60_000)):
        redis_bgsave(redis, t, 60 + i)
    for t in schedule(rng, deploy + 300 * NS, cap, 7200, 1000):
        pg_checkpoint(pg, t, rng)
    runner.events_lines(pr_start, cap, 1800)

    start_day = ymd(pr_start)
    sig_sd = sum(1 for r in db['signals'] if r[5].startswith(start_day))
    tr_sd = sum(1 for r in db['trades'] if r[10].startswith(start_day))
    reports = []
    for d in ['2026-01-06', '2026-01-07', '2026-01-08', '2026-01-09']:
        at = E(d + ' 00:00:00') + rng.randint(20, 60) * MS
        rep = runner.report(at, sig_sd, tr_sd, email=False)
        reports.append({'date': d, 'generated_utc': iso_us(at)[:23] + 'Z', 'signals_today': sig_sd, 'trades_today': tr_sd,
                        'events_logged': rep['events'], 'matching_window': 'c_runner_start_day', 'window_day': start_day,
                        'db_count_in_window': {'signals': sig_sd, 'trades_rows_raw': tr_sd},
                        'candidates': candidates(at, pr_start, [r[5][:10] for r in db['signals']], [r[10][:10] for r in db['trades']])})

    # ---- redis: XRANGE stream.fills (raw) and a MONITOR capture
    xr = []
    for t, fields in fills_stream:
        xr.append('%d-0' % (t // MS))
        for k, v in fields:
            xr += [k, v]
    mon = ['OK']
    md_n = 0
    t = mon0
    mon1 = mon0 + 12 * NS
    lines: list[tuple[int, str]] = []
    while t < mon1:
        lines.append((t, monitor_line(t, '172.18.0.9:40112', ['PUBLISH', 'market_data', pyjson(
            {'schema_version': 'v1.0', 'source': 'mexc', 'symbol': 'BTCUSDT', 'ts_ms': t // MS - rng.randint(20, 90),
             'price': '%.2f' % rng.uniform(93900, 93960), 'trade_qty': '%.4f' % rng.uniform(0.0001, 0.05),
             'side': rng.choice(['buy', 'sell'])})])))
        md_n += 1
        t += rng.randint(70, 130) * MS + rng.randint(0, 999) * US
    t = mon0 + 480 * MS
    last_id = {'stream.regime_signals': '1767794400211-0', 'stream.allocation_decisions': '1767794400388-0', 'stream.bot_shutdown': '0-0'}
    while t < mon1:
        for j, (k, v) in enumerate(last_id.items()):
            lines.append((t + j * 300 * US, monitor_line(t + j * 300 * US, '172.18.0.12:%d' % (51844 + j),
                                                         ['XREAD', 'BLOCK', '1000', 'COUNT', '10', 'STREAMS', k, v])))
        lines.append((t + 2 * MS, monitor_line(t + 2 * MS, '172.18.0.13:47220', ['XREAD', 'BLOCK', '1000', 'STREAMS', 'stream.bot_shutdown', '$'])))
        t += 1000 * MS + rng.randint(0, 3000) * US
    th = mon0 + 7 * NS + 411 * MS
    # planted for the redaction tests: real Redis 7 prints "AUTH" "(redacted)"; this capture went through a proxy that does not
    lines.append((th, monitor_line(th, '127.0.0.1:51012', ['AUTH', sec['REDIS_PASSWORD']])))
    lines.append((th + 300 * US, monitor_line(th + 300 * US, '127.0.0.1:51012', ['ping'])))
    tc = E('2026-01-07 14:22:00.004')
    o = 93921.4
    lines.append((tc, monitor_line(tc, '172.18.0.14:38802', ['XADD', 'stream.candles_1m', 'MAXLEN', '~', '100000', '*', 'ts', str(tc // NS - 60),
                                                              'symbol', 'BTCUSDT', 'timeframe', '60s', 'open', '%.2f' % o, 'high', '93958.10',
                                                              'low', '93902.55', 'close', '93931.07', 'volume', '1.8423', 'trades', '612',
                                                              'schema_version', 'v1.0', 'source_version', 'candles-0.3.1'])))
    for t, sid, sp, op, res, fields in mon_events:
        if not mon0 <= t < mon1:
            continue
        lines.append((t, monitor_line(t, '172.18.0.10:60218', ['XADD', 'stream.signals', 'MAXLEN', '~', '10000', '*'] +
                                      [x for k, v in sp.items() for x in (k, str(v))])))
        lines.append((t + 300 * US, monitor_line(t + 300 * US, '172.18.0.10:60218', ['PUBLISH', 'signals', pyjson(sp)])))
        lines.append((t + 2 * MS, monitor_line(t + 2 * MS, '172.18.0.12:51840', ['XADD', 'stream.orders', 'MAXLEN', '~', '10000', '*'] +
                                               [x for k, v in op.items() for x in (k, str(v))])))
        lines.append((t + 2300 * US, monitor_line(t + 2300 * US, '172.18.0.12:51840',
                                                  ['PUBLISH', 'orders', json.dumps(op, ensure_ascii=False)])))
        lines.append((t + 120 * MS, monitor_line(t + 120 * MS, '172.18.0.13:47218',
                                                 ['PUBLISH', 'order_results', json.dumps(res, ensure_ascii=False)])))
        for j, key in enumerate(['stream.fills', 'stream.order_results']):
            tt = t + (121 + j) * MS
            lines.append((tt, monitor_line(tt, '172.18.0.13:47218', ['XADD', key, 'MAXLEN', '~', '10000', '*'] +
                                           [x for k, v in fields for x in (k, v)])))
    lines.sort(key=lambda x: x[0])
    mon += [l for _, l in lines]

    b = Bundle(name)
    b.add('.env', """# infrastructure/compose/.env  (compose interpolation; passwords come from Docker secrets)
STACK_NAME=cdb
SECRETS_PATH=../../.secrets
POSTGRES_DB=claire_de_binare
POSTGRES_USER=claire_user
GRAFANA_PASSWORD={GRAFANA_PASSWORD}
SIGNAL_STRATEGY_ID=paper
SIGNAL_THRESHOLD_PCT=0.005
SIGNAL_MIN_VOLUME=0
WS_SOURCE=mexc_pb
MEXC_SYMBOL=BTCUSDT
MEXC_INTERVAL=100ms
MAX_EXPOSURE_PCT=0.30
MAX_TOTAL_EXPOSURE_PCT=0.30
TRADING_MODE=paper
MOCK_TRADING=true
DRY_RUN=true
LOG_LEVEL=DEBUG
""".format(**sec), 'config')
    b.add('logs/compose_logs_t.txt', compose_logs([_since(s, since) for s in [redis, pg, ws, sig, cnd, reg, alc, risk, exe, pr]], True, rng),
          'container-log')
    cid = hexid(rng, 64)
    b.add('logs/%s-json.log' % cid, json_file_log(dbw), 'container-log')
    b.add('inspect/cdb_db_writer.json', docker_inspect(cid, rng, sec, deploy, cap), 'containers')
    b.add('redis/xrange_stream.fills.txt', text(xr), 'redis')
    b.add('redis/monitor.txt', text(mon), 'redis')
    seeds = [[1, pg_ts(db_init), '100000.00000000', '100000.00000000', '0.00000000', '0.00000000', '0.00000000', '0.00000000',
              '0.0000', '0.0000', 0, SEED_META]]
    schema = [['1.0.2', pg_ts(db_init), 'Initial schema (orders.order_id)'],
              ['1.0.1', pg_ts(db_init + 2711 * US), 'Migration 002: orders.price nullable']]
    b.add('db/pg_dump_column_inserts.sql', pg_dump(
        [('signals', SIGNALS_COLS, db['signals']), ('orders', ORDERS_B_COLS, db['orders']), ('portfolio_snapshots', SNAP_COLS, seeds),
         ('positions', POS_COLS, []), ('schema_version', SCHEMA_COLS, schema), ('trades', TRADES_COLS, db['trades'])],
        [('orders_id_seq', nxt['orders'] - 1, True), ('portfolio_snapshots_id_seq', 1, True), ('positions_id_seq', 1, False),
         ('signals_id_seq', nxt['signals'] - 1, True), ('trades_id_seq', nxt['trades'] - 1, True)],
        restrict_key(rng), inserts=True, server='16.4 (Debian 16.4-1.pgdg120+2)'), 'db-dump')
    names = ['cdb_redis', 'cdb_postgres', 'cdb_ws', 'cdb_signal', 'cdb_candles', 'cdb_regime', 'cdb_allocation', 'cdb_risk',
             'cdb_execution', 'cdb_db_writer', 'cdb_paper_runner']
    b.add('ps/compose_ps.txt', compose_ps_table(ps_rows(names, 'cdb', deploy, cap + 30 * NS,
                                                        started={'cdb_db_writer': deploy + 5 * NS})), 'containers')
    b.write_zip(name + '.zip', (2026, 1, 9, 9, 12, 40))

    blk_t = [t for t in times if in_block(t, days)]
    nb = len(blk_t)
    fills = sum(1 for t, r in execs if in_block(t, days) and not r)
    Z = 'unzip -p persistence-era-b.zip '
    b0, b1 = E(days[0] + ' 00:00:00') // MS, E('2026-01-09 00:00:00') // MS
    exp = {
        'description': 'Era B. Execution fills every approved order ("Order filled"), but no trade is persisted: both writers fail '
                       'with `column "quantity" of relation "trades" does not exist` (new images deployed 2026-01-05 10:00 against '
                       'a DB volume whose schema was never migrated). stream.fills (XRANGE) and MONITOR show the fills, the DB '
                       'dump (pg_dump --column-inserts) has no trade in the block. Orders and signals persist.',
        'incident': 'executed but not persisted (schema mismatch: trades.quantity)',
        'era': 'B', 'dialect': 'real',
        'block': {'from': days[0], 'to': days[-1]},
        'archive': {'file': 'persistence-era-b.zip', 'format': 'zip', 'root_folder': None},
        'files': b.file_table(),
        'counts': {'market_data_events': md_n, 'signals': nb, 'signals_per_day': per_day(blk_t, days), 'risk_approved': nb,
                   'risk_rejected': 0, 'orders': nb, 'trades': fills, 'persisted_trades': 0},
        'counts_raw': {'orders_rows': 2 * nb, 'trades_rows': 0},
        'break_layer': 'execution',
        'break_layer_any_of': ['execution', 'reporting'],
        'break_layer_note': "Runbook layer 5 'Paper Runner / Execution' owns 'Fehler bei Ausfuehrung/Persistierung'; a tool that files "
                            "persistence gaps (Redis shows it, the DB does not) under 'reporting' is also accepted.",
        'top_hypothesis': {'layer': 'execution', 'keywords': ['persist', 'schema', 'column', 'quantity']},
        'notes': ['Pre-block: trades persisted until the deploy (2026-01-04 and 2026-01-05 before 10:00); the paper-runner reports '
                  '(CURRENT_DATE frozen at the start day 2026-01-05) therefore print Trades Today %d although no trade is persisted in the block.' % tr_sd,
                  'The two DETAIL lines (signal_type NOT NULL) belong to two signals on 2026-01-05, outside the block; their ids are gaps in signals.',
                  'db_writer RestartCount 2: two failed starts at the deploy (Postgres not yet accepting connections).',
                  'stream.fills also carries the 4 REJECTED results of the block; trades counts FILLED entries only.',
                  'The MONITOR capture contains one planted "AUTH" "<password>" line (real Redis 7 prints "(redacted)").'],
        'reports': [dict(r, where='logs/compose_logs_t.txt') for r in reports],
        'secrets': sorted(set(sec.values())),
        'how': {
            'market_data_events': Z + "redis/monitor.txt | grep -c '\"PUBLISH\" \"market_data\"'",
            'signals': Z + "db/pg_dump_column_inserts.sql | grep '^INSERT INTO public.signals ' | grep -cE \"'2026-01-0[6-8] \"",
            'signals_per_day': Z + "db/pg_dump_column_inserts.sql | grep '^INSERT INTO public.signals ' | grep -oE \"'2026-01-0[6-8] \" | tr -d \"' \" | sort | uniq -c | awk '{print $2, $1}'",
            'risk_approved': Z + "logs/compose_logs_t.txt | grep 'risk_manager: .* Order freigegeben:' | grep -cE '\\| 2026-01-0[6-8]T'",
            'risk_rejected': Z + "logs/compose_logs_t.txt | grep -E 'risk_manager: .*(Max Exposure erreicht|Circuit Breaker|Signal blockiert|SKIPPED|MISSING_STRATEGY_ID)' | grep -cE '\\| 2026-01-0[6-8]T' || true",
            'orders': Z + "db/pg_dump_column_inserts.sql | grep '^INSERT INTO public.orders ' | grep \"VALUES ([0-9]*, 'MOCK_\" | grep -cE \"'2026-01-0[6-8] \"",
            'trades': Z + "redis/xrange_stream.fills.txt | awk '/^[0-9]+-[0-9]+$/{id=substr($0,1,13)} p==\"status\" && $0==\"FILLED\" && id>=\"%d\" && id<\"%d\"{n++} {p=$0} END{print n+0}'" % (b0, b1),
            'persisted_trades': Z + "db/pg_dump_column_inserts.sql | grep '^INSERT INTO public.trades ' | grep \"'MOCK_\" | grep -cE \"'2026-01-0[6-8] \" || true",
            'orders_rows': Z + "db/pg_dump_column_inserts.sql | grep '^INSERT INTO public.orders ' | grep -cE \"'2026-01-0[6-8] \"",
            'trades_rows': Z + "db/pg_dump_column_inserts.sql | grep '^INSERT INTO public.trades ' | grep -cE \"'2026-01-0[6-8] \" || true",
        },
        'checks': [
            {'what': 'execution: Order filled lines in the block == FILLED entries in stream.fills', 'expect': fills,
             'cmd': Z + "logs/compose_logs_t.txt | grep 'execution_service - INFO - Order filled: MOCK_' | grep -cE '\\| 2026-01-0[6-8]T'"},
            {'what': 'execution: Failed to save trade in the block', 'expect': fills,
             'cmd': Z + "logs/compose_logs_t.txt | grep 'Failed to save trade: column \"quantity\" of relation \"trades\" does not exist' | grep -cE '\\| 2026-01-0[6-8]T'"},
            {'what': 'db_writer json-file: Failed to persist trade in the block', 'expect': fills,
             'cmd': Z + "logs/%s-json.log | jq -r .log | grep -c '^2026-01-0[6-8] .*Failed to persist trade: column \"quantity\"'" % cid},
            {'what': 'db_writer json-file: Python tracebacks (one per failed trade since the deploy)', 'expect': fills + sum(1 for t, r in execs if t >= deploy and not in_block(t, days) and not r),
             'cmd': Z + "logs/%s-json.log | jq -r .log | grep -c '^Traceback (most recent call last):'" % cid},
            {'what': 'docker inspect RestartCount', 'expect': 2,
             'cmd': Z + "inspect/cdb_db_writer.json | jq '.[0].RestartCount'"},
            {'what': 'trades rows in the dump: all before the deploy', 'expect': '2026-01-05 09',
             'cmd': Z + "db/pg_dump_column_inserts.sql | grep '^INSERT INTO public.trades ' | tail -1 | grep -oE \"'2026-01-0[0-9] [0-9]{2}\" | tail -1 | tr -d \"'\""},
            {'what': 'risk 📨 lines in the block == signals', 'expect': nb,
             'cmd': Z + "logs/compose_logs_t.txt | grep 'risk_manager: .* Signal empfangen: BTCUSDT' | grep -cE '\\| 2026-01-0[6-8]T'"},
            {'what': 'paper-runner reports: Signals Today/Trades Today (4 reports, all from the start day)',
             'expect': ' '.join(['%d/%d' % (sig_sd, tr_sd)] * 4),
             'cmd': Z + "logs/compose_logs_t.txt | grep '^cdb_paper_runner ' | sed 's/^[^|]*| [^ ]* //' | awk '/Signals Today:/{s=$3} /Trades Today:/{print s\"/\"$3}' | paste -sd' '"},
            {'what': 'window c: signals rows dated 2026-01-05', 'expect': sig_sd,
             'cmd': Z + "db/pg_dump_column_inserts.sql | grep '^INSERT INTO public.signals ' | grep -c \"'2026-01-05 \""},
            {'what': 'window c: trades rows dated 2026-01-05 (raw, both writers)', 'expect': tr_sd,
             'cmd': Z + "db/pg_dump_column_inserts.sql | grep '^INSERT INTO public.trades ' | grep -c \"'2026-01-05 \""},
            {'what': 'db_writer json-file: psycopg2 DETAIL lines', 'expect': 2,
             'cmd': Z + "logs/%s-json.log | jq -r .log | grep -c '^DETAIL:  Failing row contains'" % cid},
        ],
    }
    write_expected(name, exp)


def _since(svc: Svc, since: int) -> Svc:
    """`docker compose logs --since`: keep only records from `since` on."""
    svc.recs = [r for r in svc.recs if r[0] >= since]
    return svc


def docker_inspect(cid: str, rng: random.Random, sec: dict, deploy: int, cap: int) -> str:
    started = deploy + 5 * NS + 771_204_511
    health_log = []
    for k in range(5):
        t = cap - (4 - k) * 30 * NS - 7 * NS + rng.randint(0, 999_999_999)
        health_log.append({'Start': rfcnano(t), 'End': rfcnano(t + rng.randint(40, 90) * MS + rng.randint(0, 999_999)),
                           'ExitCode': 0, 'Output': ''})
    img = hexid(rng, 64)
    obj = [{
        'Id': cid,
        'Created': rfcnano(deploy + 1_204_331_913),
        'Path': 'python',
        'Args': ['-u', 'db_writer.py'],
        'State': {'Status': 'running', 'Running': True, 'Paused': False, 'Restarting': False, 'OOMKilled': False, 'Dead': False,
                  'Pid': 4123, 'ExitCode': 0, 'Error': '', 'StartedAt': rfcnano(started),
                  'FinishedAt': rfcnano(deploy + 3 * NS + 489_402_117),
                  'Health': {'Status': 'healthy', 'FailingStreak': 0, 'Log': health_log}},
        'Image': 'sha256:' + img,
        'ResolvConfPath': '/var/lib/docker/containers/%s/resolv.conf' % cid,
        'HostnamePath': '/var/lib/docker/containers/%s/hostname' % cid,
        'HostsPath': '/var/lib/docker/containers/%s/hosts' % cid,
        'LogPath': '/var/lib/docker/containers/%s/%s-json.log' % (cid, cid),
        'Name': '/cdb_db_writer',
        'RestartCount': 2,
        'Driver': 'overlay2',
        'Platform': 'linux',
        'MountLabel': '',
        'ProcessLabel': '',
        'AppArmorProfile': '',
        'ExecIDs': None,
        'HostConfig': {'Binds': None, 'ContainerIDFile': '', 'LogConfig': {'Type': 'json-file', 'Config': {}},
                       'NetworkMode': 'cdb_cdb_network', 'PortBindings': {},
                       'RestartPolicy': {'Name': 'unless-stopped', 'MaximumRetryCount': 0}, 'AutoRemove': False},
        'Mounts': [{'Type': 'bind', 'Source': '/run/desktop/mnt/host/c/Users/dev/Claire_de_Binare/.secrets/redis_password',
                    'Destination': '/run/secrets/redis_password', 'Mode': '', 'RW': False, 'Propagation': 'rprivate'}],
        'Config': {
            'Hostname': cid[:12], 'Domainname': '', 'User': '', 'AttachStdin': False, 'AttachStdout': True, 'AttachStderr': True,
            'Tty': False, 'OpenStdin': False, 'StdinOnce': False,
            'Env': ['REDIS_HOST=cdb_redis', 'REDIS_PORT=6379', 'REDIS_PASSWORD_FILE=/run/secrets/redis_password',
                    'POSTGRES_HOST=cdb_postgres', 'POSTGRES_PORT=5432', 'POSTGRES_DB=claire_de_binare', 'POSTGRES_USER=claire_user',
                    'DATABASE_URL=postgresql://claire_user:%s@cdb_postgres:5432/claire_de_binare' % sec['POSTGRES_PASSWORD'],
                    'LOG_LEVEL=DEBUG', 'PATH=/usr/local/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
                    'LANG=C.UTF-8', 'GPG_KEY=A035C8C19219BA821ECEA86B64E628F8D684696D', 'PYTHON_VERSION=3.11.11',
                    'PYTHONUNBUFFERED=1'],
            'Cmd': ['python', '-u', 'db_writer.py'],
            'Healthcheck': {'Test': ['CMD-SHELL', 'kill -0 1'], 'Interval': 30000000000, 'Timeout': 5000000000, 'Retries': 3},
            'Image': 'cdb-cdb_db_writer', 'WorkingDir': '/app', 'Entrypoint': None,
            'Labels': {'com.docker.compose.config-hash': hexid(rng, 64), 'com.docker.compose.container-number': '1',
                       'com.docker.compose.oneoff': 'False', 'com.docker.compose.project': 'cdb',
                       'com.docker.compose.project.config_files': 'C:\\Users\\dev\\Claire_de_Binare\\infrastructure\\compose\\base.yml,'
                                                                  'C:\\Users\\dev\\Claire_de_Binare\\infrastructure\\compose\\dev.yml',
                       'com.docker.compose.service': 'cdb_db_writer', 'com.docker.compose.version': '2.40.3'}},
        'NetworkSettings': {'Bridge': '', 'SandboxID': hexid(rng, 64), 'Ports': {},
                            'Networks': {'cdb_cdb_network': {'Aliases': ['cdb_db_writer', 'cdb_db_writer'], 'NetworkID': hexid(rng, 64),
                                                             'Gateway': '172.18.0.1', 'IPAddress': '172.18.0.11', 'IPPrefixLen': 16,
                                                             'MacAddress': '02:42:ac:12:00:0b', 'DNSNames': ['cdb_db_writer', cid[:12]]}}},
    }]
    # docker inspect prints Go's json.MarshalIndent with 4 spaces, HTML characters escaped
    return json.dumps(obj, indent=4, ensure_ascii=False).replace('<', '\\u003c').replace('>', '\\u003e').replace('&', '\\u0026') + '\n'


# ============================================================================================
# 5. feed-silent-era-b: WS_SOURCE=stub, every container healthy, nothing flows
# ============================================================================================

S5_SECRETS = {
    'GRAFANA_PASSWORD': 'fsB-graf-Lm3Xv8Qa',
    'MEXC_API_KEY': 'mx0vglFEEDSILENTk8Pw2',
    'MEXC_API_SECRET': '2b7e4a9c0d1f36e8b5a7c2d4e6f80a13',
    'ALERT_EMAIL_PASSWORD': 'fsbmailpwdvkrzq',
}


def sample_feed_silent() -> None:
    name = 'feed-silent-era-b'
    rng = random.Random(20260120)
    days = ['2026-01-20', '2026-01-21', '2026-01-22']
    sec = S5_SECRETS
    stack = E('2026-01-20 00:00:03.118')
    cap = E('2026-01-23 07:45:12')
    mail_to = 'trading-ops@example.com'

    redis, pg = Svc('cdb_redis', rng), Svc('cdb_postgres', rng)
    ws, sig, cnd, reg, alc = (Svc('cdb_ws', rng), Svc('cdb_signal', rng), Svc('cdb_candles', rng), Svc('cdb_regime', rng),
                              Svc('cdb_allocation', rng))
    risk, exe, dbw, pr, rep = (Svc('cdb_risk', rng), Svc('cdb_execution', rng, 'stderr'), Svc('cdb_db_writer', rng, 'stderr'),
                               Svc('cdb_paper_runner', rng), Svc('cdb_reports', rng))
    redis_start(redis, stack)
    pg_start(pg, stack + 150 * MS, E('2026-01-19 23:59:51'))
    ws_start_b(ws, stack + 3 * NS + 12 * MS, 'stub', '172.18.0.9')
    signal_start_b(sig, stack + 3 * NS + 300 * MS, '172.18.0.10')
    side_service_start_b(cnd, stack + 3 * NS + 350 * MS, 'candle_service', ['Candle-Service gestartet', 'Subscribed zu PubSub channel: market_data'], 8007, '172.18.0.14')
    side_service_start_b(reg, stack + 3 * NS + 420 * MS, 'regime_service', ['Regime-Service gestartet', 'Bootstrap: Regime set to UNKNOWN'], 8008, '172.18.0.15')
    side_service_start_b(alc, stack + 3 * NS + 480 * MS, 'allocation_service', ['Allocation-Service gestartet'], 8006, '172.18.0.16')
    risk_start_b(risk, stack + 3 * NS + 510 * MS, '172.18.0.12')
    exec_start_b(exe, stack + 3 * NS + 620 * MS, '172.18.0.13')
    dbw_start_b(dbw, stack + 3 * NS + 700 * MS)
    pr_start = stack + 5 * NS + 301_777 * US
    runner_start(pr, pr_start, '172.18.0.17', mail_to)
    runner = Runner(pr, pr_start, 0.0)
    rep.raw(stack + 3 * NS + 800 * MS, '[INFO] CDB Daily Orders Summary Service started')
    nxt_run = E('2026-01-20 08:00:00')
    rep.raw(stack + 3 * NS + 805 * MS, '[INFO] Next run scheduled for %s UTC (in %.1fh)' % (hms(nxt_run)[:16], (nxt_run - stack) / NS / 3600))
    while nxt_run < cap:
        t = nxt_run + rng.randint(2, 40) * MS
        rep.raw(t, '[INFO] Generating daily summary for %s' % ymd(t))
        rep.raw(t + 180 * MS, '[INFO] Summary complete: 0 orders, 0 filled, 0 rejected')
        rep.raw(t + 1900 * MS, '[INFO] Email sent successfully to %s' % mail_to)
        nxt_run += 86400 * NS
        rep.raw(t + 1905 * MS, '[INFO] Next run scheduled for %s UTC (in %.1fh)' % (hms(nxt_run)[:16], (nxt_run - t - 1905 * MS) / NS / 3600))

    for svc, off, fn in [(ws, 11, poll_wsb), (sig, 17, poll_br), (cnd, 23, poll_br), (reg, 29, poll_br), (alc, 5, poll_br),
                         (risk, 43, poll_br), (pr, 52, poll_br)]:
        for t in schedule(rng, stack + off * NS, cap, 1800, 900):
            fn(svc, t)
    for t in schedule(rng, stack + 36 * NS, cap, 1800, 900):
        poll_dash(exe, t)
    for i, t in enumerate(schedule(rng, stack + 3700 * NS, cap, 7200, 60_000)):
        if i % 3 == 0:   # almost nothing changes: saves are rare
            redis_bgsave(redis, t, 50 + i)
    for t in schedule(rng, stack + 300 * NS, cap, 7200, 1000):
        pg_checkpoint(pg, t, rng)
    # DB export: the last rows are from 2026-01-19 (stack was in mexc_pb mode until the re-create at the block start)
    sig_rows, ord_rows, tr_rows = [], [], []
    sid, oid_n, tid = 6120, 12201, 10411
    for k in range(7):
        t = E('2026-01-18 21:10:00') + k * 5300 * NS + rng.randint(0, 900) * NS + rng.randint(0, 999_999) * US
        ts = t // NS
        price = round(rng.uniform(92800, 94100), 2)
        fill = round(50000 * (1 + rng.uniform(-0.001, 0.001)), 2)
        oid = mock_dec(rng)
        sig_rows.append([sid, 'BTCUSDT', 'buy', px(price), '0.5000', pg_ts(ts * NS), 'signal_engine', '{}'])
        et = pg_ts(t + 131 * MS + rng.randint(0, 900) * US)
        ord_rows.append([oid_n, None, None, 'BTCUSDT', 'buy', 'market', px(price), '0.00020000', 'f', None, 'pending', '0.00000000',
                         None, pg_ts(ts * NS), None, None, '{}'])
        ord_rows.append([oid_n + 1, oid, None, 'BTCUSDT', 'buy', 'market', px(fill), '0.00020000', 'f', None, 'filled', '0.00020000',
                         px(fill), et, et, et, '{"source": "execution_service", "order_id": "%s"}' % oid])
        tr_rows.append([tid, None, 'BTCUSDT', 'buy', px(fill), '0.00020000', 'filled', px(fill), None, '0.00000000', pg_ts(ts * NS),
                        'MEXC', None, '{}'])
        tr_rows.append([tid + 1, None, 'BTCUSDT', 'buy', px(fill), '0.00020000', 'filled', px(fill), None, '0.00000000',
                        pg_ts(t + 137 * MS + rng.randint(0, 900) * US), 'MEXC', oid, '{"order_id": "%s"}' % oid])
        sid, oid_n, tid = sid + 1, oid_n + 2, tid + 2

    reports = []
    for d in ['2026-01-21', '2026-01-22', '2026-01-23']:
        at = E(d + ' 00:00:00') + rng.randint(20, 60) * MS
        r = runner.report(at, 0, 0, email=True)
        reports.append({'date': d, 'generated_utc': iso_us(at)[:23] + 'Z', 'signals_today': 0, 'trades_today': 0, 'events_logged': 0,
                        'matching_window': 'any (a, b and c all give 0)', 'window_day': None,
                        'db_count_in_window': {'signals': 0, 'trades_rows_raw': 0},
                        'candidates': candidates(at, pr_start, [r[5][:10] for r in sig_rows], [r[10][:10] for r in tr_rows])})


    b = Bundle(name)
    b.add('.env', """# infrastructure/compose/.env
STACK_NAME=cdb
SECRETS_PATH=../../.secrets
POSTGRES_DB=claire_de_binare
POSTGRES_USER=claire_user
GRAFANA_PASSWORD={GRAFANA_PASSWORD}
SIGNAL_STRATEGY_ID=paper
SIGNAL_THRESHOLD_PCT=0.005
# ws: stub until the new MEXC keys are rotated in
WS_SOURCE=stub
MEXC_SYMBOL=BTCUSDT
MEXC_API_KEY={MEXC_API_KEY}
MEXC_API_SECRET={MEXC_API_SECRET}
ALERT_EMAIL_FROM=cdb.paper.alerts@gmail.com
ALERT_EMAIL_TO={mail_to}
ALERT_EMAIL_PASSWORD={ALERT_EMAIL_PASSWORD}
LOG_LEVEL=INFO
""".format(mail_to=mail_to, **sec), 'config')
    b.add('logs/compose_logs.txt', compose_logs([redis, pg, ws, sig, cnd, reg, alc, risk, exe, dbw, pr, rep], True, rng), 'container-log')
    b.add('redis/subscribe_market_data.txt', subscribe_raw(['market_data'], []), 'redis')
    b.add('db/signals.csv', psql_csv(SIGNALS_COLS, sig_rows), 'db-dump')
    b.add('db/orders.csv', psql_csv(ORDERS_B_COLS, ord_rows), 'db-dump')
    b.add('db/trades.csv', psql_csv(TRADES_COLS, tr_rows), 'db-dump')
    names = ['cdb_redis', 'cdb_postgres', 'cdb_ws', 'cdb_signal', 'cdb_candles', 'cdb_regime', 'cdb_allocation', 'cdb_risk',
             'cdb_execution', 'cdb_db_writer', 'cdb_paper_runner', 'cdb_reports']
    b.add('ps/compose_ps.txt', compose_ps_table(ps_rows(names, 'cdb', stack - 2 * NS, cap + 20 * NS)), 'containers')
    b.write_dir()

    L = 'feed-silent-era-b/logs/compose_logs.txt'
    BLK = 'substr($6,1,10)>="2026-01-20" && substr($6,1,10)<="2026-01-22"'
    exp = {
        'description': 'Era B. cdb_ws runs with WS_SOURCE=stub ("STUB mode: No external WS connections"): nothing is published on '
                       'market_data, so no signal, order or trade follows. Every container is "Up 3 days (healthy)"; the logs hold '
                       'only startup lines and health polls; the paper runner reports Events Logged: 0; cdb_reports mails 0 orders.',
        'incident': 'market data feed silent (stub ws)',
        'era': 'B', 'dialect': 'real',
        'block': {'from': days[0], 'to': days[-1]},
        'archive': None,
        'files': b.file_table(),
        'counts': {'market_data_events': 0, 'signals': 0, 'signals_per_day': {d: 0 for d in days}, 'risk_approved': 0,
                   'risk_rejected': 0, 'orders': 0, 'trades': 0, 'persisted_trades': 0},
        'counts_raw': {'orders_rows': 0, 'trades_rows': 0},
        'break_layer': 'market_data',
        'top_hypothesis': {'layer': 'market_data', 'keywords': ['stub', 'feed', 'WS_SOURCE']},
        'notes': ['The DB export ends on 2026-01-19 (before the block): the database works, it just receives nothing.',
                  'Healthy status proves nothing here (§8: cdb_ws is always healthy, even in stub mode).'],
        'reports': [dict(r, where='logs/compose_logs.txt') for r in reports],
        'secrets': sorted(set(sec.values())),
        'how': {
            'market_data_events': "grep -c '^message$' feed-silent-era-b/redis/subscribe_market_data.txt || true",
            'signals': "awk -F, 'NR>1 && %s' feed-silent-era-b/db/signals.csv | wc -l" % BLK,
            'signals_per_day': "for d in 2026-01-20 2026-01-21 2026-01-22; do echo $d $(awk -F, -v d=$d 'NR>1 && substr($6,1,10)==d' feed-silent-era-b/db/signals.csv | wc -l); done",
            'risk_approved': "grep -c 'Order freigegeben' %s || true" % L,
            'risk_rejected': "grep -cE 'Max Exposure erreicht|Circuit Breaker|Signal blockiert|SKIPPED|MISSING_STRATEGY_ID' %s || true" % L,
            'orders': "grep -c 'Processing order:' %s || true" % L,
            'trades': "grep -c 'Order filled:' %s || true" % L,
            'persisted_trades': "awk -F, 'NR>1 && substr($11,1,10)>=\"2026-01-20\"' feed-silent-era-b/db/trades.csv | wc -l",
            'orders_rows': "awk -F, 'NR>1 && substr($14,1,10)>=\"2026-01-20\"' feed-silent-era-b/db/orders.csv | wc -l",
            'trades_rows': "awk -F, 'NR>1 && substr($11,1,10)>=\"2026-01-20\"' feed-silent-era-b/db/trades.csv | wc -l",
        },
        'checks': [
            {'what': 'ws announces stub mode once', 'expect': 1, 'cmd': "grep -c 'ws_service: STUB mode: No external WS connections' %s" % L},
            {'what': 'no signal generated', 'expect': 0, 'cmd': "grep -c 'Signal generiert' %s || true" % L},
            {'what': 'reports print Events Logged: 0 (three reports)', 'expect': 3, 'cmd': "grep -c 'Events Logged:    0$' %s" % L},
            {'what': 'all containers Up 3 days (healthy)', 'expect': 12, 'cmd': "grep -c 'Up 3 days (healthy)' feed-silent-era-b/ps/compose_ps.txt"},
            {'what': '.env WS_SOURCE', 'expect': 'stub', 'cmd': "grep '^WS_SOURCE=' feed-silent-era-b/.env | cut -d= -f2"},
            {'what': 'cdb_reports summaries with 0 orders', 'expect': 3, 'cmd': "grep -c 'Summary complete: 0 orders' %s" % L},
        ],
    }
    write_expected(name, exp)


# ---------------------------------------------------------------------------------------------
# Derived samples (issue 9): made from the generated bundles above, so they are the same
# evidence saved differently. Each keeps its origin's counts; the checks state what was planted.
# ---------------------------------------------------------------------------------------------

def _expected_of(name: str) -> dict:
    with open(os.path.join(HERE, name + '.expected.json'), encoding='utf-8') as f:
        return json.load(f)


def _healthy_members() -> dict[str, bytes]:
    folder = 'cdb_block_2025-12-15/'
    with tarfile.open(os.path.join(HERE, 'healthy-era-a.tgz')) as tf:
        return {m.name[len(folder):]: tf.extractfile(m).read() for m in tf.getmembers() if m.isfile()}


def _rewrite(obj, old: str, new: str):
    """Point every shell command of an expected file at the derived bundle."""
    if isinstance(obj, str):
        return obj.replace(old, new)
    if isinstance(obj, list):
        return [_rewrite(x, old, new) for x in obj]
    if isinstance(obj, dict):
        return {k: _rewrite(v, old, new) for k, v in obj.items()}
    return obj


_MON = {m: i + 1 for i, m in enumerate(['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'])}
_T_PY = re.compile(r'^(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)[,.](\d{3})')
_T_BANNER = re.compile(r'^\[(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d) UTC\]')
_T_WERKZEUG = re.compile(r'\[(\d\d)/([A-Z][a-z]{2})/(\d{4}) (\d\d):(\d\d):(\d\d)\]')
_T_REDIS = re.compile(r'^\d+:[XCSM] (\d\d?) ([A-Z][a-z]{2}) (\d{4}) (\d\d):(\d\d):(\d\d)\.(\d{3})')
_T_LOGFMT = re.compile(r'\b(?:t|ts)=(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d{1,3}))?')


def _app_time_ns(content: str) -> int | None:
    """The time a line prints itself, as epoch ns (all these clocks are UTC), else None."""
    m = _T_PY.match(content)
    if m:
        y, mo, d, h, mi, s, ms = (int(x) for x in m.groups())
        return (calendar.timegm((y, mo, d, h, mi, s)) * 1000 + ms) * 1_000_000
    m = _T_BANNER.match(content)
    if m:
        return calendar.timegm(tuple(int(x) for x in m.groups())) * 1_000_000_000
    m = _T_REDIS.match(content)
    if m:
        d, mon, y, h, mi, s, ms = m.groups()
        return (calendar.timegm((int(y), _MON[mon], int(d), int(h), int(mi), int(s))) * 1000 + int(ms)) * 1_000_000
    m = _T_WERKZEUG.search(content)
    if m:
        d, mon, y, h, mi, s = m.groups()
        return calendar.timegm((int(y), _MON[mon], int(d), int(h), int(mi), int(s))) * 1_000_000_000
    m = _T_LOGFMT.search(content)
    if m:
        y, mo, d, h, mi, s, ms = m.groups()
        return (calendar.timegm((int(y), int(mo), int(d), int(h), int(mi), int(s))) * 1000 + int((ms or '0').ljust(3, '0'))) * 1_000_000
    return None


def _stamp(ns: int) -> str:
    return datetime.fromtimestamp(ns // 1_000_000_000, tz=timezone.utc).strftime('%Y-%m-%dT%H:%M:%S') + '.%09dZ' % (ns % 1_000_000_000)


def compose_since_timestamps(full: str, since_ns: int, rng: random.Random) -> str:
    """`docker compose logs --timestamps --since <t>` of the same containers as `full` (a save without
    stamps): the daemon stamps each line a fraction of a millisecond after the time it prints; a line
    without a clock of its own (prints, table rows, traceback lines) follows the line before it."""
    out = []
    last_t: dict[str, int] = {}
    last_stamp: dict[str, int] = {}
    for line in full.split('\n')[:-1]:
        m = re.match(r'^([A-Za-z0-9_.-]+)(\s*\| )(.*)$', line)
        name, sep, content = m.groups()
        t = _app_time_ns(content)
        if t is None:
            if name not in last_t:
                continue
            t = last_t[name] + 1_000_000
        last_t[name] = t
        stamp = max(t + rng.randint(150_000, 950_000), last_stamp.get(name, 0) + rng.randint(1_000, 9_000))
        last_stamp[name] = stamp
        if stamp >= since_ns:
            out.append('%s%s%s %s' % (name, sep, _stamp(stamp), content))
    return '\n'.join(out) + '\n'


def sample_copies_since_era_a() -> None:
    """healthy-era-a plus an earlier `--since 24h --timestamps` save of the same stack beside the full export."""
    name = 'copies-since-era-a'
    src = _expected_of('healthy-era-a')
    folder = 'cdb_block_2025-12-15/'
    members = _healthy_members()
    b = Bundle(name)
    for rel, data in sorted(members.items()):
        b.add(rel, data, src['files'][folder + rel]['kind'])
    full = members['compose_logs.txt'].decode('utf-8')
    since = calendar.timegm((2025, 12, 17, 9, 31, 0)) * 1_000_000_000
    rel = 'logs/compose_logs_since24h_timestamps.txt'
    text = compose_since_timestamps(full, since, random.Random(9001))
    b.add(rel, text, 'container-log')
    b.write_dir()
    exp = _rewrite(src, 'tar -xzOf healthy-era-a.tgz ' + folder, 'cat %s/' % name)
    exp['description'] = ('healthy-era-a saved twice: the full `docker compose logs` export (no timestamps) and, beside it, an '
                          'earlier `docker compose logs --timestamps --since 2025-12-17T09:31:00Z` save of the same stack. '
                          'Every record of the second file is a copy of one in the first: each signal, approval, fill and '
                          'report must count once (no doubled approvals, no persistence gap).')
    exp['incident'] = 'none (healthy); the same log saved in two files'
    exp['archive'] = None
    exp['files'] = b.file_table()
    exp['copies'] = {rel: {'copy_of': 'compose_logs.txt', 'records_all_copies': True}}
    sv = rel
    approvals = sum(1 for l in text.split('\n') if re.search(r'risk_manager: .* Order freigegeben:', l))
    fills = sum(1 for l in text.split('\n') if 'execution_service - INFO - Order filled:' in l)
    exp['checks'] = exp['checks'] + [
        {'what': 'lines of the --since save not found in the full export once the docker stamp is removed (every line is a copy)',
         'expect': 0,
         'cmd': "sed -E 's/^([A-Za-z0-9_.-]+ *\\| )[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z /\\1/' '%s/%s' | grep -cvxFf %s/compose_logs.txt" % (name, sv, name)},
        {'what': 'approvals in the --since save (each also in the full export: counted once)', 'expect': approvals,
         'cmd': "grep 'risk_manager: .* Order freigegeben:' '%s/%s' | wc -l" % (name, sv)},
        {'what': 'fills in the --since save (each also in the full export: counted once)', 'expect': fills,
         'cmd': "grep -c 'execution_service - INFO - Order filled:' '%s/%s'" % (name, sv)},
    ]
    exp['notes'] = src['notes'] + ['The second log file repeats the last ~24 h of the first with docker stamps: its records are copies, counted once.']
    write_expected(name, exp)


def sample_copies_three_era_a() -> None:
    """exposure-stuck-era-a with its risk log saved three times (a copy of the file and a UTF-8 re-save)."""
    name = 'copies-three-era-a'
    origin = 'exposure-stuck-era-a'
    src = _expected_of(origin)
    b = Bundle(name)
    for rel in sorted(src['files']):
        with open(os.path.join(HERE, origin, rel), 'rb') as f:
            b.add(rel, f.read(), src['files'][rel]['kind'])
    risk = b.files['logs/risk.log']
    b.add('logs/risk (1).log', risk, 'container-log')
    # PowerShell 7 `Get-Content risk.log | Set-Content saved-again/risk.txt`: UTF-8 without BOM, CRLF kept.
    b.add('logs/saved-again/risk.txt', risk[2:].decode('utf-16-le').encode('utf-8'), 'container-log')
    b.write_dir()
    exp = _rewrite(src, origin + '/', name + '/')
    exp['description'] = ('exposure-stuck-era-a with the `docker logs -t cdb_risk` save present three times: the PowerShell file, '
                          'a copy of it (`risk (1).log`) and a UTF-8 re-save. Each restart, rejection and alert must count once.')
    exp['incident'] = src['incident'] + '; the risk log saved three times'
    exp['files'] = b.file_table()
    exp['copies'] = {'logs/risk.log': {'copy_of': 'logs/risk (1).log', 'records_all_copies': True},
                     'logs/saved-again/risk.txt': {'copy_of': 'logs/risk (1).log', 'records_all_copies': True}}
    exp['checks'] = exp.get('checks', []) + [
        {'what': 'distinct texts among the three risk logs after decoding (one log, three files)', 'expect': 1,
         'cmd': "{ iconv -f UTF-16 -t UTF-8 '%s/logs/risk.log' | tr -d '\\r' | sha256sum; iconv -f UTF-16 -t UTF-8 '%s/logs/risk (1).log' | tr -d '\\r' | sha256sum; tr -d '\\r' < '%s/logs/saved-again/risk.txt' | sha256sum; } | sort -u | wc -l" % (name, name, name)},
        {'what': 'cdb_risk starts in one copy (Risk-State loaded at each start)', 'expect': 2,
         'cmd': "tr -d '\\r' < '%s/logs/saved-again/risk.txt' | grep -c 'risk_manager: Risk-State aus Redis geladen'" % name},
    ]
    exp['notes'] = exp.get('notes', []) + ['logs/risk.log, logs/risk (1).log and logs/saved-again/risk.txt hold one log: its 2 starts and 64 rejections count once.']
    write_expected(name, exp)


SOCKETSERVER_BLOCK = [
    '----------------------------------------',
    "Exception occurred during processing of request from ('172.18.0.9', %d)",
    'Traceback (most recent call last):',
    '  File "/usr/local/lib/python3.11/socketserver.py", line 691, in process_request_thread',
    '    self.finish_request(request, client_address)',
    '  File "/usr/local/lib/python3.11/socketserver.py", line 361, in finish_request',
    '    self.RequestHandlerClass(request, client_address, self)',
    '  File "/usr/local/lib/python3.11/socketserver.py", line 755, in __init__',
    '    self.handle()',
    '  File "/usr/local/lib/python3.11/http/server.py", line 436, in handle',
    '    self.handle_one_request()',
    '  File "/usr/local/lib/python3.11/http/server.py", line 404, in handle_one_request',
    '    self.raw_requestline = self.rfile.readline(65537)',
    '                           ^^^^^^^^^^^^^^^^^^^^^^^^^^',
    '  File "/usr/local/lib/python3.11/socket.py", line 706, in readinto',
    '    return self._sock.recv_into(b)',
    '           ^^^^^^^^^^^^^^^^^^^^^^^',
    'ConnectionResetError: [Errno 104] Connection reset by peer',
    '----------------------------------------',
]
BARE_TRACEBACK = [
    'Traceback (most recent call last):',
    '  File "/usr/local/lib/python3.11/site-packages/prometheus_client/exposition.py", line 126, in _bake_output',
    '    output = encoder(registry)',
    '  File "/usr/local/lib/python3.11/wsgiref/handlers.py", line 279, in write',
    '    self._write(data)',
    'BrokenPipeError: [Errno 32] Broken pipe',
]


def sample_stderr_traceback_era_a() -> None:
    """healthy-era-a where cdb_db_writer's metrics exporter printed tracebacks to stderr between INFO lines."""
    name = 'stderr-traceback-era-a'
    src = _expected_of('healthy-era-a')
    folder = 'cdb_block_2025-12-15/'
    members = _healthy_members()
    lines = members['compose_logs.txt'].decode('utf-8').split('\n')[:-1]
    persisted = [i for i, l in enumerate(lines) if l.startswith('cdb_db_writer') and 'db_writer: ✅ Trade persisted:' in l and '| 2025-12-16 ' in l]
    picks = persisted[3::len(persisted) // 6][:6]
    rng = random.Random(4711)
    out = []
    for i, l in enumerate(lines):
        out.append(l)
        if i in picks:
            prefix = l[:l.index('| ') + 2]
            block = BARE_TRACEBACK if i == picks[-1] else [x % rng.randint(40000, 60000) if '%d' in x else x for x in SOCKETSERVER_BLOCK]
            out.extend(prefix + x for x in block)
    b = Bundle(name)
    for rel, data in sorted(members.items()):
        b.add(rel, data, src['files'][folder + rel]['kind'])
    b.add('compose_logs.txt', '\n'.join(out) + '\n', 'container-log')
    b.write_dir()
    exp = _rewrite(src, 'tar -xzOf healthy-era-a.tgz ' + folder, 'cat %s/' % name)
    exp['description'] = ('healthy-era-a where cdb_db_writer\'s prometheus exporter (a socketserver) printed 5 `Exception occurred '
                          'during processing of request` blocks and 1 bare traceback to stderr, each right after an INFO '
                          '`✅ Trade persisted` line. Those blocks are records of their own: no error may be attributed to the INFO lines.')
    exp['incident'] = 'none (healthy); stderr tracebacks of another writer between INFO lines'
    exp['archive'] = None
    exp['files'] = b.file_table()
    exp['stderr_blocks'] = {'compose_logs.txt': {'socketserver': 5, 'bare_traceback': 1, 'after': 'db_writer: ✅ Trade persisted'}}
    exp['checks'] = exp['checks'] + [
        {'what': 'socketserver blocks', 'expect': 5, 'cmd': "grep -c '| Exception occurred during processing of request from' %s/compose_logs.txt" % name},
        {'what': 'tracebacks (none printed by logging)', 'expect': 6, 'cmd': "grep -c '| Traceback (most recent call last):' %s/compose_logs.txt" % name},
        {'what': '`Trade persisted` INFO lines followed directly by a headerless stderr block', 'expect': 6,
         'cmd': "awk '/db_writer: .* Trade persisted:/{p=1;next} p && /\\| (-----|Traceback)/{n++} {p=0} END{print n+0}' %s/compose_logs.txt" % name},
        {'what': 'ERROR/CRITICAL lines of cdb_db_writer in the block', 'expect': 0,
         'cmd': "grep '^cdb_db_writer' %s/compose_logs.txt | grep -cE '\\[(ERROR|CRITICAL)\\]'" % name},
    ]
    exp['notes'] = src['notes'] + ['The 6 stderr blocks in cdb_db_writer are another writer\'s output: records of their own, never part of a Trade persisted line.']
    write_expected(name, exp)


def main() -> None:
    for stale in ['drawdown-runbook', 'exposure-stuck-era-a', 'feed-silent-era-b', 'copies-since-era-a', 'copies-three-era-a', 'stderr-traceback-era-a']:
        if os.path.isdir(os.path.join(HERE, stale)):
            shutil.rmtree(os.path.join(HERE, stale))
    sample_drawdown_runbook()
    sample_healthy_era_a()
    sample_exposure_stuck()
    sample_persistence_era_b()
    sample_feed_silent()
    sample_copies_since_era_a()
    sample_copies_three_era_a()
    sample_stderr_traceback_era_a()


if __name__ == '__main__':
    main()
