// Where the repository is, for tests that read its files (fixtures, kernel headers, tools, the
// addon): the extension root above the test bundle, found the way the runtime finds it
// (package.json named fp8-gemm-lab). FP8LAB_ROOT is ignored: tests check this checkout.
import { findExtensionRoot } from '../../extension/src/worker/addon';

export function repoRoot(): string {
  return findExtensionRoot(__dirname, {});
}
