import { describe, expect, it } from 'vitest';
import { unkeyedTexts } from './unkeyed.js';

const t = (key: string) => ({ key, params: {} });

describe('unkeyedTexts lists the prose a German report would leave English', () => {
  it.each<[string, unknown, string[]]>([
    ['a keyed finding', { layers: [{ title: 'Risk', texts: { title: t('layer.risk') }, findings: [{ message: 'x', texts: { message: t('a.b') } }] }] }, []],
    ['a finding said as a plain string', { layers: [{ title: 'Risk', texts: { title: t('layer.risk') }, findings: [{ message: 'all rejected' }] }] }, ['layers[0].findings[0].message']],
    ['a layer title without its key', { layers: [{ title: 'Risk', findings: [] }] }, ['layers[0].title']],
    ['a metric note keyed on its layer', { layers: [{ title: 'R', texts: { title: t('l'), 'metric_notes.events': t('n') }, metric_notes: { events: 'sample', other: 'raw' } }] }, ['layers[0].metric_notes.other']],
    ['the break reason', { flow: { break_reason: 'stopped', texts: {} } }, ['flow.break_reason']],
    ['a null or empty field is not prose', { flow: { break_reason: null }, hypotheses: [{ title: 'x', texts: { title: t('k') }, why: null, chain: '' }] }, []],
    ['a consequence title', { hypotheses: [{ title: 'x', texts: { title: t('k') }, consequences: [{ title: 'y' }] }] }, ['hypotheses[0].consequences[0].title']],
    ['a reconciliation candidate label', { reconciliation: [{ note: null, candidates: [{ label: 'day', texts: { label: t('k') } }, { label: 'night' }] }] }, ['reconciliation[0].candidates[1].label']],
  ])('%s', (_name, model, want) => {
    expect(unkeyedTexts(model).map((h) => h.path)).toEqual(want);
  });
});
