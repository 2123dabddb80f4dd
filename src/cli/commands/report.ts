import { z } from 'zod';
import { readReportFile } from '../../report/read.js';
import { checkTemplates } from '../../report/render.js';
import { LANG_OPTION, LangOption, parseFormats, TEMPLATE_OPTION, TODO_ORDER_OPTION, TodoOrderOption, writeReports } from './output.js';
import { localize } from '../../i18n/localize.js';
import type { CommandDef } from './types.js';
import { render as renderText, text } from '../../i18n/translate.js';

const Options = z.object({ in: z.string().min(1), out: z.string().min(1), format: z.unknown().optional(), todoOrder: TodoOrderOption, template: z.string().optional(), lang: LangOption.optional() });

export const reportCommand: CommandDef = {
  command: 'report',
  describe: 'Render a report.json again as Markdown and/or HTML (e.g. after upgrading templates)',
  examples: [['$0 report --in out/report.json --out out/ --format md,html', 're-render an analysis']],
  builder: (y) =>
    y
      .option('in', { type: 'string', demandOption: true, describe: 'report.json' })
      .option('out', { type: 'string', demandOption: true, describe: 'directory to write into' })
      .option('format', { type: 'string', describe: 'md,html,json (default all)' })
      .option('todo-order', TODO_ORDER_OPTION)
      .option('template', TEMPLATE_OPTION)
      .option('lang', { ...LANG_OPTION, describe: "render in this language: en or de (default: the report.json's own)" }),
  async handler(args) {
    const o = Options.parse(args);
    const render = checkTemplates(o.template);
    const read = readReportFile(o.in);
    for (const n of read.notes) process.stderr.write(`note: ${n}\n`);
    // The texts are rendered anew from their keys; a report.json from before keyed texts keeps its English sentences.
    const model = o.lang && o.lang !== read.model.lang ? localize(read.model, o.lang) : read.model;
    for (const p of writeReports(model, o.out, parseFormats(o.format), { ...render, todoOrder: o.todoOrder })) process.stdout.write(renderText(model.lang, text('cli.run.wrote', { path: p })) + '\n');
    return 0;
  },
};
