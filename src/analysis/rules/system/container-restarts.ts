import { classes } from '../../../catalog/index.js';
import { fieldOf } from '../shared/logs.js';
import { defineRule, type RuleResult, type Evidence, type Finding, type Hypothesis, type Todo, type VerificationCheck } from '../../define-rule.js';
import {
  blockMs, codePath, composeFile, coverageText, covers, findLogs, isPipeline, likelihoodFromScore, logEvidence, loggedServices, PIPELINE_SERVICES,
  spreadEvidence, type LogRow,
} from '../../rule-kit.js';
import { captureText, snapshotOf } from '../../snapshots.js';
import { classesPassing, classIn, serviceLoggedBefore } from '../../../db/log-rollup.js';
import { text, type Text } from '../../../i18n/translate.js';

/** Startup banners (formats doc §3.1, §2.5): each one in a kept log is one (re)start of the process. */
const BANNERS: { services: string[]; klass: string; field?: [string, string] }[] = [
  { services: ['cdb_risk'], klass: 'risk.started' },
  { services: ['cdb_core', 'cdb_signal'], klass: 'signal.started' },
  { services: ['cdb_execution'], klass: 'exec.starting' },
  { services: ['cdb_db_writer'], klass: 'writer.starting' },
  { services: ['cdb_paper_runner'], klass: 'runner.initialized' },
  { services: ['cdb_redis'], klass: 'redis.starting' },
  { services: ['cdb_postgres'], klass: 'pg.ready' },
  { services: ['cdb_ws'], klass: 'feed.mode' },
  { services: ['cdb_ws'], klass: 'feed.fetching_symbols' },
  { services: ['cdb_candles'], klass: 'pipeline.service_started', field: ['service', 'Candle'] },
  { services: ['cdb_regime'], klass: 'pipeline.service_started', field: ['service', 'Regime'] },
  { services: ['cdb_allocation'], klass: 'pipeline.service_started', field: ['service', 'Allocation'] },
  { services: ['cdb_reports'], klass: 'reports.service_started' },
];
const INITDB = classes('pg.initdb');

/** This many restarts of one service spread over half the block is a crash loop, not a redeploy. */
const CRASH_LOOP_RESTARTS = 10;
const STARTUP_LEAD_MS = 5 * 60_000;

interface ContainerRow {
  file_id: number;
  line_no: number;
  name: string | null;
  service: string | null;
  state: string | null;
  status: string | null;
  health: string | null;
  exit_code: number | null;
  restart_count: number | null;
}

