import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { headFromText } from '../testing.js';
import composePs from '../parsers/compose-ps.js';
import dailyCheckMd from '../parsers/daily-check-md.js';
import dockerInspect from '../parsers/docker-inspect.js';
import dotenv from '../parsers/dotenv.js';
import reportMail from '../parsers/report-mail.js';
import statusJson from '../parsers/status-json.js';
import systemcheckLog from '../parsers/systemcheck-log.js';
import { detect } from '../detect.js';
import { PARSERS as REGISTRY } from '../registry.js';

/** The report, container and config parsers must not claim each other's files, nor logs, CSV, dumps or Redis captures. */
const PARSERS = [composePs, dailyCheckMd, dockerInspect, dotenv, reportMail, statusJson, systemcheckLog];

const REAL = new URL('../../../../shared/fixtures/real-tools/', import.meta.url);

function realFixtures(): [string, string][] {
  const out: [string, string][] = [];
  for (const dir of readdirSync(REAL, { withFileTypes: true })) {
    if (!dir.isDirectory()) continue;
    for (const f of readdirSync(new URL(`${dir.name}/`, REAL))) {
      out.push([`${dir.name}/${f}`, readFileSync(new URL(`${dir.name}/${f}`, REAL), 'utf8')]);
    }
  }
  return out.sort();
}

const EXPECTED_REAL: Record<string, string> = {
  'docker/compose_ps.txt': 'compose-ps',
  'docker/compose_ps.json': 'compose-ps',
};

const SYNTHETIC: [string, string, string][] = [
  ['.env', '# cfg\nPOSTGRES_USER=claire_user\nREDIS_PASSWORD=x\nMAX_EXPOSURE_PCT=0.50\n', 'dotenv'],
  ['docker inspect', JSON.stringify([{ Id: 'f'.repeat(64), State: { Status: 'running' }, Name: '/cdb_risk', RestartCount: 0, Config: { Env: ['A=1'] } }], null, 4), 'docker-inspect'],
  ['risk /status', JSON.stringify({ signals_received: 3, orders_approved: 0, orders_blocked: 3, risk_state: { total_exposure: 1 } }, null, 2), 'status-json'],
  ['daily_check.md', '# Daily Report - 2025-12-14\n\nGenerated: 2025-12-14 21:23:38\n\n## 2. Portfolio Summary\n\n| Metric | Value |\n', 'daily-check-md'],
  [
    'paper-runner .eml',
    'Content-Type: multipart/mixed; boundary="b"\nMIME-Version: 1.0\nSubject: [INFO] Claire de Binare: Daily Report\n\n--b\nContent-Type: text/plain; charset="utf-8"\nContent-Transfer-Encoding: base64\n\nCkNsYWlyZQ==\n--b--\n',
    'report-mail',
  ],
  ['systemcheck log', `${'='.repeat(60)}\nCLAIRE DE BINARE - SYSTEMCHECK\nTimestamp: 20251214_212322\n${'='.repeat(60)}\n`, 'systemcheck-log'],
  ['mail .txt copy', '\nClaire de Binare Paper Trading Alert\n\nSeverity: INFO\nTime: 2025-12-22 00:00:00\nSubject: Daily Report\n', 'report-mail'],
];

describe('sniff matrix', () => {
  it.each(realFixtures())('real fixture %s is claimed only by its parser', (name, text) => {
    const head = headFromText(text, name.split('/')[1]);
    const claimed = PARSERS.filter((p) => p.claims.sniff(head) !== null).map((p) => p.id);
    expect(claimed).toEqual(EXPECTED_REAL[name] ? [EXPECTED_REAL[name]] : []);
  });

  it.each(SYNTHETIC)('%s is claimed only by %s', (_name, text, id) => {
    const head = headFromText(text, 'renamed.bin');
    const claimed = PARSERS.filter((p) => p.claims.sniff(head) !== null).map((p) => p.id);
    expect(claimed).toEqual([id]);
  });

  it('every parser id equals its file name', () => {
    const files = readdirSync(new URL('../parsers/', import.meta.url));
    for (const p of PARSERS) expect(files).toContain(`${p.id}.ts`);
  });

  describe('against the whole registry', () => {
    const mine = new Set(PARSERS.map((p) => p.id));
    it.each(realFixtures())('real fixture %s goes to the right family', (name, text) => {
      const winner = detect(headFromText(text, 'renamed.bin'), REGISTRY).parser?.id ?? null;
      if (EXPECTED_REAL[name]) expect(winner).toBe(EXPECTED_REAL[name]);
      else expect(mine.has(winner ?? '')).toBe(false);
    });

    it.each(SYNTHETIC)('%s is detected as %s', (_name, text, id) => {
      expect(detect(headFromText(text, 'renamed.bin'), REGISTRY).parser?.id).toBe(id);
    });
  });
});
