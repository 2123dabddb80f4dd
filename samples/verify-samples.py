#!/usr/bin/env python3
"""Cross-check every sample's expected numbers against the generated files.

Independent of make-samples.py: it reads only `<sample>.expected.json` and the bundles, and
re-derives each number with the shell command stored in the expected file (`how` for counts,
`checks[].cmd` for extra facts) plus `wc -l` for the line counts of every file.

    cd samples && python3 verify-samples.py        # exit 1 on any mismatch
"""
from __future__ import annotations

import glob
import json
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))


def sh(cmd: str) -> str:
    r = subprocess.run(['bash', '-o', 'pipefail', '-c', cmd], cwd=HERE, capture_output=True, text=True)
    if r.returncode not in (0, 1) or (r.returncode == 1 and not r.stdout.strip()):
        raise RuntimeError('command failed (%d): %s\n%s' % (r.returncode, cmd, r.stderr))
    return r.stdout.strip()


# physical lines as `wc -l`, +1 when the last line has no newline; UTF-16 (BOM FF FE) via iconv, gzip via zcat
LINES = r'''f="$1"; t=$(mktemp); magic=$(head -c2 "$f" | od -An -tx1 | tr -d ' \n')
case "$magic" in fffe) iconv -f UTF-16 -t UTF-8 "$f" > "$t";; 1f8b) zcat "$f" > "$t";; *) cat "$f" > "$t";; esac
n=$(wc -l < "$t"); if [ -s "$t" ] && [ -n "$(tail -c1 "$t")" ]; then n=$((n+1)); fi; rm -f "$t"; echo $n'''


# ---------------------------------------------------------------------------------------------
# format checks: files recognised by their content (in every sample), checked against the tools' own layout
# ---------------------------------------------------------------------------------------------

TTY_BANNERS = ('Reading messages... (press Ctrl-C to quit)', 'Reading messages... (press Ctrl-C to quit or any key to type command)')
SDS_ESC = {'\\': b'\\', '"': b'"', 'n': b'\n', 'r': b'\r', 't': b'\t', 'a': b'\a', 'b': b'\b'}


def sds_unrepr(q: str) -> bytes:
    """Inverse of redis' sdscatrepr for one quoted TTY string; raises ValueError if it is not in canonical form."""
    if len(q) < 2 or q[0] != '"' or q[-1] != '"':
        raise ValueError('not a quoted string: %.40s' % q)
    out, i, body = bytearray(), 0, q[1:-1]
    while i < len(body):
        c = body[i]
        if c == '\\':
            n = body[i + 1]
            if n == 'x':
                out.append(int(body[i + 2:i + 4], 16))
                i += 4
                continue
            if n not in SDS_ESC:
                raise ValueError('unknown escape \\%s' % n)
            out += SDS_ESC[n]
            i += 2
            continue
        if c == '"' or not (' ' <= c <= '~'):
            raise ValueError('unescaped %r inside a TTY string' % c)
        out.append(ord(c))
        i += 1
    return bytes(out)


def check_tty_subscribe(text: str) -> str:
    """redis-cli SUBSCRIBE, TTY form (§4.4): banner, then numbered triples; every payload unescapes to UTF-8 JSON."""
    lines = text.split('\n')
    if lines and lines[-1] == '':
        lines.pop()
    head = lines.pop(0).rstrip('\r')
    if head.split('\r')[0] not in TTY_BANNERS:
        raise ValueError('first line is not the redis-cli banner')
    if len(lines) % 3:
        raise ValueError('%d lines after the banner: not whole triples' % len(lines))
    subs = msgs = 0
    for k in range(0, len(lines), 3):
        a, b, c = lines[k:k + 3]
        if not (a.startswith('1) ') and b.startswith('2) ') and c.startswith('3) ')):
            raise ValueError('line %d: triple not numbered 1) 2) 3)' % (k + 2))
        kind = sds_unrepr(a[3:]).decode()
        if kind == 'subscribe':
            subs += 1
            if c[3:] != '(integer) %d' % subs:
                raise ValueError('line %d: subscription count %s, expected (integer) %d' % (k + 4, c[3:], subs))
        elif kind == 'message':
            msgs += 1
            obj = json.loads(sds_unrepr(c[3:]).decode('utf-8'))
            if not isinstance(obj, dict):
                raise ValueError('line %d: payload is not a JSON object' % (k + 4))
        else:
            raise ValueError('line %d: unexpected reply %s' % (k + 2, kind))
        sds_unrepr(b[3:])
    if subs == 0:
        raise ValueError('no subscribe confirmation')
    return '%d subscription(s), %d message triple(s), payloads JSON' % (subs, msgs)


