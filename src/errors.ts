/**
 * An error the user can fix. Carries what went wrong, where, and what to do, in the
 * lnav/rustc layout: `error: <what>\n where: <where>\n  help: <hint>`.
 * Only the CLI entry turns it into an exit code (2).
 */
export class UserError extends Error {
  readonly code: string;
  readonly what: string;
  readonly where: string | undefined;
  readonly hint: string | undefined;

  constructor(code: string, what: string, where?: string, hint?: string) {
    super(what);
    this.name = 'UserError';
    this.code = code;
    this.what = what;
    this.where = where;
    this.hint = hint;
  }

  format(): string {
    const out = [`error[${this.code}]: ${this.what}`];
    if (this.where) out.push(` where: ${this.where}`);
    if (this.hint) out.push(`  help: ${this.hint}`);
    return out.join('\n');
  }
}

export function isUserError(e: unknown): e is UserError {
  return e instanceof UserError;
}
