import { describe, expect, it } from 'vitest';
import { CATALOG, fieldsOf } from '../catalog/index.js';
import { fieldReader } from './field-reader.js';

/** Every catalog sample, and a line no entry matches, with the fields fieldsOf finds plus one it never has. */
const cases = CATALOG.flatMap((e) =>
  [...Object.values(e.samples).flat(), 'a line no catalog entry matches'].map((message) => ({ id: e.id, message: message as string })),
);

describe('fieldReader gives what fieldsOf gives, field by field', () => {
  it.each(cases)('$id: $message', ({ id, message }) => {
    const full = fieldsOf(id, message);
    const names = [...Object.keys(full ?? {}), 'no_such_field'];
    expect(fieldReader(id, names)(message)).toEqual(full === null ? null : names.map((n) => full[n]));
  });

  it.each([
    // Alternatives named `error` and `error2`: the first defined wins, whichever branch matched.
    ['runner.connect_failed', 'PostgreSQL connection failed: timeout', 'timeout'],
    ['runner.connect_failed', 'Event subscription error: lost', 'lost'],
  ])('%s: %s → error %s', (id, message, error) => {
    expect(fieldsOf(id, message)?.error).toBe(error);
    expect(fieldReader(id, ['error'])(message)).toEqual([error]);
  });

  it('the cases cover matches with fields', () => {
    expect(cases.filter((c) => Object.keys(fieldsOf(c.id, c.message) ?? {}).length > 0).length).toBeGreaterThan(20);
  });
});
