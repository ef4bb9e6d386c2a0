// "Run FP8 GEMM benchmark": pick shapes (DeepSeek-V3 presets, the last run, or a custom shape
// validated as it is typed), check the environment, then either time them on the GPU with a
// cancellable progress notification or, without a usable Hopper GPU, offer the study mode
// (compile, configs, registers). Results open in the results panel and every run is saved after
// each measured shape, so a cancelled or crashed run keeps what it measured.

import * as vscode from 'vscode';
import type { BenchOptions, BenchRun, EnvironmentReport, GemmProblem, JobProgress } from '../../protocol/worker';
import type { FeatureContext } from '../context';
import { deepseekDecodeShapes, deepseekPrefillShapes, deepseekShapes } from '../core/deepseekShapes';
import { firstClause, parseShapeList, whyCannotRun } from '../core/benchChoices';
import { panelsFor } from '../panels/panelSet';
import type { ResultsPanels } from '../panels/resultsPanel';
import { toCodedError } from '../panels/webviewHost';
import { Overrides } from './overrides';
import { runStoreFor, type RunStore } from '../storage/runStore';
import { newJobId } from '../core/jobId';
import { shapeLabel } from '../core/shapes';
import { runJob } from '../runtime/hostJob';

/** Timing options of a GPU run from the command (the CLI has its own flags for these). */
const GPU_OPTIONS: BenchOptions = { timing: true, peer: true, rounds: 20, seed: 0 }; // the CLI's defaults
// Study mode times nothing; rounds must still be a valid count for the runtime's argument check.
const STUDY_OPTIONS: BenchOptions = { timing: false, peer: false, rounds: GPU_OPTIONS.rounds, seed: 0 };

interface Preset extends vscode.QuickPickItem {
  problems?: () => Promise<GemmProblem[] | undefined>;
}

async function pickProblems(store: RunStore): Promise<GemmProblem[] | undefined> {
  const last = await store.latest().catch(() => undefined);
  const items: Preset[] = [
    {
      label: 'DeepSeek-V3 decode',
      description: 'M = 64, 128 × 6 (N, K) shapes',
      problems: async () => deepseekDecodeShapes(),
    },
    {
      label: 'DeepSeek-V3 prefill',
      description: 'M = 4096 × 6 (N, K) shapes',
      problems: async () => deepseekPrefillShapes(),
    },
    {
      label: 'DeepSeek-V3 decode + prefill',
      description: `all ${deepseekShapes().length} shapes`,
      problems: async () => deepseekShapes(),
    },
    // The grouped kernels take group layouts, not M,N,K: their own command picks the kind and cases.
    {
      label: 'MoE grouped GEMMs…',
      description: 'contiguous / masked / K-grouped / wgrad (DeepGEMM-style test cases)',
      problems: async () => {
        await vscode.commands.executeCommand('fp8lab.runGroupedBenchmark');
        return undefined;
      },
    },
    // So do the indexer's MQA-logits kernels: their own command picks plain or paged.
    {
      label: 'DeepSeek-V3.2 indexer: FP8 MQA logits…',
      description: "mqa-logits / paged-mqa-logits (DeepGEMM's test shapes)",
      problems: async () => {
        await vscode.commands.executeCommand('fp8lab.runMqaBenchmark');
        return undefined;
      },
    },
    // The BF16 GEMM shares the grouped command's pipeline (its cases, cuBLASLt and DeepGEMM beside it).
    {
      label: 'BF16 GEMM (DeepSeek-V3 shapes + 8192³)…',
      description: 'BF16 in and out, beside cuBLASLt and DeepGEMM',
      problems: async () => {
        await vscode.commands.executeCommand('fp8lab.runGroupedBenchmark', 'bf16');
        return undefined;
      },
    },
  ];
  if (last && last.results.length) {
    items.push({
      label: 'The last run',
      description: `${last.results.length} shape(s) from ${last.startedAt}`,
      problems: async () => last.results.map((r) => ({ ...r.problem, config: undefined })),
    });
  }
  items.push({ label: 'Custom shape…', description: 'M,N,K (several: separate with ;)', problems: () => askCustom() });
  const pick = await vscode.window.showQuickPick(items, {
    placeHolder: 'Which shapes should be benchmarked?',
    title: 'Run FP8 GEMM benchmark',
  });
  return pick?.problems?.();
}