def check_psql_aligned(text: str) -> str:
    """psql aligned output (border 1): header over a ---+--- rule, `|` under every `+`, rows = the (N rows) footer."""
    lines = text.split('\n')
    tables, i = 0, 0
    while i < len(lines):
        rule = lines[i]
        if not re.fullmatch(r'-+(\+-+)*', rule) or i == 0:
            i += 1
            continue
        header, seps = lines[i - 1], [k for k, ch in enumerate(rule) if ch == '+']
        if len(header) != len(rule) or not header.startswith(' ') or any(header[k] != '|' for k in seps):
            raise ValueError('line %d: header does not fit its rule' % i)
        n, i = 0, i + 1
        while i < len(lines) and not re.fullmatch(r'\(\d+ rows?\)', lines[i]):
            row = lines[i]
            if len(row) > len(rule) or any(row[k] != '|' for k in seps):
                raise ValueError('line %d: row does not fit the rule' % (i + 1))
            n, i = n + 1, i + 1
        if i == len(lines):
            raise ValueError('table at line %d has no (N rows) footer' % (i + 1))
        want = int(re.sub(r'\D', '', lines[i]))
        if want != n:
            raise ValueError('line %d: footer says %d rows, the table has %d' % (i + 1, want, n))
        tables += 1
    if not tables:
        raise ValueError('no aligned table')
    return '%d table(s), rows = footers' % tables


STATUS_RISK_KEYS = ['signals_received', 'orders_approved', 'orders_blocked', 'risk_state']


def check_status_json(text: str) -> str:
    """risk /status as `python3 -m json.tool` prints Flask's jsonify: indent 4, keys sorted at every level;
    every received signal was either approved or blocked."""
    obj = json.loads(text)
    if json.dumps(obj, indent=4) + '\n' != text:
        raise ValueError('not in json.tool layout (indent 4, final newline)')

    def sorted_keys(o) -> bool:
        return not isinstance(o, dict) or (list(o) == sorted(o) and all(sorted_keys(v) for v in o.values()))
    if not sorted_keys(obj):
        raise ValueError('keys not sorted (Flask jsonify sorts them)')
    missing = [k for k in STATUS_RISK_KEYS if k not in obj] + [k for k in ('total_exposure', 'daily_pnl', 'circuit_breaker', 'positions')
                                                               if k not in obj.get('risk_state', {})]
    if missing:
        raise ValueError('missing %s' % ', '.join(missing))
    if obj['orders_approved'] + obj['orders_blocked'] != obj['signals_received']:
        raise ValueError('orders_approved + orders_blocked != signals_received')
    return 'json.tool layout, sorted keys, %d received = %d approved + %d blocked' % (
        obj['signals_received'], obj['orders_approved'], obj['orders_blocked'])


DAILY_CHECK_SECTIONS = ['## 1. Docker Container Status', '## 2. Portfolio Summary', '## 3. Trading Statistics', '## 4. Risk Limits',
                        '## 5. Disk Space', '## 6. Backup Status (Last 24h)']


def check_daily_check(data: bytes) -> str:
    """daily_check.py's saved report (§6.2): one line-ending style, header clocks agree, sections 1-6 in order,
    fences balanced, every table row as wide as its header, Today <= Total."""
    crlf, lf = data.count(b'\r\n'), data.count(b'\n')
    if crlf not in (0, lf):
        raise ValueError('mixed line endings (%d CRLF of %d)' % (crlf, lf))
    lines = data.decode('utf-8').replace('\r\n', '\n').split('\n')
    m = re.fullmatch(r'# Daily Report - (\d{4}-\d\d-\d\d)', lines[0])
    gen = re.fullmatch(r'Generated: (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)', lines[2])
    if not m or not gen or gen.group(1)[:10] != m.group(1):
        raise ValueError('header / Generated: lines')
    for stamp in ('**Date**: ', '**Report generated**: '):
        if stamp + gen.group(1) not in lines:
            raise ValueError('%s differs from Generated:' % stamp.strip())
    heads = [x for x in lines if x.startswith('## ')]
    if heads != DAILY_CHECK_SECTIONS:
        raise ValueError('sections %s' % heads)
    if sum(1 for x in lines if x.startswith('```')) % 2:
        raise ValueError('unbalanced code fence')
    width, fence = None, False
    for k, x in enumerate(lines):
        fence ^= x.startswith('```')
        if fence or not x.startswith('|'):
            width = None
            continue
        cells = x.count('|')
        if width is None:
            width = cells
        elif cells != width:
            raise ValueError('line %d: %d cells, header has %d' % (k + 1, cells - 1, width - 1))
    # Trading Statistics: columns by the header (`Today | Total`, or `Yesterday (<date>) | Today | Total`),
    # or the error the section printed instead when the host could not reach the DB.
    head = next((x for x in lines if x.startswith('| Metric | ') and ('Today' in x or 'Total' in x)), None)
    if head is None:
        if not any(x.startswith('❌ **Trading stats failed**') for x in lines):
            raise ValueError('no Trading Statistics table and no failure line')
        return '%s line endings, sections 1-6, Trading Statistics failed' % ('CRLF' if crlf else 'LF')
    names = [c.strip() for c in head.strip('|').split('|')][1:]
    stats = {}
    for x in lines:
        r = re.fullmatch(r'\| (Signals|Trades)((?: \| \d+)+) \|', x)
        if r:
            stats[r.group(1)] = dict(zip(names, [int(v) for v in r.group(2).split('|')[1:]]))
    if set(stats) != {'Signals', 'Trades'} or any(v['Today'] > v['Total'] or any(n > v['Total'] for n in v.values()) for v in stats.values()):
        raise ValueError('Trading Statistics rows %s' % stats)
    return '%s line endings, sections 1-6, %s: Signals %s, Trades %s' % (
        'CRLF' if crlf else 'LF', '/'.join(names), '/'.join(str(v) for v in stats['Signals'].values()),
        '/'.join(str(v) for v in stats['Trades'].values()))


