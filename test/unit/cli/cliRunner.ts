// The real CLI bundle run as a child process, with its own JIT cache in a temporary folder removed
// after the test file: what the CLI tests that compile with the real nvcc share.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import type { GroupedBenchRun } from '../../../extension/protocol/grouped';
import { findExtensionRoot } from '../../../extension/src/worker/addon';

export function cliRunner(prefix: string, timeoutMs = 240_000) {
  const root = findExtensionRoot(__dirname, {});
  const cli = join(root, 'extension', 'dist', 'cli.js');
  const work = mkdtempSync(join(tmpdir(), prefix));
  const env = { ...process.env, FP8LAB_ROOT: '', FP8LAB_JIT_CACHE_DIR: join(work, 'cache') };
  after(() => rmSync(work, { recursive: true, force: true }));
  const fp8lab = (args: string[]) => {
    assert.ok(existsSync(cli), `${cli} is missing: run \`node extension/build.mjs\` first`);
    const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', env, timeout: timeoutMs });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  /** `fp8lab bench ARGS --json FILE` (a grouped kind), asserted to succeed; the run it wrote. */
  const groupedBench = (name: string, args: string[]): GroupedBenchRun => {
    const json = join(work, `${name}.json`);
    const r = fp8lab(['bench', ...args, '--json', json]);
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(readFileSync(json, 'utf8')) as GroupedBenchRun;
  };
  return { fp8lab, work, groupedBench };
}