async function askCustom(): Promise<GemmProblem[] | undefined> {
  const text = await vscode.window.showInputBox({
    title: 'Custom FP8 GEMM shape',
    prompt: 'M,N,K — e.g. 4096,7168,2048 (A is MxK, B is NxK, D is MxN); several shapes: separate with ;',
    placeHolder: '4096,7168,2048',
    validateInput: (value) => {
      const r = parseShapeList(value);
      return r.ok ? undefined : r.message;
    },
  });
  if (text === undefined) return undefined;
  const r = parseShapeList(text);
  return r.ok ? r.problems : undefined;
}

/** Test hooks returned from activate (main.ts exposes them as testApi.features.benchmark). */
export interface BenchmarkTestApi {
  runsDir: string;
  /** The id of the last run this command started (saved after every shape). */
  lastRunId(): string | undefined;
  /** What the results panel of a run shows (undefined when no panel is open for it). */
  shownRun(id: string): ReturnType<ResultsPanels['shown']>;
}

export function activate(ctx: FeatureContext): BenchmarkTestApi {
  const store = runStoreFor(ctx);
  let lastRunId: string | undefined;
  const panels = panelsFor(ctx);
  const overrides = new Overrides(ctx.extension.workspaceState);

  ctx.extension.subscriptions.push(
    vscode.commands.registerCommand('fp8lab.runBenchmark', async (arg?: unknown) => {
      try {
        const id = await runBenchmark(ctx, store, overrides, arg);
        if (id) lastRunId = id;
        return id;
      } catch (e) {
        const err = toCodedError(e);
        ctx.log.error(`Run FP8 GEMM benchmark failed: ${err.code}: ${err.message}`);
        void vscode.window.showErrorMessage(`FP8 GEMM benchmark failed (${err.code}): ${err.message}`);
        return undefined;
      }
    }),
  );
  return { runsDir: store.archive.dir, lastRunId: () => lastRunId, shownRun: (id) => panels.results.shown(id) };
}

/**
 * The command body. `arg` (optional, for scripts and tests): a shape string ("64,2112,7168;…") or
 * an array of GemmProblem, which skips the quick pick. Returns the saved run's id, if a run ran.
 */
async function runBenchmark(
  ctx: FeatureContext,
  store: RunStore,
  overrides: Overrides,
  arg: unknown,
): Promise<string | undefined> {
  let problems: GemmProblem[] | undefined;
  if (typeof arg === 'string') {
    const r = parseShapeList(arg);
    if (!r.ok) {
      void vscode.window.showErrorMessage(`Invalid shape: ${r.message}`);
      return undefined;
    }
    problems = r.problems;
  } else if (Array.isArray(arg)) {
    problems = arg as GemmProblem[];
  } else {
    problems = await pickProblems(store);
  }
  if (!problems || problems.length === 0) return undefined;

  if (!ctx.isTrusted()) {
    void vscode.window.showWarningMessage(
      'This workspace is not trusted: FP8 GEMM Lab compiles and runs nothing here. Trust the workspace to benchmark.',
    );
    return undefined;
  }

  const settings = ctx.settings();
  const env = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Window, title: 'FP8 GEMM: checking the GPU and toolkit…' },
    () => ctx.runtime.request('env/probe', { settings }),
  );

  let mode: BenchRun['mode'] = 'gpu';
  if (!env.canRunKernels) {
    const why = whyCannotRun(env);
    const study = 'Study mode';
    const explorer = 'Config Explorer';
    const details = 'Environment report';
    const buttons = env.canCompileKernels ? [study, explorer, details] : [explorer, details];
    const text = env.canCompileKernels
      ? `Cannot time FP8 GEMM kernels on this machine: ${why}. Study mode compiles the kernels and shows their configs and registers instead (no timings).`
      : `Cannot time or compile FP8 GEMM kernels on this machine: ${why}; no usable CUDA toolkit either (${firstClause(env.toolkit.problem ?? 'nvcc not found')}). The Config Explorer still lists candidate configs.`;
    ctx.log.info(`runBenchmark: ${text} (${env.summary})`);
    const choice = await vscode.window.showWarningMessage(text, ...buttons);
    if (choice === explorer) {
      await vscode.commands.executeCommand('fp8lab.configExplorer.focus');
      return undefined;
    }
    if (choice === details) {
      await vscode.commands.executeCommand('fp8lab.showEnvironment');
      return undefined;
    }
    if (choice !== study) return undefined;
    mode = 'study';
  }

  const { problems: withOverrides, applied } = overrides.apply(problems);
  if (applied) ctx.log.info(`runBenchmark: ${applied} shape(s) use a config kept as override in the Config Explorer`);
  return measure(ctx, store, env, mode, withOverrides);
}

