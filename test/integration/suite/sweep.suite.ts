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
import type { SweepNode } from '../../../extension/src/features/sweepView';
import { startTestCluster } from '../../slurm/testCluster';
import { testApiMember, until } from './testApi';

export function defineSweepTests(): void {
  suite('FP8 GEMM Lab sweeps', () => {
    test('a local compile sweep: tasks shown done and failed on this machine, results merged into the saved runs', async function () {
      this.timeout(180_000);
      const features = await testApiMember('features');
      const sweep = features.sweep as SweepTestApi;
      assert.ok(sweep && typeof sweep.sweeps === 'function', 'the sweep feature returns { sweeps, tree }');
      const folder = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'fp8lab-ext-sweep-')), 's');
      const dir = await vscode.commands.executeCommand<string | undefined>('fp8lab.sweepLocalGpus', {
        verb: 'compile',
        shapes: '64,2112,7168; 2000000000,7168,7168',
        folder,
      });
      assert.equal(dir, folder, 'the command returns the sweep folder it made');
      const entry = await until('the sweep to end and be merged', 150_000, () =>
        sweep.sweeps().find((s) => s.dir === folder && s.collected),
      );
      assert.deepEqual(
        entry.statuses.map((s) => s.phase),
        ['done', 'failed'],
      );

      const [root] = sweep.tree.getChildren().filter((n) => n.kind === 'sweep' && n.entry.dir === folder);
      const rootItem = sweep.tree.getTreeItem(root);
      assert.match(String(rootItem.description), /local GPUs · 2 task\(s\): 1 done, 1 failed/);
      const tasks = sweep.tree.getChildren(root).map((n) => sweep.tree.getTreeItem(n));
      assert.deepEqual(
        tasks.map((t) => [t.label, t.description]),
        [
          ['task 0: 64x2112x7168', `done on ${os.hostname()}`],
          ['task 1: 2000000000x7168x7168', `failed on ${os.hostname()}`],
        ],
      );
      assert.match(String(tasks[1].tooltip), /E_INVALID_SHAPE/);
      assert.equal(tasks[1].command?.command, 'fp8lab.sweepOpenLog', 'a failed task opens its log');

      const runFile = entry.collected!.runFile!;
      const benchmark = features.benchmark as { runsDir: string };
      assert.equal(path.dirname(runFile), benchmark.runsDir, 'merged into the saved runs');
      const run = JSON.parse(fs.readFileSync(runFile, 'utf8')) as { results: Array<{ problem: { m: number } }> };
      assert.deepEqual(
        run.results.map((r) => r.problem.m),
        [64],
      );
    });

    test('Sweep on cluster: a real Slurm job array shown done on its node; cancel and retry from the view', async function () {
      this.timeout(240_000);
      const features = await testApiMember('features');
      const sweep = features.sweep as SweepTestApi;
      const cluster = await startTestCluster();
      const previousConf = process.env.SLURM_CONF;
      process.env.SLURM_CONF = cluster.conf; // the login node's Slurm, as the extension host sees it
      const config = vscode.workspace.getConfiguration('fp8lab');
      try {
        const base = fs.mkdtempSync(path.join(os.tmpdir(), 'fp8lab-ext-slurm-'));
        const first = path.join(base, 'done');
        await vscode.commands.executeCommand('fp8lab.sweepCluster', {
          verb: 'compile',
          shapes: '64,2112,7168; 128,2112,7168',
          folder: first,
        });
        const done = await until('the Slurm sweep to end and be merged', 120_000, () =>
          sweep.sweeps().find((s) => s.dir === first && s.collected),
        );
        assert.equal(done.placement, 'slurm');
        const root = sweep.tree.getChildren().find((n) => n.kind === 'sweep' && n.entry.dir === first)!;
        assert.match(String(sweep.tree.getTreeItem(root).description), /^Slurm · 2 task\(s\): 2 done$/);
        assert.deepEqual(
          sweep.tree.getChildren(root).map((n) => sweep.tree.getTreeItem(n).description),
          [`done on ${os.hostname()}`, `done on ${os.hostname()}`],
        );

        // One task at a time, cancelled at once: what has not run is reported cancelled; retry finishes it.
        await config.update('slurm.concurrency', 1, vscode.ConfigurationTarget.Global);
        const second = path.join(base, 'cancel');
        await vscode.commands.executeCommand('fp8lab.sweepCluster', {
          verb: 'compile',
          shapes: '64,7168,2048; 128,7168,2048; 64,4096,7168; 128,4096,7168',
          folder: second,
        });
        const node = (): SweepNode =>
          sweep.tree.getChildren().find((n) => n.kind === 'sweep' && n.entry.dir === second)!;
        await vscode.commands.executeCommand('fp8lab.sweepCancel', node());
        const cancelled = await until('the cancelled sweep to end', 60_000, () =>
          sweep.sweeps().find((s) => s.dir === second && s.collected),
        );
        const phases = cancelled.statuses.map((s) => s.phase);
        assert.ok(
          phases.every((p) => p === 'done' || p === 'cancelled') && phases.includes('cancelled'),
          phases.join(' '),
        );
        assert.match(String(sweep.tree.getTreeItem(node()).contextValue), /^sweep\.ended\.retryable/);
        await vscode.commands.executeCommand('fp8lab.sweepRetry', node());
        const retried = await until('the retried tasks to finish', 120_000, () => {
          const s = sweep.sweeps().find((x) => x.dir === second);
          return s?.collected && s.statuses.every((t) => t.phase === 'done') ? s : undefined;
        });
        const run = JSON.parse(fs.readFileSync(retried.collected!.runFile!, 'utf8')) as {
          results: Array<{ problem: { m: number; n: number } }>;
        };
        assert.deepEqual(
          run.results.map((r) => `${r.problem.m}x${r.problem.n}`),
          ['64x7168', '128x7168', '64x4096', '128x4096'],
        );
      } finally {
        await config.update('slurm.concurrency', undefined, vscode.ConfigurationTarget.Global);
        if (previousConf === undefined) delete process.env.SLURM_CONF;
        else process.env.SLURM_CONF = previousConf;
        await cluster.stop();
      }
    });
  });
}
