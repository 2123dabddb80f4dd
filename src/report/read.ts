/**
 * Reading a report.json written by this or any earlier cdb-forensics (replay, compare, verify,
 * report). Version 1 has no provenance; later fields are optional in the schema, so an older
 * report parses as it is and the caller says what it lacked.
 */
import { readFileSync } from 'node:fs';
import { UserError } from '../errors.js';
import { READABLE_SCHEMA_VERSIONS, REPORT_SCHEMA_VERSION, ReportSchema, type ReportModel } from './model.js';

export interface LoadedReport {
  model: ReportModel;
  bytes: Buffer;
  version: number;
  /** What an older version lacks, to be said wherever it matters. */
  notes: string[];
}

export function looksLikeReport(text: string): boolean {
  return /^\s*\{\s*"schema_version"\s*:/.test(text);
}

/**
 * Fields a later schema version added, filled in an older report as "not known": it parses with
 * today's schema, and the caller can say what it lacked. Returns what was added.
 */
function upgrade(json: Record<string, unknown>, version: number): string[] {
  const lacks: string[] = [];
  if (version < 3 && json && typeof json === 'object') {
    const flow = json.flow as Record<string, unknown> | undefined;
    if (flow && typeof flow === 'object' && !('hourly' in flow)) {
      Object.assign(flow, { break_stage: null, break_at: null, break_reason: null, break_evidence: [], hourly: [] });
      lacks.push('the hourly flow and the break in time');
    }
    const block = json.block as Record<string, unknown> | undefined;
    // Blocks were UTC days before a block could have a zone of its own.
    if (block && typeof block === 'object' && !('zone' in block)) block.zone = 'UTC';
    if (!('reconciliation' in json)) {
      json.reconciliation = [];
      lacks.push('reconciliation rows');
    }
    const coverage = json.coverage as Record<string, unknown> | undefined;
    if (coverage && typeof coverage === 'object' && !('classification' in coverage)) {
      coverage.classification = { catalog_version: null, services: [] };
      lacks.push('the event catalog');
    }
  }
  if (version < 4 && json && typeof json === 'object' && Array.isArray(json.hypotheses)) {
    let unlinked = false;
    for (const h of json.hypotheses as Record<string, unknown>[]) {
      if (h && typeof h === 'object' && !('chain' in h)) {
        Object.assign(h, { started_at: null, consequence_of: null, consequences: [], chain: '' });
        unlinked = true;
      }
    }
    if (unlinked) lacks.push('causes linked to their consequences');
  }
  if (version < 4 && json && typeof json === 'object') {
    const flow = json.flow as Record<string, unknown> | undefined;
    if (flow && typeof flow === 'object' && !('floors' in flow)) {
      flow.floors = [];
      lacks.push('stage floors (counts a later stage proves)');
    }
    if (!('snapshots' in json)) {
      json.snapshots = [];
      lacks.push('capture times of snapshots');
    }
  }
  if (version < 4 && json && typeof json === 'object') {
    if (!('timeline' in json)) {
      json.timeline = [];
      lacks.push('the incident timeline');
    }
    let keyless = false;
    for (const l of Array.isArray(json.layers) ? (json.layers as Record<string, unknown>[]) : []) {
      if (l && typeof l === 'object' && !('key_metrics' in l)) {
        Object.assign(l, { key_metrics: [], metric_notes: {} });
        keyless = true;
      }
    }
    if (keyless) lacks.push('the verdict metrics per layer');
  }
  if (version < 5 && json && typeof json === 'object' && !('lang' in json)) {
    // Reports before keyed texts were English, and only their headings can be rendered in another language.
    json.lang = 'en';
    lacks.push('keyed texts (report --lang translates only headings and labels)');
  }
  return lacks;
}

export function readReportFile(path: string): LoadedReport {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new UserError('BAD_REPORT', `cannot read the report: ${(e as Error).message}`, path, 'pass the report.json that `run` or `analyze --out` wrote');
  }
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch (e) {
    throw new UserError('BAD_REPORT', `not JSON: ${(e as Error).message}`, path, 'pass the report.json that `run` or `analyze --out` wrote');
  }
  const version = (json as { schema_version?: unknown } | null)?.schema_version;
  if (typeof version !== 'number') throw new UserError('BAD_REPORT', 'not a cdb-forensics report.json (no schema_version)', path, 'pass the report.json that `run` or `analyze --out` wrote');
  if (version > REPORT_SCHEMA_VERSION) {
    throw new UserError('REPORT_NEWER', `report.json has schema version ${version}; this cdb-forensics reads up to ${REPORT_SCHEMA_VERSION}`, path, 'use the cdb-forensics version that wrote it (report.json `tool.version`) or a newer one');
  }
  if (!(READABLE_SCHEMA_VERSIONS as readonly number[]).includes(version)) throw new UserError('BAD_REPORT', `unknown report.json schema version ${version}`, path, 'pass a report.json written by cdb-forensics');
  const lacks = upgrade(json as Record<string, unknown>, version);
  const r = ReportSchema.safeParse(json);
  if (!r.success) {
    const i = r.error.issues[0];
    throw new UserError('BAD_REPORT', `report.json (schema version ${version}) is not valid at ${i.path.map(String).join('.') || '(root)'}: ${i.message}`, path, 'was it edited by hand? run the analysis again');
  }
  const notes: string[] = [];
  if (!r.data.provenance) notes.push(`report.json has schema version ${version} and no provenance`);
  if (lacks.length) notes.push(`report.json has schema version ${version}, before ${lacks.join(', ')}`);
  return { model: r.data, bytes, version, notes };
}
