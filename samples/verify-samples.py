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
