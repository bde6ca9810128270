/** Where the CLI writes, and whether colour is wanted. Tests pass their own. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  /** Colour only on a terminal, and never when NO_COLOR is set (non-empty). */
  color: boolean;
  env: NodeJS.ProcessEnv;
  /** Resolves when the user interrupts (Ctrl-C); used by long-running commands. */
  interrupted: Promise<void>;
}

/** The part of a stream the CLI uses: tests pass a stand-in that claims to be a terminal. */
export interface OutputStream {
  isTTY?: boolean;
  write(text: string): unknown;
}

/** Colour on a terminal, unless NO_COLOR is set to something (no-color.org) or TERM is dumb. */
export function wantsColor(stdout: OutputStream, env: NodeJS.ProcessEnv): boolean {
  return stdout.isTTY === true && !env['NO_COLOR'] && env['TERM'] !== 'dumb';
}

export function processIo(
  streams: { stdout: OutputStream; stderr: OutputStream } = { stdout: process.stdout, stderr: process.stderr },
  env: NodeJS.ProcessEnv = process.env,
): CliIo {
  const { stdout, stderr } = streams;
  const color = wantsColor(stdout, env);
  let interrupted: Promise<void> | undefined;
  return {
    out: (t) => stdout.write(t),
    err: (t) => stderr.write(t),
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
