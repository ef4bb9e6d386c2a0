// How CLI verbs write: `out` for results (stdout), `err` for progress, warnings and errors (stderr).
// Both write the text exactly as given (add '\n' yourself), so progress lines can be rewritten.
// Tests pass an in-memory io; cli.ts passes process.stdout/stderr.
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
}

/** Every verb module (extension/src/cli/<verb>.ts) exports this; the result is the exit code. */
export type CliVerb = (args: string[], io: CliIo) => Promise<number>;
