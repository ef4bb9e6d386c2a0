// A reader that stops early (`fp8lab configs 4096 7168 2048 | head -1`) closes our stdout: the
// next write fails with EPIPE. That is how pipelines end, not an error: exit quietly with 0, as
// the reader asked for no more. Any other write error is reported in one line.
import type { Writable } from 'node:stream';

export function endQuietlyOnClosedPipe(
  streams: Writable[],
  exit: (code: number) => void = (c) => process.exit(c),
): void {
  for (const stream of streams) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') {
        exit(0);
        return;
      }
      try {
        process.stderr.write(`fp8lab: cannot write the output: ${err.message}\n`);
      } catch {
        /* stderr is gone too */
      }
      exit(74); // EX_IOERR
    });
  }
}
