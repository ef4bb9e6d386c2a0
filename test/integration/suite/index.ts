// Entry point of the integration suite that runs INSIDE the VS Code extension host (code-server's,
// or a desktop VS Code's through @vscode/test-electron). VS Code requires this module and awaits
// run(); a rejection marks the run failed. Bundled by extension/build.mjs to
// test/dist/integration/suite/index.js with mocha external (resolved from node_modules).
//
// Besides mocha's own output, the per-test outcome is written as JSON to $FP8LAB_TEST_RESULT_FILE
// when set, so the runner outside the browser can count and print exact results.
import * as fs from 'node:fs';
import Mocha from 'mocha';
import { defineExtensionTests } from './extension.suite';
import { defineRuntimeTests } from './runtime.suite';
import { defineStudyTests } from './studies.suite';
import { defineGroupedTests } from './grouped.suite';
import { defineViewTests } from './views.suite';
import { defineSweepTests } from './sweep.suite';

export interface SuiteOutcome {
  passed: number;
  failed: number;
  skipped: number;
  tests: { title: string; state: 'passed' | 'failed' | 'skipped'; durationMs?: number; error?: string }[];
}

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'tdd', color: false, timeout: 60_000, reporter: 'spec' });
  // Make suite()/test()/suiteSetup() global for the define* functions, as mocha does for a file.
  mocha.suite.emit('pre-require', globalThis, 'fp8lab-integration', mocha);
  defineExtensionTests();
  defineRuntimeTests();
  defineStudyTests();
  defineGroupedTests();
  defineViewTests();
  defineSweepTests();

  const outcome: SuiteOutcome = { passed: 0, failed: 0, skipped: 0, tests: [] };
  return new Promise((resolve, reject) => {
    const runner = mocha.run((failures) => {
      const file = process.env.FP8LAB_TEST_RESULT_FILE;
      if (file) fs.writeFileSync(file, JSON.stringify(outcome, null, 2));
      if (failures > 0) reject(new Error(`${failures} integration test(s) failed`));
      else resolve();
    });
    runner.on('pass', (t) => {
      outcome.passed++;
      outcome.tests.push({ title: t.fullTitle(), state: 'passed', durationMs: t.duration });
    });
    runner.on('pending', (t) => {
      outcome.skipped++;
      outcome.tests.push({ title: t.fullTitle(), state: 'skipped' });
    });
    runner.on('fail', (t, err: Error) => {
      outcome.failed++;
      outcome.tests.push({
        title: t.fullTitle(),
        state: 'failed',
        durationMs: t.duration,
        error: String(err?.stack ?? err),
      });
    });
  });
}
