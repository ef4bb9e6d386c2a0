// Runs the mocha suite inside code-server's extension host, the way @vscode/test-electron runs it
// in desktop VS Code: extensionDevelopmentPath + extensionTestsPath, exit code reported back.
// code-server's workbench takes both from the URL's `payload` parameter when the smoke-test driver
// is enabled, and calls window.codeAutomationExit(code) when the suite ends; Playwright exposes
// that function so the result reaches us. The suite also writes per-test results to a JSON file.
//
// CLI: node test/integration/runExtensionTests.mjs [extensionDevelopmentPath] [extensionTestsPath] [workspace]
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { activationProblems, collectConsole, launchBrowser, makeSandbox, startCodeServer } from './codeServer.mjs';
import { ensureTools } from './tools.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const EXTENSION_ID = 'fp8lab.fp8-gemm-lab';

/**
 * Resolves { passed, failed, skipped, tests, exitCode }; a run that never reports (crash, hang,
 * activation failure) counts as one failure with the reason.
 */
export async function runExtensionTests({
  devPath = repo,
  testsPath = path.join(repo, 'test/dist/integration/suite/index.js'),
  workspace,
  outDir = path.join(repo, 'test/out/integration'),
  timeoutMs = Number(process.env.FP8LAB_EXT_TEST_TIMEOUT_MS || 300_000),
  print = (l) => console.log(l),
} = {}) {
  if (!fs.existsSync(testsPath))
    throw new Error(`no suite bundle at ${testsPath}: run \`node extension/build.mjs\` first`);
  const tools = await ensureTools();
  const sandbox = makeSandbox('exttest');
  fs.mkdirSync(outDir, { recursive: true });
  const ws = workspace ?? path.join(sandbox.root, 'workspace');
  fs.mkdirSync(ws, { recursive: true });
  // A caller (runViaTestElectron.mjs) may name the result file; otherwise it lives in the sandbox.
  const resultFile = process.env.FP8LAB_TEST_RESULT_FILE || path.join(sandbox.root, 'result.json');
  fs.rmSync(resultFile, { force: true });
  let server, browser;
  const outcome = { passed: 0, failed: 0, skipped: 0, tests: [], exitCode: 1 };
  try {
    server = await startCodeServer(tools, sandbox, {
      logFile: path.join(outDir, 'code-server.log'),
      // FP8LAB_TEST_HOOKS lets the suite ask the runtime worker for a deliberate fault (test/fault).
      env: { FP8LAB_TEST_RESULT_FILE: resultFile, FP8LAB_TEST_HOOKS: '1' },
      extraArgs: ['--vscode-option', 'enable-smoke-test-driver'],
    });
    print(`  code-server ${server.url} ready in ${server.startMs} ms`);
    browser = await launchBrowser(tools, sandbox);
    const page = browser.pages()[0] ?? (await browser.newPage());
    const lines = collectConsole(page);
    const exited = new Promise((resolve) => {
      page.exposeFunction('codeAutomationExit', (code) => resolve(code));
    });
    const remote = (p) => `vscode-remote://${server.authority}${p}`;
    const payload = [
      ['extensionDevelopmentPath', remote(path.resolve(devPath))],
      ['extensionTestsPath', remote(path.resolve(testsPath))],
    ];
    await page.goto(
      `${server.url}/?folder=${encodeURIComponent(ws)}&payload=${encodeURIComponent(JSON.stringify(payload))}`,
    );

    let timer;
    const timeout = new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`the suite did not finish within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      outcome.exitCode = await Promise.race([exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
    await page.screenshot({ path: path.join(outDir, 'exttest-final.png') }).catch(() => {});
    fs.writeFileSync(path.join(outDir, 'browser-console.log'), lines.join('\n'));

    if (fs.existsSync(resultFile)) Object.assign(outcome, JSON.parse(fs.readFileSync(resultFile, 'utf8')));
    for (const t of outcome.tests) {
      const mark = { passed: 'ok  ', failed: 'FAIL', skipped: 'skip' }[t.state];
      print(`  ${mark} ${t.title}${t.durationMs !== undefined ? ` (${t.durationMs} ms)` : ''}`);
      if (t.error) print(`       ${t.error.split('\n').slice(0, 6).join('\n       ')}`);
    }
    const problems = activationProblems(lines, EXTENSION_ID);
    if (problems.length) {
      outcome.failed++;
      outcome.tests.push({
        title: 'no activation error in the workbench console',
        state: 'failed',
        error: problems.join('\n'),
      });
      print(`  FAIL activation error in the console:\n       ${problems.join('\n       ')}`);
    }
    if (!fs.existsSync(resultFile)) {
      outcome.failed++;
      outcome.tests.push({
        title: 'suite reported results',
        state: 'failed',
        error: `exit ${outcome.exitCode}, no result file; see ${outDir}/browser-console.log`,
      });
      print(`  FAIL the suite wrote no results (exit ${outcome.exitCode}); see ${outDir}/browser-console.log`);
    } else if (outcome.exitCode !== 0 && outcome.failed === 0) {
      outcome.failed++;
      print(`  FAIL the extension host exited ${outcome.exitCode} although no test failed`);
    }
  } catch (e) {
    outcome.failed++;
    outcome.tests.push({ title: 'extension-host suite ran', state: 'failed', error: String(e?.stack ?? e) });
    print(`  FAIL ${e?.message ?? e}`);
  } finally {
    await browser?.close().catch(() => {});
    await server?.stop();
    sandbox.dispose();
  }
  return outcome;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [devPath, testsPath, workspace] = process.argv.slice(2);
  const r = await runExtensionTests({ devPath, testsPath, workspace });
  console.log(`${r.passed} passed, ${r.failed} failed${r.skipped ? `, ${r.skipped} skipped` : ''}`);
  process.exit(r.failed > 0 || r.exitCode !== 0 ? 1 : 0);
}