def format_check(data: bytes):
    """(format name, checker) for a file whose content says it is one of the checked formats, else None."""
    if data[:2] in (b'\xff\xfe', b'\x1f\x8b'):
        return None
    try:
        text = data.decode('utf-8')
    except UnicodeDecodeError:
        return None
    first = text.split('\n', 1)[0]
    if first.startswith('Reading messages...'):
        return 'redis-cli TTY SUBSCRIBE', lambda: check_tty_subscribe(text)
    if first.startswith('# Daily Report - '):
        return 'daily_check.py report', lambda: check_daily_check(data)
    if re.search(r'^\(\d+ rows?\)$', text, re.M):
        return 'psql aligned', lambda: check_psql_aligned(text)
    if first.startswith('{') and re.search(r'"(signals_received|orders_blocked)"', text):
        return '/status JSON', lambda: check_status_json(text)
    return None


def parse(out: str):
    out = out.strip()
    if '\n' in out or (' ' in out and out.split()[0].count('-') == 2):
        d = {}
        for line in out.splitlines():
            k, v = line.split()
            d[k] = int(v)
        return d
    try:
        return int(out)
    except ValueError:
        return out


def main() -> int:
    bad = 0
    total = 0
    for path in sorted(glob.glob(os.path.join(HERE, '*.expected.json'))):
        exp = json.load(open(path, encoding='utf-8'))
        name = os.path.basename(path)[:-len('.expected.json')]
        print('== %s' % name)
        with tempfile.TemporaryDirectory() as tmp:
            arch = exp.get('archive')
            if arch:
                a = os.path.join(HERE, arch['file'])
                if arch['format'] == 'tar.gz':
                    subprocess.run(['tar', '-xzf', a, '-C', tmp], check=True)
                else:
                    subprocess.run(['unzip', '-q', a, '-d', tmp], check=True)
                root = tmp
            else:
                root = os.path.join(HERE, name)
            present = sorted(os.path.relpath(os.path.join(dp, f), root).replace(os.sep, '/')
                             for dp, _, fs in os.walk(root) for f in fs)
            listed = sorted(exp['files'])
            total += 1
            if present != listed:
                bad += 1
                print('  FAIL file list: present-listed=%s listed-present=%s' % (sorted(set(present) - set(listed)),
                                                                                sorted(set(listed) - set(present))))
            for rel, meta in sorted(exp['files'].items()):
                total += 1
                got = int(subprocess.run(['bash', '-c', LINES, '_', os.path.join(root, rel)], capture_output=True, text=True).stdout)
                ok = got == meta['lines']
                bad += not ok
                print('  %s lines %-70s expected %6d got %6d' % ('ok  ' if ok else 'FAIL', rel, meta['lines'], got))
            # every planted secret is really in the bundle (so a "never in the DB" test is meaningful)
            blob = b''
            for rel in present:
                data = open(os.path.join(root, rel), 'rb').read()
                if data[:2] == b'\x1f\x8b':
                    import gzip
                    data = gzip.decompress(data)
                if data[:2] == b'\xff\xfe':
                    data = data[2:].decode('utf-16-le').encode('utf-8')
                blob += data + b'\n'
            for rel in present:
                fc = format_check(open(os.path.join(root, rel), 'rb').read())
                if fc:
                    total += 1
                    try:
                        detail, ok = fc[1](), True
                    except (ValueError, KeyError, IndexError, UnicodeDecodeError) as e:
                        detail, ok = str(e), False
                    bad += not ok
                    print('  %s format %-24s %s: %s' % ('ok  ' if ok else 'FAIL', fc[0], rel, detail))
            for s in exp['secrets']:
                total += 1
                ok = s.encode() in blob
                bad += not ok
                print('  %s secret planted %s' % ('ok  ' if ok else 'FAIL', s[:4] + '…'))
        counts = dict(exp['counts'])
        counts.update(exp.get('counts_raw', {}))
        for key, cmd in exp['how'].items():
            total += 1
            got = parse(sh(cmd))
            want = counts[key]
            ok = got == want
            bad += not ok
            print('  %s %-20s expected %-40s got %s' % ('ok  ' if ok else 'FAIL', key, json.dumps(want), json.dumps(got)))
            print('       $ %s' % cmd)
        for key, want in counts.items():
            if key not in exp['how'] and want is not None:
                total += 1
                bad += 1
                print('  FAIL %s has no verification command' % key)
        for c in exp.get('checks', []):
            total += 1
            got = sh(c['cmd'])
            ok = got == str(c['expect'])
            bad += not ok
            print('  %s check: %s: expected %s got %s' % ('ok  ' if ok else 'FAIL', c['what'], c['expect'], got))
    print('\n%d of %d verifications passed' % (total - bad, total))
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
