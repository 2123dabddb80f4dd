import { describe, expect, it } from 'vitest';
import { repairMojibake } from './mojibake.js';

describe('repairMojibake', () => {
  it.each([
    ['"python -u db_writerâ€¦"', '"python -u db_writer…"'],
    ['"docker-entrypoint.sÔÇª"', '"docker-entrypoint.s…"'],
    ['âœ… Connected', '✅ Connected'],
    ['Ô£à Order freigegeben', '✅ Order freigegeben'],
    ['\u00e2\u009c\u0085 Latin-1 read', '✅ Latin-1 read'],
    ['ðŸ“Š Events logged', '📊 Events logged'],
    ['Noch keine Daten â€“ warte', 'Noch keine Daten – warte'],
    ['Ã¼ber', 'über'],
    ['├╝ber', 'über'],
    ['Größe und Übermaß', 'Größe und Übermaß'],
    ['✅ already fine …', '✅ already fine …'],
    ['plain ascii', 'plain ascii'],
  ])('%s', (input, out) => {
    expect(repairMojibake(input)).toBe(out);
  });
});
