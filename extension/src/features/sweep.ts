// "Sweep on cluster" / "Sweep on all local GPUs": the CLI's sweep (runtime/sweep/) driven from VS
// Code, usually on the cluster's login node over Remote-SSH where sbatch is local. Pick the verb and
// the shapes, and the tasks go to Slurm as one job array (options from the fp8lab.slurm.* settings)
// or to one worker per GPU of this machine. The Sweeps view shows each task live; a finished sweep
// is merged into the saved runs and the tuning store. Nothing starts in an untrusted workspace.
import { homedir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { RuntimeSettings } from '../../protocol/worker';
import type { FeatureContext } from '../context';
import { deepseekDecodeShapes, deepseekPrefillShapes, deepseekShapes } from '../core/deepseekShapes';
import { SWEEP_VERBS, parseSweepShapes, type SweepVerb } from '../core/sweep/sweepPlan';
import { slurmOptionsProblem, type SlurmOptions } from '../core/sweep/slurm';
import { finished } from '../core/sweep/taskStatus';
import type { GemmProblem } from '../../protocol/worker';
import { localSlots, type LocalCommand, type LocalSweepRun } from '../runtime/sweep/localBackend';
import {
  cancelSweep,
  collectSweep,
  createSweep,
  newId,
  retryTasks,
  startLocal,
  submitSlurm,
  sweepStatus,
  taskLogPath,
} from '../runtime/sweep/sweepService';
import { toCodedError } from '../panels/webviewHost';
import { panelsFor } from '../panels/panelSet';
import { runStoreFor } from '../storage/runStore';
import { SweepTree, type SweepEntry, type SweepNode } from './sweepView';

/** Arguments for scripts and tests: skip the pickers. */
interface SweepArgs {
  verb?: SweepVerb;
  shapes?: string;
  folder?: string;
}

export interface SweepTestApi {
  /** The tracked sweeps as the view shows them. */
  sweeps(): Array<Pick<SweepEntry, 'dir' | 'placement' | 'statuses' | 'collected'> & { id: string }>;
  tree: SweepTree;
}

interface Tracked extends SweepEntry {
  local: LocalSweepRun[];
  busy?: Promise<void>;
}

export function activate(ctx: FeatureContext): SweepTestApi {
  const tracked: Tracked[] = [];
  const tree = new SweepTree(() => tracked);
  const view = vscode.window.createTreeView('fp8lab.sweeps', { treeDataProvider: tree, showCollapseAll: true });
  const store = runStoreFor(ctx);
  const config = () => vscode.workspace.getConfiguration('fp8lab');
  const cli = join(ctx.extension.extensionPath, 'extension', 'dist', 'cli.js');
  // Read at each start: the node binary must exist on the compute nodes, which the setting can say.
  const commandNow = (): LocalCommand => ({
    node: config().get<string>('sweep.nodePath', '').trim() || process.execPath,
    cli,
  });

  const refresh = (entry: Tracked): Promise<void> => {
    entry.busy ??= (async () => {
      try {
        const state = await sweepStatus(entry.dir, { local: entry.local });
        entry.statuses = state.statuses;
        entry.problem = undefined;
        entry.logs = new Map(
          state.statuses.flatMap((s) => {
            const log = taskLogPath(entry.dir, s);
            return log ? [[s.index, log] as [number, string]] : [];
          }),
        );
        if (finished(state.statuses) && entry.local.every((r) => r.live().size === 0) && !entry.collected)
          await collect(entry);
      } catch (err) {
        entry.problem = toCodedError(err).message;
      } finally {
        entry.busy = undefined;
        tree.refresh();
      }
    })();
    return entry.busy;
  };

  const collect = async (entry: Tracked) => {
    const settings = ctx.settings();
    entry.collected = await collectSweep(entry.dir, {
      runsDir: store.archive.dir,
      ...(entry.plan.verb === 'tune' && settings.tuningDbPath ? { tuningDir: settings.tuningDbPath } : {}),
    });
    for (const w of entry.collected.warnings)
      ctx.log.warn(`tuning store: skipped line ${w.line} of ${w.file}: ${w.reason}`);
    const failed = entry.statuses.filter((s) => s.phase !== 'done').length;
    const text =
      `FP8 GEMM sweep ${entry.plan.id}: ${entry.statuses.length - failed} of ${entry.statuses.length} task(s) done` +
      (entry.collected.tuningDir ? `, ${entry.collected.recordsAdded} ranking(s) added to the tuning store` : '') +
      '.';
    const actions = entry.collected.runFile ? ['Open results'] : [];
    void (
      failed
        ? vscode.window.showWarningMessage(text, ...actions)
        : vscode.window.showInformationMessage(text, ...actions)
    ).then((pick) => {
      if (pick) void openResults(entry);
    });
  };

  const openResults = async (entry: Tracked) => {
    if (!entry.collected?.runFile) {
      void vscode.window.showInformationMessage(
        'This sweep has no merged results yet: it merges when every task has ended.',
      );
      return;
    }
    const run = await store.archive.loadFile(entry.collected.runFile);
    panelsFor(ctx).results.show(run, { live: false, savedAs: entry.collected.runFile, reveal: true });
  };

  const timer = setInterval(
    () => {
      for (const entry of tracked) if (!entry.collected) void refresh(entry);
    },
    Math.max(1, Number(config().get<number>('sweep.pollSeconds', 5)) || 5) * 1000,
  );

  const track = (entry: Tracked) => {
    tracked.unshift(entry);
    for (const run of entry.local) {
      run.onChange(() => {
        void refresh(entry);
      });
      void run.done.then(() => refresh(entry));
    }
    void refresh(entry);
    void view.reveal({ kind: 'sweep', entry }, { expand: true }).then(undefined, () => undefined);
  };

  const start = async (placement: 'slurm' | 'local', arg?: unknown) => {
    if (!ctx.isTrusted()) {
      void vscode.window.showWarningMessage(
        'FP8 GEMM Lab compiles and runs kernels only in a trusted workspace: trust this folder to run a sweep.',
      );
      return undefined;
    }
    const args = (typeof arg === 'object' && arg !== null ? arg : {}) as SweepArgs;
    const verb = args.verb && SWEEP_VERBS.includes(args.verb) ? args.verb : await pickVerb(placement);
    if (!verb) return undefined;
    const problems = args.shapes !== undefined ? parseArgShapes(args.shapes) : await pickShapes();
    if (!problems) return undefined;
    const settings = ctx.settings();
    const env = taskEnv(settings);
    const id = newId();
    const dir = args.folder ?? join(sweepRoot(config().get<string>('sweep.folder', '')), `sweep-${id}`);

    let slots;
    let slurm: SlurmOptions | undefined;
    if (placement === 'local') {
      // The worker probes: the addon never loads in the extension host.
      const report = await ctx.runtime.request('env/probe', { settings });
      const ordinals = report.devices.filter((d) => d.isHopper).map((d) => d.ordinal);
      if (ordinals.length === 0 && verb !== 'compile') {
        void vscode.window.showErrorMessage(
          `A ${verb} sweep needs a Hopper GPU on this machine; here: ${report.summary} Compile sweeps run without one, or sweep on the cluster.`,
        );
        return undefined;
      }
      slots = localSlots(
        ordinals,
        process.env.CUDA_VISIBLE_DEVICES,
        Math.max(1, Number(config().get<number>('sweep.cpuWorkers', 1)) || 1),
      );
    } else {
      slurm = slurmOptions(config(), verb);
      const problem = slurmOptionsProblem(slurm);
      if (problem) {
        void vscode.window.showErrorMessage(`fp8lab.slurm settings: ${problem}.`);
        return undefined;
      }
    }
    const plan = await createSweep(dir, {
      id,
      verb,
      problems,
      cacheDir: settings.cacheDir,
      perTask: Math.max(1, Number(config().get<number>('sweep.shapesPerTask', 1)) || 1),
    });
    const entry: Tracked = { dir, plan, placement, statuses: [], logs: new Map(), local: [] };
    const tasks = plan.tasks.map((t) => t.index);
    if (slurm) await submitSlurm(dir, plan, tasks, slurm, commandNow(), { ...process.env, ...env });
    else entry.local.push(await startLocal(dir, tasks, slots!, { ...commandNow(), env }));
    ctx.log.info(
      `sweep ${plan.id}: ${verb} of ${problems.length} shape(s) in ${plan.tasks.length} task(s) on ${placement === 'slurm' ? 'Slurm' : 'local GPUs'}; folder ${dir}`,
    );
    track(entry);
    return dir;
  };

  const entryOf = async (node: unknown, placeHolder: string): Promise<Tracked | undefined> => {
    const given = (node as SweepNode | undefined)?.entry;
    if (given) return tracked.find((t) => t.dir === given.dir);
    if (tracked.length <= 1) return tracked[0];
    const pick = await vscode.window.showQuickPick(
      tracked.map((t) => ({ label: `${t.plan.verb} sweep ${t.plan.id}`, description: t.dir, t })),
      { placeHolder },
    );
    return pick?.t;
  };

  const guarded = (name: string, body: (...a: unknown[]) => Promise<unknown>) =>
    vscode.commands.registerCommand(name, async (...a: unknown[]) => {
      try {
        return await body(...a);
      } catch (e) {
        const err = toCodedError(e);
        ctx.log.error(`${name}: ${err.code}: ${err.message}`);
        void vscode.window.showErrorMessage(`FP8 GEMM sweep (${err.code}): ${err.message}`);
        return undefined;
      }
    });

  ctx.extension.subscriptions.push(
    view,
    tree,
    { dispose: () => clearInterval(timer) },
    guarded('fp8lab.sweepCluster', (arg) => start('slurm', arg)),
    guarded('fp8lab.sweepLocalGpus', (arg) => start('local', arg)),
    guarded('fp8lab.sweepCancel', async (node) => {
      const entry = await entryOf(node, 'Cancel which sweep?');
      if (!entry) return;
      await cancelSweep(entry.dir, { local: entry.local });
      await refresh(entry);
    }),
    guarded('fp8lab.sweepRetry', async (node) => {
      if (!ctx.isTrusted()) {
        void vscode.window.showWarningMessage('Trust this workspace to run sweeps.');
        return;
      }
      const entry = await entryOf(node, 'Retry the failed tasks of which sweep?');
      if (!entry) return;
      await refresh(entry);
      const again = retryTasks(entry.statuses);
      if (again.length === 0) {
        void vscode.window.showInformationMessage('Nothing to retry: no task failed or was cancelled.');
        return;
      }
      const env = taskEnv(ctx.settings());
      const last = (await sweepStatus(entry.dir)).submissions
        .filter((s) => s.tasks.some((t) => again.includes(t)))
        .pop();
      if (entry.placement === 'slurm')
        await submitSlurm(
          entry.dir,
          entry.plan,
          again,
          last?.slurm ?? slurmOptions(config(), entry.plan.verb),
          commandNow(),
          { ...process.env, ...env },
        );
      else {
        const report = await ctx.runtime.request('env/probe', { settings: ctx.settings() });
        const slots = localSlots(
          report.devices.filter((d) => d.isHopper).map((d) => d.ordinal),
          process.env.CUDA_VISIBLE_DEVICES,
          1,
        );
        const run = await startLocal(entry.dir, again, slots, { ...commandNow(), env });
        entry.local.push(run);
        run.onChange(() => {
          void refresh(entry);
        });
        void run.done.then(() => refresh(entry));
      }
      entry.collected = undefined;
      await refresh(entry);
    }),
    guarded('fp8lab.sweepOpenResults', async (node) => {
      const entry = await entryOf(node, 'Open the results of which sweep?');
      if (entry) await openResults(entry);
    }),
    guarded('fp8lab.sweepOpenLog', async (node) => {
      const n = node as SweepNode | undefined;
      const log = n?.kind === 'task' ? n.entry.logs.get(n.status.index) : undefined;
      if (!log) {
        void vscode.window.showInformationMessage('This task has no log yet.');
        return;
      }
      await vscode.window.showTextDocument(vscode.Uri.file(log), { preview: true });
    }),
    guarded('fp8lab.sweepWatchFolder', async (arg) => {
      const dir =
        typeof arg === 'string'
          ? arg
          : (
              await vscode.window.showOpenDialog({
                canSelectFolders: true,
                canSelectFiles: false,
                openLabel: 'Watch this sweep',
              })
            )?.[0]?.fsPath;
      if (!dir || tracked.some((t) => t.dir === dir)) return;
      const state = await sweepStatus(dir);
      const placement = state.submissions.some((s) => s.backend === 'slurm') ? 'slurm' : 'local';
      track({ dir, plan: state.plan, placement, statuses: state.statuses, logs: new Map(), local: [] });
    }),
  );

  return {
    sweeps: () =>
      tracked.map((t) => ({
        id: t.plan.id,
        dir: t.dir,
        placement: t.placement,
        statuses: t.statuses,
        ...(t.collected ? { collected: t.collected } : {}),
      })),
    tree,
  };
}

/** The runtime settings a task needs, as the FP8LAB_* variables the headless CLI reads. */
function taskEnv(s: RuntimeSettings): Record<string, string> {
  return {
    CUDA_HOME: s.cudaHome,
    FP8LAB_JIT_NVCC_COMPILER: s.nvccPath,
    FP8LAB_JIT_CACHE_DIR: s.cacheDir,
    ...(s.tuningDbPath ? { FP8LAB_TUNING_DB: s.tuningDbPath } : {}),
    ...(s.numSms !== undefined ? { FP8LAB_NUM_SMS: String(s.numSms) } : {}),
    ...(s.libcudaPath ? { FP8LAB_LIBCUDA_PATH: s.libcudaPath } : {}),
    ...(s.jitDefines?.length ? { FP8LAB_JIT_DEFINES: s.jitDefines.join(' ') } : {}),
  };
}

function slurmOptions(cfg: vscode.WorkspaceConfiguration, verb: SweepVerb): SlurmOptions {
  const text = (key: string) => {
    const v = cfg.get<string>(key, '').trim();
    return v ? v : undefined;
  };
  const gpus = Number(cfg.get<number>('slurm.gpusPerTask', -1));
  const concurrency = Number(cfg.get<number>('slurm.concurrency', 0));
  const partition = text('slurm.partition');
  const account = text('slurm.account');
  const timeLimit = text('slurm.timeLimit');
  return {
    gpusPerTask: Number.isInteger(gpus) && gpus >= 0 ? gpus : verb === 'compile' ? 0 : 1,
    ...(partition ? { partition } : {}),
    ...(account ? { account } : {}),
    ...(timeLimit ? { timeLimit } : {}),
    ...(Number.isInteger(concurrency) && concurrency > 0 ? { concurrency } : {}),
  };
}

/** fp8lab.sweep.folder, else <first workspace folder>/fp8lab-sweeps, else ~/fp8lab-sweeps. */
function sweepRoot(setting: string): string {
  if (setting.trim()) return setting.trim().replace(/^~(?=\/|$)/, homedir());
  const ws = vscode.workspace.workspaceFolders?.[0]?.uri;
  return ws?.scheme === 'file' ? join(ws.fsPath, 'fp8lab-sweeps') : join(homedir(), 'fp8lab-sweeps');
}

function parseArgShapes(text: string): GemmProblem[] | undefined {
  if (text === 'deepseek') return deepseekShapes();
  const r = parseSweepShapes(text);
  if (!r.ok) {
    void vscode.window.showErrorMessage(`Sweep shapes: ${r.message}`);
    return undefined;
  }
  return r.problems;
}

async function pickVerb(placement: 'slurm' | 'local'): Promise<SweepVerb | undefined> {
  const items: Array<vscode.QuickPickItem & { verb: SweepVerb }> = [
    {
      label: 'Tune',
      description: "time each shape's best candidate configs; rankings go to the tuning store",
      verb: 'tune',
    },
    { label: 'Benchmark', description: 'correctness and timing of the chosen config next to cuBLASLt', verb: 'bench' },
    {
      label: 'Compile only',
      description: 'registers and spills of every kernel; fills the shared JIT cache (no GPU needed)',
      verb: 'compile',
    },
  ];
  const pick = await vscode.window.showQuickPick(items, {
    title: placement === 'slurm' ? 'Sweep on cluster (Slurm)' : 'Sweep on all local GPUs',
    placeHolder: 'What should each task do?',
  });
  return pick?.verb;
}

async function pickShapes(): Promise<GemmProblem[] | undefined> {
  const items: Array<vscode.QuickPickItem & { problems?: () => GemmProblem[] }> = [
    {
      label: 'DeepSeek-V3 decode + prefill',
      description: `all ${deepseekShapes().length} shapes`,
      problems: deepseekShapes,
    },
    { label: 'DeepSeek-V3 decode', description: 'M = 64, 128', problems: deepseekDecodeShapes },
    { label: 'DeepSeek-V3 prefill', description: 'M = 4096', problems: deepseekPrefillShapes },
    { label: 'Custom shapes…', description: 'M,N,K (several: separate with ;)' },
  ];
  const pick = await vscode.window.showQuickPick(items, { placeHolder: 'Which shapes?' });
  if (!pick) return undefined;
  if (pick.problems) return pick.problems();
  const text = await vscode.window.showInputBox({
    title: 'Sweep shapes',
    prompt: 'M,N,K — several: separate with ;',
    placeHolder: '4096,7168,2048; 64,2112,7168',
    validateInput: (v) => {
      const r = parseSweepShapes(v);
      return r.ok ? undefined : r.message;
    },
  });
  return text === undefined ? undefined : parseArgShapes(text);
}
