// Runs the extension-host suite through @vscode/test-electron's runTests(), unchanged, so the same
// command works against a desktop VS Code on a developer's machine:
//   FP8LAB_VSCODE unset       -> code-test-shim.sh (code-server + headless Chromium; works offline)
//   FP8LAB_VSCODE=desktop     -> test-electron downloads VS Code stable and runs the suite in it
//   FP8LAB_VSCODE=/path/code  -> that VS Code executable
// The suite writes per-test results to FP8LAB_TEST_RESULT_FILE (passed through extensionTestsEnv),
// which is how both ways are counted.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..', '..');
const { runTests } = createRequire(import.meta.url)('@vscode/test-electron');

/** Resolves { passed, failed, skipped, tests, exitCode }. */
export async function runViaTestElectron({ vscode = process.env.FP8LAB_VSCODE, print = (l) => console.log(l) } = {}) {
  const shim = path.join(here, 'code-test-shim.sh');
  // A checkout that lost the executable bit (zip download, some Windows tools) must still work.
  if (!vscode && !(fs.statSync(shim).mode & 0o100)) fs.chmodSync(shim, 0o755);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'fp8lab-test-electron-'));
  const resultFile = path.join(tmp, 'result.json');
  const outcome = { passed: 0, failed: 0, skipped: 0, tests: [], exitCode: 1 };
  try {
    outcome.exitCode = await runTests({
      ...(vscode === 'desktop' ? {} : { vscodeExecutablePath: vscode || shim }),
      extensionDevelopmentPath: repo,
      extensionTestsPath: path.join(repo, 'test/dist/integration/suite/index'),
      extensionTestsEnv: { FP8LAB_TEST_RESULT_FILE: resultFile, FP8LAB_TEST_HOOKS: '1' },
    });
  } catch (e) {
    outcome.exitCode = typeof e?.code === 'number' ? e.code : 1;
    print(`  runTests: ${e?.message ?? e}`);
  }
  try {
    if (fs.existsSync(resultFile))
      Object.assign(outcome, JSON.parse(fs.readFileSync(resultFile, 'utf8')), { exitCode: outcome.exitCode });
    if (!fs.existsSync(resultFile) || (outcome.exitCode !== 0 && outcome.failed === 0)) {
      outcome.failed++;
      outcome.tests.push({
        title: 'extension-host suite ran to the end',
        state: 'failed',
        error: `exit ${outcome.exitCode}`,
      });
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  return outcome;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const r = await runViaTestElectron();
  console.log(`${r.passed} passed, ${r.failed} failed${r.skipped ? `, ${r.skipped} skipped` : ''}`);
  process.exit(r.failed > 0 ? 1 : 0);
}