async function measure(
  ctx: FeatureContext,
  store: RunStore,
  env: EnvironmentReport,
  mode: BenchRun['mode'],
  problems: GemmProblem[],
): Promise<string> {
  const { results: panel } = panelsFor(ctx);
  const jobId = newJobId('run');
  let run: BenchRun = {
    id: jobId,
    startedAt: new Date().toISOString(),
    mode,
    device: mode === 'gpu' ? env.devices.find((d) => d.isHopper) : undefined,
    driverVersion: env.driver.ok ? env.driver.version : undefined,
    toolkitVersion: env.toolkit.version,
    results: [],
  };
  let savedAs: string | undefined;
  const save = async () => {
    try {
      savedAs = await store.save(run);
    } catch (e) {
      ctx.log.error(`could not save run ${run.id}: ${(e as Error).message}`);
    }
  };
  await save();
  panel.show(run, { live: true, savedAs, reveal: true });

  const total = problems.length;
  const title =
    mode === 'gpu' ? `FP8 GEMM benchmark: ${total} shape(s)` : `FP8 GEMM study (compile only): ${total} shape(s)`;
  const done = new Set<number>();
  const show = (p: JobProgress) => {
    const shape = problems[p.index] ? shapeLabel(problems[p.index]) : `#${p.index + 1}`;
    let increment: number | undefined;
    if (p.phase === 'done' && !done.has(p.index)) {
      done.add(p.index);
      increment = 100 / total;
    }
    return {
      message: `shape ${p.index + 1}/${p.total} ${shape}: ${p.phase}${p.message ? ` — ${p.message}` : ''}`,
      increment,
    };
  };
  const outcome = await runJob(ctx.runtime, {
    jobId,
    method: 'gemm/bench',
    params: { settings: ctx.settings(), problems, options: mode === 'gpu' ? GPU_OPTIONS : STUDY_OPTIONS },
    notification: { title, show },
    measured: (result) => {
      run = { ...run, results: [...run.results, result] };
      void save().then(() => panel.show(run, { live: true, savedAs }));
    },
  });
  if (outcome.ok) {
    // The runtime's run is authoritative (device, ceilings, every result); it is stored under this job's id.
    const final = outcome.result;
    run = { ...final, id: jobId, results: final.results.length >= run.results.length ? final.results : run.results };
  } else {
    const code = outcome.cancelled ? 'E_CANCELLED' : outcome.error.code;
    run = {
      ...run,
      interrupted: { code, message: code === 'E_CANCELLED' ? 'cancelled by the user' : outcome.error.message },
    };
    ctx.log.warn(`run ${jobId} stopped early: ${code}: ${outcome.error.message}`);
  }
  run = { ...run, finishedAt: run.finishedAt ?? new Date().toISOString() };
  await save();
  panel.show(run, { live: false, savedAs, reveal: true });

  const failed = run.results.filter((r) => r.error).length;
  const summary = run.interrupted
    ? `FP8 GEMM run stopped (${run.interrupted.code}) after ${run.results.length} of ${total} shape(s); what was measured is saved.`
    : `FP8 GEMM ${mode === 'gpu' ? 'benchmark' : 'study'} finished: ${run.results.length} shape(s)${failed ? `, ${failed} failed` : ''}.`;
  void (run.interrupted || failed
    ? vscode.window.showWarningMessage(summary)
    : vscode.window.showInformationMessage(summary));
  return run.id;
}
