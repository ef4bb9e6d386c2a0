// Where the repository is, for tests that read its files (fixtures, kernel headers, tools): the
// nearest directory above the test bundle (test/dist/unit/<area>) or, failing that, above the
// working directory (npm scripts run at the root) that holds package.json, extension/ and kernels/.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

export function repoRoot(): string {
  for (const start of [__dirname, process.cwd()]) {
    for (let dir = start; ; dir = dirname(dir)) {
      if (['package.json', 'extension', join('kernels', 'include', 'fp8lab', 'gemm_args.h')].every((p) => existsSync(join(dir, p)))) return dir;
      if (dirname(dir) === dir) break;
    }
  }
  throw new Error(`the repository root (package.json, extension/, kernels/include/fp8lab) is not above ${__dirname} or ${process.cwd()}`);
}
