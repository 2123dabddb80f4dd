import { describe, expect, it } from 'vitest';
import { cite, citationNotes, citeNote, shortPath } from './citation.js';

const ID = 'eb58e05be19be0deac84a78953c95c135461ebe6be509b1291d5c73bd1f55e50';
const ID2 = 'a'.repeat(58) + '8069e3';

describe('citations', () => {
  it.each<[string, number, string | undefined, string]>([
    [`containers/${ID2}/${ID2}-json.log`, 530, 'cdb_risk', 'cdb_risk (json-file …8069e3):530'],
    [`/var/lib/docker/containers/${ID2}/${ID2}-json.log.1`, 7, 'cdb_risk', 'cdb_risk (json-file.1 …8069e3):7'],
    [`persistence-era-b.zip!/logs/${ID}-json.log`, 89, 'cdb_db_writer', 'cdb_db_writer (json-file …f55e50):89'],
    [`containers/${ID2}/${ID2}-json.log`, 530, undefined, 'json-file …8069e3:530'],
    ['healthy-era-a.tgz!/cdb_block_2025-12-15/compose_logs.txt', 12, 'cdb_ws', 'cdb_ws (healthy-era-a.tgz!/…/compose_logs.txt):12'],
    ['outer.tgz!/evidence/inner.zip!/a/b/c/service_logs_2025.txt', 3, undefined, 'inner.zip!/…/service_logs_2025.txt:3'],
    ['logs/compose_logs.txt', 2457, 'cdb_ws', 'cdb_ws (logs/compose_logs.txt):2457'],
    ['b.zip!/logs/x.txt', 4, undefined, 'b.zip!/logs/x.txt:4'],
    ['evidence/server-a/var/log/claire/cdb_signal/app-2025-11-26.log', 9, 'cdb_signal', 'cdb_signal (evidence/…/app-2025-11-26.log):9'],
    ['.env', 0, undefined, '.env'],
    ['(derived)', 0, undefined, '(derived)'],
    [`x/${ID2}-json.log`, 0, 'cdb_risk', 'cdb_risk (json-file …8069e3)'],
  ])('%s:%i (%s) reads %s', (file, line, service, want) => {
    expect(cite(file, line, service)).toBe(want);
  });

  it.each<[string, boolean]>([
    [`containers/${ID2}/${ID2}-json.log`, true],
    ['healthy-era-a.tgz!/cdb_block_2025-12-15/compose_logs.txt', true],
    ['logs/compose_logs.txt', false],
    ['not-a-container-id-json.log', false],
  ])('%s gets a footnote: %s', (file, note) => {
    expect(citeNote(file) !== '').toBe(note);
    expect(shortPath(file) !== file).toBe(note);
  });

  it('lists every shortened path once, sorted, with the label the citation uses', () => {
    const long = `containers/${ID2}/${ID2}-json.log`;
    const model = {
      layers: [{ findings: [{ evidence: [{ file: long, line: 1, text: 'a' }, { file: 'logs/x.txt', line: 2, text: 'b' }] }] }],
      hypotheses: [{ evidence: [{ file: long, line: 9, text: 'c' }, { file: 'z.tgz!/a/very/deep/folder/with/a/long/name/file.txt', line: 1, text: 'd' }] }],
      quarantine: { entries: [{ file: `q/${ID}-json.log`, line: 1, reason: 'r', excerpt: null }] },
    };
    const notes = citationNotes(model);
    expect(notes.map((n) => n.path)).toEqual([long, 'z.tgz!/a/very/deep/folder/with/a/long/name/file.txt']);
    expect(citeNote(long)).toBe(`[^${notes[0].label}]`);
    expect(new Set(notes.map((n) => n.label)).size).toBe(2);
  });
});