export default defineRule({
  id: 'container-restarts',
  layer: 'system',
  title: 'Restarts, crash loops and exited containers per service',
  needs: ['docker compose ps / docker inspect (containers)', 'service logs with startup banners (log_events)'],
  keyMetrics: ['restarts_total', 'services_restarting', 'services_exited'],
  check(ctx): RuleResult {
    const findings: Finding[] = [];
    const hypotheses: Hypothesis[] = [];
    const todos: Todo[] = [];
    const verification: VerificationCheck[] = [];
    const metrics: Record<string, number | string | null> = {};
    const L = blockMs(ctx);
    /** Restarts per service: the larger of docker's RestartCount and the banner count. */
    const perService = new Map<string, number>();

    // --- docker compose ps / inspect
    const containers = ctx.db
      .prepare('SELECT file_id, line_no, name, service, state, status, health, exit_code, restart_count FROM containers ORDER BY COALESCE(service, name), file_id, line_no')
      .all() as ContainerRow[];
    const bySvc = new Map<string, ContainerRow[]>();
    for (const c of containers) {
      const s = c.service ?? c.name ?? '?';
      if (!bySvc.has(s)) bySvc.set(s, []);
      bySvc.get(s)!.push(c);
    }
    const restarting: { svc: string; row: ContainerRow }[] = [];
    const exited: { svc: string; row: ContainerRow }[] = [];
    let restartCount = 0;
    for (const [svc, rows] of bySvc) {
      for (const r of rows) {
        const st = `${r.state ?? ''} ${r.status ?? ''}`;
        if (/restarting/i.test(st)) restarting.push({ svc, row: r });
        else if (/\bexit(ed)?\b/i.test(st)) exited.push({ svc, row: r });
        restartCount = Math.max(restartCount, r.restart_count ?? 0);
      }
      const rc = Math.max(0, ...rows.map((r) => r.restart_count ?? 0));
      if (rc > 0) {
        perService.set(svc, Math.max(perService.get(svc) ?? 0, rc));
        const r = rows.find((x) => (x.restart_count ?? 0) === rc)!;
        findings.push({
          subject: `restart-count.${svc}`,
          severity: rc >= CRASH_LOOP_RESTARTS ? 'high' : 'medium',
          message: text('container-restarts.restart_count', { service: svc, n: rc }),
          evidence: [ctx.evidence(r.file_id, r.line_no, `${r.name ?? svc} ${r.status ?? r.state ?? ''} RestartCount=${rc}`)],
        });
      }
    }
    // A snapshot is the state at its own capture time: a restart loop seen before a repair is not
    // the state at the end. Repaired = the service's own log runs on, without a crash loop, after it.
    const label = (row: ContainerRow) => captureText(snapshotOf(ctx.db, ctx.block, row.file_id), ctx.block);
    const repairedAfter = (svc: string, row: ContainerRow): Text | null => {
      const snap = snapshotOf(ctx.db, ctx.block, row.file_id);
      if (!snap?.captured_at || !snap.during_block) return null;
      const after = new Date(Date.parse(snap.captured_at) + 10 * 60_000).toISOString();
      // The service's classes (the rollup's): its records are read through the (class, ts) index.
      const own = classesPassing(ctx.db, 'service = ?', svc);
      const only = own === null ? { sql: '', params: [] as string[] } : classIn(own);
      const later = ctx.db
        .prepare(`SELECT COUNT(*) AS n, MAX(ts) AS l FROM log_events WHERE service = ? AND ts > ? AND kind <> 'health_poll'${only.sql}`)
        .get(svc, after, ...only.params) as { n: number; l: string | null };
      if (later.n < 10 || !later.l || Date.parse(later.l) - Date.parse(after) < 30 * 60_000) return null;
      const klasses = BANNERS.filter((b) => b.services.includes(svc)).map((b) => b.klass);
      const restartsAfter = klasses.length
        ? (ctx.db.prepare(`SELECT COUNT(*) AS n FROM log_events WHERE service = ? AND ts > ? AND class IN (SELECT value FROM json_each(?))`).get(svc, after, JSON.stringify(klasses)) as { n: number }).n
        : 0;
      if (restartsAfter > 2) return null;
      return text('container-restarts.repaired', { n: later.n, until: later.l, restarts: restartsAfter });
    };
    const repaired = new Set<string>();
    const seenState = new Set<string>();
    for (const { svc, row } of restarting) {
      if (seenState.has(svc)) continue;
      seenState.add(svc);
      const fixed = repairedAfter(svc, row);
      const at = label(row);
      const prefix = at ? text('container-restarts.at', { at }) : '';
      const status = row.status ?? row.state ?? '';
      if (fixed) repaired.add(svc);
      findings.push({
        subject: `restarting.${svc}`,
        severity: fixed ? 'medium' : isPipeline(svc) ? 'critical' : 'high',
        message: fixed
          ? text('container-restarts.was_restarting', { prefix, service: svc, status, fixed })
          : text('container-restarts.restarting', { prefix, service: svc, status }),
        evidence: [ctx.evidence(row.file_id, row.line_no, `${row.name ?? svc} ${row.status ?? row.state ?? ''}`)],
      });
    }
    for (const { svc, row } of exited) {
      if (seenState.has(svc)) continue;
      seenState.add(svc);
      const code = row.exit_code ?? Number(/\((\d+)\)/.exec(row.status ?? '')?.[1] ?? NaN);
      const why = text(code === 137 ? 'container-restarts.exit.137' : code === 143 ? 'container-restarts.exit.143' : code === 1 ? 'container-restarts.exit.1' : code === 0 ? 'container-restarts.exit.0' : 'container-restarts.exit.unknown');
      const fixed = repairedAfter(svc, row);
      const at = label(row);
      const prefix = at ? text('container-restarts.at', { at }) : '';
      const status = row.status ?? row.state ?? '';
      if (fixed) repaired.add(svc);
      findings.push({
        subject: `exited.${svc}`,
        severity: fixed ? 'low' : isPipeline(svc) ? 'high' : 'low',
        message: fixed
          ? text('container-restarts.had_exited', { prefix, service: svc, status, why, fixed })
          : text('container-restarts.exited', { prefix, service: svc, status, why, down: isPipeline(svc) ? text('container-restarts.pipeline_down') : '' }),
        evidence: [ctx.evidence(row.file_id, row.line_no, `${row.name ?? svc} ${row.status ?? row.state ?? ''}`)],
      });
    }
    // The end state decides the layer: a repaired service no longer counts as restarting or down.
    const stillRestarting = restarting.filter((r) => !repaired.has(r.svc));
    const stillExited = exited.filter((r) => !repaired.has(r.svc));
    restarting.length = 0;
    restarting.push(...stillRestarting);
    exited.length = 0;
    exited.push(...stillExited);
    for (const [svc, rows] of bySvc) {
      const sick = rows.find((r) => /unhealthy/i.test(`${r.health ?? ''} ${r.status ?? ''}`));
      if (!sick || seenState.has(svc)) continue;
      // Era A's paper-runner image has no curl, so its healthcheck always fails (formats doc §8).
      const known = svc === 'cdb_paper_runner' && ctx.block.era === 'A';
      findings.push({
        subject: `unhealthy.${svc}`,
        severity: known ? 'info' : svc === 'cdb_redis' || svc === 'cdb_postgres' ? 'high' : 'low',
        message: known
          ? text('container-restarts.unhealthy_era_a', { service: svc })
          : text('container-restarts.unhealthy', { service: svc, status: sick.status ?? sick.health ?? '' }),
        evidence: [ctx.evidence(sick.file_id, sick.line_no, `${sick.name ?? svc} ${sick.status ?? sick.health ?? ''}`)],
      });
    }

    // --- startup banners in the logs
    const bannerRows = findLogs(ctx, { classes: classes(...new Set(BANNERS.map((b) => b.klass))) });
    const starts = new Map<string, LogRow[]>();
    for (const r of bannerRows) {
      const b = BANNERS.find((x) => x.klass === r.class && (!x.field || fieldOf(r, x.field[0]) === x.field[1]));
      if (!b) continue;
      // A banner names its service; the row's service only decides between cdb_core and cdb_signal.
      const svc = r.service && b.services.includes(r.service) ? r.service : ctx.block.era === 'A' ? b.services[0] : b.services[b.services.length - 1];
      if (!starts.has(svc)) starts.set(svc, []);
      starts.get(svc)!.push(r);
    }
    // Postgres logs "ready" once more for the temporary server initdb runs.
    const initRows = findLogs(ctx, { classes: INITDB });
    const initComplete = initRows.filter((r) => /init process complete/.test(r.message));
    if (starts.has('cdb_postgres') && initComplete.length) {
      const pg = starts.get('cdb_postgres')!;
      for (const ic of initComplete) {
        const i = pg.findIndex((r) => r.ts !== null && ic.ts !== null && r.ts <= ic.ts);
        if (i >= 0) pg.splice(i, 1);
      }
    }
    let bannerRestarts = 0;
    const loops: string[] = [];
    const crashEvidence: Evidence[] = [];
    for (const [svc, rows] of [...starts.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
      if (rows.length === 0) continue;
      const first = rows[0];
      // The first banner is the initial start unless the service logged well before it (startup
      // lines such as `Config validiert` or initdb come in the minutes just before the banner).
      const earlier = first.ts ? serviceLoggedBefore(ctx.db, svc, new Date(Date.parse(first.ts) - STARTUP_LEAD_MS).toISOString()) : false;
      const restarts = earlier ? rows.length : rows.length - 1;
      if (restarts <= 0) continue;
      bannerRestarts += restarts;
      perService.set(svc, Math.max(perService.get(svc) ?? 0, restarts));
      const timed = rows.filter((r) => r.ts);
      const spread = timed.length > 1 ? Date.parse(timed[timed.length - 1].ts!) - Date.parse(timed[0].ts!) : 0;
      const loop = isPipeline(svc) && restarts >= CRASH_LOOP_RESTARTS && spread >= L * 0.5;
      if (loop) loops.push(svc);
      findings.push({
        subject: `restarts.${svc}`,
        severity: loop ? 'critical' : restarts >= 3 ? 'high' : 'medium',
        message: text('container-restarts.restarts', {
          service: svc,
          restarts,
          banners: rows.length,
          span: timed.length > 1 ? text('container-restarts.over', { d: spread / 1000 }) : '',
          loop: loop ? text('container-restarts.crash_loop') : '',
        }),
        evidence: spreadEvidence(ctx, rows),
      });
      if (restarts >= 3) crashEvidence.push(...spreadEvidence(ctx, rows, 2));
    }
    // Every service seen gets its count, 0 included (the runbook's "Anzahl Restarts pro Service").
    for (const svc of new Set([...bySvc.keys(), ...loggedServices(ctx).filter((s) => PIPELINE_SERVICES.includes(s) || s === 'cdb_paper_runner')])) {
      if (!perService.has(svc)) perService.set(svc, 0);
    }
    for (const [svc, n] of [...perService.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) metrics[`restarts.${svc}`] = n;
    metrics.restarts_total = bannerRestarts;
    metrics.docker_restart_count_max = containers.length ? restartCount : null;
    metrics.services_restarting = new Set(restarting.map((r) => r.svc)).size;
    metrics.services_exited = new Set(exited.map((r) => r.svc)).size;

    // --- storage reset: initdb means a fresh, empty database
    let storageReset = false;
    for (const r of initRows.slice(0, 1)) {
      // Only whether there is one: an app record is looked for through its classes (the rollup's).
      const apps = classesPassing(ctx.db, "kind = 'app' AND service IS NOT NULL AND service <> 'cdb_postgres'");
      const only = apps === null ? { sql: '', params: [] as string[] } : classIn(apps);
      const prior = r.ts
        ? (ctx.db
            .prepare(
              `SELECT EXISTS (SELECT 1 FROM log_events WHERE ts < ? AND COALESCE(in_block, 1) = 1 AND kind = 'app' AND service IS NOT NULL AND service <> 'cdb_postgres'${only.sql})
                    + (SELECT COUNT(*) FROM signals WHERE ts < ? AND in_block = 1)
                    + (SELECT COUNT(*) FROM trades WHERE ts < ? AND in_block = 1) AS n`,
            )
            .get(new Date(Date.parse(r.ts) - 60_000).toISOString(), ...only.params, r.ts, r.ts) as { n: number }).n
        : 0;
      if (prior > 0) {
        storageReset = true;
        findings.push({
          subject: 'postgres-initdb',
          severity: 'critical',
          message: text('container-restarts.initdb_mid_block'),
          evidence: initRows.slice(0, 3).map((x) => logEvidence(ctx, x)),
        });
      } else {
        findings.push({
          subject: 'postgres-initdb',
          severity: 'info',
          message: text('container-restarts.initdb_fresh'),
          evidence: [logEvidence(ctx, r)],
        });
      }
    }

    // --- status
    const pipeRestarting = restarting.some((r) => isPipeline(r.svc));
    const pipeExited = exited.some((r) => isPipeline(r.svc) && !restarting.some((x) => x.svc === r.svc));
    const anyCoverage = PIPELINE_SERVICES.some((s) => covers(ctx, s));
    const hasEvidence = containers.length > 0 || bannerRows.length > 0 || initRows.length > 0 || anyCoverage;
    if (!hasEvidence) {
      return {
        status: 'not_evaluable',
        missing: text('container-restarts.missing', { coverage: ['cdb_risk', 'cdb_execution'].map((s) => coverageText(ctx, s)) }),
      };
    }
    const fail = pipeRestarting || pipeExited || loops.length > 0 || storageReset;
    const warn = findings.some((f) => f.severity !== 'info');

    // --- hypotheses, to-dos, checks
    let score = 0;
    const ev: Evidence[] = [];
    if (pipeRestarting) {
      // `Restarting (n)` is the crash loop itself, observed by docker.
      score += 3;
      ev.push(...findings.filter((f) => f.subject?.startsWith('restarting.')).flatMap((f) => f.evidence));
    }
    if (bannerRestarts >= 1) score += 1;
    if (bannerRestarts >= 3) score += 1;
    if (loops.length) score += 1;
    if (pipeExited) {
      score += 1;
      ev.push(...findings.filter((f) => f.subject?.startsWith('exited.')).flatMap((f) => f.evidence));
    }
    ev.push(...crashEvidence);
    const lk = score >= 2 ? likelihoodFromScore(score) : null;
    const loopSvcs = [...new Set([...restarting.map((r) => r.svc), ...loops, ...exited.filter((e) => isPipeline(e.svc)).map((e) => e.svc)])].filter(isPipeline).sort();
    if (lk) {
      hypotheses.push({
        cause: 'system.crash_loop',
        title: text('container-restarts.hyp.crash_loop', { services: loopSvcs.length ? text('container-restarts.services', { services: loopSvcs }) : '' }),
        likelihood: lk,
        evidence: ev,
        why: text('container-restarts.hyp.crash_loop_why'),
      });
      for (const s of loopSvcs) {
        todos.push({
          category: 'CODE', title: text('container-restarts.todo.fix_exit', { service: s }), priority: 'high', effort: 'larger',
          where: codePath(ctx.block.era, s), cause: 'system.crash_loop',
        });
      }
    }
    if (storageReset) {
      hypotheses.push({
        cause: 'system.storage_reset',
        title: text('container-restarts.hyp.storage_reset'),
        likelihood: 'very_likely',
        evidence: initRows.slice(0, 3).map((x) => logEvidence(ctx, x)),
        why: text('container-restarts.hyp.storage_reset_why'),
      });
      todos.push({
        category: 'CONFIG', title: text('container-restarts.todo.keep_volume'), priority: 'high', effort: 'quick_win',
        where: `${composeFile(ctx.block.era)} (cdb_postgres volumes)`, cause: 'system.storage_reset',
      });
    }
    if (fail || bannerRestarts > 0 || restartCount > 0) {
      todos.push({
        category: 'MONITORING', title: text('container-restarts.todo.alert'), priority: 'medium', effort: 'larger',
        where: text('container-restarts.where.alert'),
      });
    }
    verification.push({
      id: 'system.restarts',
      title: text('container-restarts.check.restarts'),
      kind: 'log',
      check: 'Risk-Manager gestartet|Signal-Engine gestartet|^Starting execution_service|Starting DB Writer Service|PAPER TRADING RUNNER INITIALIZED',
      expect: { op: '<=', value: 5 },
    });
    return {
      status: fail ? 'fail' : warn ? 'warn' : 'ok',
      metrics,
      findings,
      hypotheses,
      todos,
      verification,
    };
  },
});
