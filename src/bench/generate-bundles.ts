import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Bundles as analysts pack them, for the benchmark: a huge `.env`, a copied project folder of
 * many files that are not evidence, a log inside a zip inside a tar.gz inside a zip whose header
 * lies about the log's size, and a long console session. Each returns what ingest must store.
 */

export interface EnvGen {
  lines: number;
  keys: number;
}

/** `lines` assignments over `keys` keys: every line a setting, one note per repeated key. */
export function generateEnv(dir: string, lines: number, keys: number): EnvGen {
  mkdirSync(dir, { recursive: true });
  const out: string[] = [];
  for (let n = 0; n < lines; n++) out.push(`SETTING_${n % keys}=value_${n}`);
  writeFileSync(join(dir, '.env'), out.join('\n') + '\n');
  return { lines, keys: Math.min(keys, lines) };
}

export interface ManyGen {
  files: number;
  evidenceLines: number;
}

/** A project folder with its `.venv`: `files` source files no parser claims, and one compose log. */
export function generateManyFiles(dir: string, files: number, log: string): ManyGen {
  const text = Array.from({ length: 30 }, (_, i) => `def f${i}(x): return x * ${i}  # generated module text, long enough that thirty lines make ~4 KiB`).join('\n') + '\n';
  const perDir = 100;
  for (let d = 0; d * perDir < files; d++) {
    const sub = join(dir, 'project', '.venv', 'lib', 'python3.12', 'site-packages', `pkg${d}`);
    mkdirSync(sub, { recursive: true });
    for (let i = 0; i < perDir && d * perDir + i < files; i++) writeFileSync(join(sub, `mod${i}.py`), text);
  }
  mkdirSync(join(dir, 'evidence'), { recursive: true });
  const body = readFileSync(log);
  writeFileSync(join(dir, 'evidence', 'compose_logs.txt'), body);
  return { files: files + 1, evidenceLines: countLines(body) };
}

function countLines(b: Buffer): number {
  let n = 0;
  for (let i = 0; i < b.length; i++) if (b[i] === 10) n++;
  return b.length > 0 && b[b.length - 1] !== 10 ? n + 1 : n;
}

const NEST = `
import io, sys, tarfile, zipfile
log = open(sys.argv[1], 'rb').read()
def tgz(name, data):
    b = io.BytesIO()
    with tarfile.open(fileobj=b, mode='w:gz') as t:
        ti = tarfile.TarInfo(name); ti.size = len(data); ti.mtime = 1766352600
        t.addfile(ti, io.BytesIO(data))
    return b.getvalue()
zb = io.BytesIO()
with zipfile.ZipFile(zb, 'w', zipfile.ZIP_DEFLATED) as z:
    z.writestr(zipfile.ZipInfo('logs/compose.txt', date_time=(2025, 12, 21, 22, 30, 0)), log, zipfile.ZIP_DEFLATED)
z = bytearray(zb.getvalue())
# the header understates the member: 0 bytes in the local header and the central directory
lo = z.find(b'PK\\x03\\x04'); ce = z.find(b'PK\\x01\\x02')
z[lo + 22:lo + 26] = b'\\0\\0\\0\\0'; z[ce + 24:ce + 28] = b'\\0\\0\\0\\0'
inner = tgz('export/evidence.zip', bytes(z))
ob = io.BytesIO()
with zipfile.ZipFile(ob, 'w', zipfile.ZIP_DEFLATED) as z2:
    z2.writestr(zipfile.ZipInfo('bundle/inner.tar.gz', date_time=(2025, 12, 21, 22, 30, 0)), inner, zipfile.ZIP_STORED)
open(sys.argv[2], 'wb').write(tgz('upload/outer.zip', ob.getvalue()))
`;

/** compose.txt in a lying zip, in a tar.gz, in a zip, in a tar.gz: four levels (needs python3). */
export function generateNested(dir: string, log: string): { lines: number; path: string } | null {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'bundle.tgz');
  const r = spawnSync('python3', ['-c', NEST, log, path]);
  if (r.status !== 0) return null;
  return { lines: countLines(readFileSync(log)), path };
}

export interface SessionGen {
  lines: number;
  commands: number;
  /** Rows ingest must store: the banner, each command, each log line, each `docker start` answer. */
  rows: number;
}

/** A long console session: `commands` × (`docker logs` of `per` lines, then a command no parser knows). */
export function generateSession(dir: string, commands: number, per: number): SessionGen {
  mkdirSync(dir, { recursive: true });
  const out: string[] = ['Windows PowerShell'];
  const prompt = 'PS C:\\Users\\op\\Claire_de_Binare>';
  for (let c = 0; c < commands; c++) {
    out.push(`${prompt} docker logs --tail ${per} cdb_core`);
    for (let i = 0; i < per; i++) out.push(`2025-12-21 10:${String(i % 60).padStart(2, '0')}:00,000 - core - INFO - tick ${c}.${i}`);
    out.push(`${prompt} docker start cdb_core`, 'cdb_core');
  }
  writeFileSync(join(dir, 'session.txt'), out.join('\r\n') + '\r\n');
  return { lines: out.length, commands: commands * 2, rows: 1 + commands * 2 + commands * per + commands };
}
