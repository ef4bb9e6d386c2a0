// "Sweep on all local GPUs" in the extension host: the command (shapes given as its argument, so
// no picker) runs a compile-only sweep through the real CLI bundle on this machine (CPU workers when
// there is no GPU, as on CI), the Sweeps view's items follow the tasks to done / failed on <node>,
// and the finished sweep is merged into the saved runs.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { SweepTestApi } from '../../../extension/src/features/sweep';
import { testApiMember, until } from './testApi';

export function defineSweepTests(): void {
  suite('FP8 GEMM Lab sweeps', () => {
    test('a local compile sweep: tasks shown done and failed on this machine, results merged into the saved runs', async function () {
      this.timeout(180_000);
      const features = await testApiMember('features');
      const sweep = features.sweep as SweepTestApi;
      assert.ok(sweep && typeof sweep.sweeps === 'function', 'the sweep feature returns { sweeps, tree }');
      const folder = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'fp8lab-ext-sweep-')), 's');
      const dir = await vscode.commands.executeCommand<string | undefined>('fp8lab.sweepLocalGpus',
        { verb: 'compile', shapes: '64,2112,7168; 2000000000,7168,7168', folder });
      assert.equal(dir, folder, 'the command returns the sweep folder it made');
      const entry = await until('the sweep to end and be merged', 150_000, () => sweep.sweeps().find((s) => s.dir === folder && s.collected));
      assert.deepEqual(entry.statuses.map((s) => s.phase), ['done', 'failed']);

      const [root] = sweep.tree.getChildren().filter((n) => n.kind === 'sweep' && n.entry.dir === folder);
      const rootItem = sweep.tree.getTreeItem(root);
      assert.match(String(rootItem.description), /local GPUs · 2 task\(s\): 1 done, 1 failed/);
      const tasks = sweep.tree.getChildren(root).map((n) => sweep.tree.getTreeItem(n));
      assert.deepEqual(tasks.map((t) => [t.label, t.description]), [
        ['task 0: 64x2112x7168', `done on ${os.hostname()}`],
        ['task 1: 2000000000x7168x7168', `failed on ${os.hostname()}`],
      ]);
      assert.match(String(tasks[1].tooltip), /E_INVALID_SHAPE/);
      assert.equal(tasks[1].command?.command, 'fp8lab.sweepOpenLog', 'a failed task opens its log');

      const runFile = entry.collected!.runFile!;
      const benchmark = features.benchmark as { runsDir: string };
      assert.equal(path.dirname(runFile), benchmark.runsDir, 'merged into the saved runs');
      const run = JSON.parse(fs.readFileSync(runFile, 'utf8')) as { results: Array<{ problem: { m: number } }> };
      assert.deepEqual(run.results.map((r) => r.problem.m), [64]);
    });
  });
}
