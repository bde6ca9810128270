/** Where the CLI writes, and whether colour is wanted. Tests pass their own. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  /** Colour only on a terminal, and never when NO_COLOR is set. */
  color: boolean;
  env: NodeJS.ProcessEnv;
  /** Resolves when the user interrupts (Ctrl-C); used by long-running commands. */
  interrupted: Promise<void>;
}

export function processIo(): CliIo {
  const env = process.env;
  const color = process.stdout.isTTY === true && !('NO_COLOR' in env) && env['TERM'] !== 'dumb';
  let interrupted: Promise<void> | undefined;
  return {
    out: (t) => process.stdout.write(t),
    err: (t) => process.stderr.write(t),
    color,
    env,
    // Installed on first use only, so short commands keep Ctrl-C's default behaviour.
    get interrupted() {
      interrupted ??= new Promise<void>((resolve) => {
        process.once('SIGINT', () => resolve());
        process.once('SIGTERM', () => resolve());
      });
      return interrupted;
    },
  };
}

/** A problem the user can fix; printed as `periscope: <message>` with exit code 1 (2 for usage). */
export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}
