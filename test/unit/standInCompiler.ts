// A stand-in for nvcc, for tests that need a compiler to misbehave on purpose: it answers
// `--version` as nvcc 13.0 does (so the toolkit checks pass, in a few milliseconds), and any
// compile by failing at once (`fail`) or by hanging with a grandchild (`hang`: it writes its own
// pid and the grandchild's to child.pid / grandchild.pid next to itself, each file whole).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const STAND_IN_VERSION =
  'nvcc: NVIDIA (R) Cuda compiler driver\nCuda compilation tools, release 13.0, V13.0.88\n';

/**
 * Shell that writes a pid file whole: to a temporary name, then renamed, so a test that sees the file
 * (and may end the stand-in at once) never reads it empty.
 */
const publish = (pid: string, file: string): string =>
  `echo ${pid} > ${JSON.stringify(`${file}.tmp`)} && mv ${JSON.stringify(`${file}.tmp`)} ${JSON.stringify(file)}`;

export function writeStandInCompiler(dir: string, behaviour: 'fail' | 'hang'): string {
  mkdirSync(dir, { recursive: true });
  const script = join(dir, 'nvcc');
  const compile =
    behaviour === 'fail'
      ? 'echo "stand-in compiler: this test compiles nothing" >&2; exit 1'
      : `${publish('$$', join(dir, 'child.pid'))}; sleep 600 & ${publish('$!', join(dir, 'grandchild.pid'))}; wait`;
  writeFileSync(
    script,
    `#!/bin/bash\nif [ "$1" = "--version" ]; then printf '%b' ${JSON.stringify(STAND_IN_VERSION)}; exit 0; fi\n${compile}\n`,
    { mode: 0o755 },
  );
  return script;
}

/** The pids a `hang` stand-in wrote, once it has written both. */
export function standInPids(dir: string): { child: number; grandchild: number } | undefined {
  try {
    const child = Number(readFileSync(join(dir, 'child.pid'), 'utf8'));
    const grandchild = Number(readFileSync(join(dir, 'grandchild.pid'), 'utf8'));
    return child > 0 && grandchild > 0 ? { child, grandchild } : undefined;
  } catch {
    return undefined;
  }
}

/** True while the process exists and is not a zombie (killed, not yet reaped). */
export function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}
