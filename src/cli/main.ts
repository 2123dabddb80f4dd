import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { isUserError } from '../errors.js';
import { VERSION } from '../version.js';
import { commands } from './commands/index.js';

/** Exit codes: 0 ok, 1 findings at or above --fail-on, 2 could not run. */
export async function main(argv: string[]): Promise<number> {
  let exitCode = 0;
  const cli = yargs(argv)
    .scriptName('cdb-forensics')
    .version(VERSION)
    .usage('$0 <command> [options]\n\nOffline forensics for Claire de Binare paper-trading evidence bundles.')
    .strict()
    .demandCommand(1, 'name a command (see --help)')
    .recommendCommands()
    .wrap(Math.min(110, process.stdout.columns || 100))
    .fail((msg, err) => {
      if (err) throw err;
      throw Object.assign(new Error(msg), { usage: true });
    });
  for (const c of commands) {
    cli.command(c.command, c.describe, c.builder, async (args) => {
      exitCode = await c.handler(args);
    });
    for (const ex of c.examples) cli.example(ex[0], ex[1]);
  }
  try {
    await cli.parseAsync();
  } catch (e) {
    if (isUserError(e)) {
      process.stderr.write(e.format() + '\n');
      return 2;
    }
    const err = e as Error & { usage?: boolean };
    if (err.usage) {
      process.stderr.write(`error: ${err.message}\n  help: run cdb-forensics --help\n`);
      return 2;
    }
    process.stderr.write(`error: ${err.message}\n${process.env.CDB_DEBUG ? err.stack + '\n' : ''}  help: this is a bug in cdb-forensics if the input was valid; set CDB_DEBUG=1 for the stack\n`);
    return 2;
  }
  return exitCode;
}

// A reader that stops early (`compare a b | head`) closes the pipe: what it did not read was not
// wanted, so stop quietly instead of crashing with an EPIPE stack.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw e;
});

main(hideBin(process.argv)).then((code) => {
  process.exitCode = code;
});
