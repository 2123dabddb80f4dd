import { openBundle } from './dist/bundle/open-bundle.js';
import { PARSERS } from './dist/ingest/registry.js';
import { detect } from './dist/ingest/detect.js';
import { Redactor } from './dist/redact/secrets.js';
const dir = process.argv[2], mode = process.argv[3];
const b = await openBundle(dir);
const t0 = performance.now();
let n = 0, chars = 0;
const red = new Redactor();
await b.scan(() => true, async (file, src) => {
  const head = await src.head();
  const d = detect(head, PARSERS, []);
  if (mode === 'lines') { for await (const l of src.lines()) { n++; } }
  else {
    const noop = { structural() {}, quarantine() {}, note() {}, declareTable() {} };
    for await (const row of d.parser.parse({ path: file.path, name: head.name, head, lines: () => src.lines() }, noop)) {
      n++;
      if (mode === 'redact') for (const v of Object.values(row.values)) if (typeof v === 'string') { chars += red.text(v).length; }
    }
  }
  await src.finish();
});
console.log(mode, n, ((performance.now() - t0) / 1000).toFixed(2) + 's');
