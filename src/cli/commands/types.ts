import type { Argv } from 'yargs';

export interface CommandDef {
  command: string;
  describe: string;
  examples: [string, string][];
  // yargs builders are loosely typed by nature; options are validated with zod in the handler.
  builder: (y: Argv) => Argv<any>;
  handler: (args: Record<string, unknown>) => Promise<number>;
}
