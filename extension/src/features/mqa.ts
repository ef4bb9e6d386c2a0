// "Run FP8 MQA-logits benchmark (DeepSeek-V3.2 indexer)": pick plain or paged; DeepGEMM's test shapes
// for that kernel checked against FP32 and timed beside DeepGEMM on the GPU (compiled only, with
// registers, without one). The table opens as text; the run's JSON can be saved next to it. Runs in
// the runtime worker (request mqa/bench), cancellable from the progress notification.
import * as vscode from 'vscode';
import type { MqaKind } from '../../protocol/mqa';
import type { JobProgress } from '../../protocol/worker';
import type { FeatureContext } from '../context';
import { newJobId } from '../core/jobId';
import { defaultCases, MQA_KINDS } from '../core/mqa/mqaShapes';
import { mqaTable } from '../core/mqa/mqaTable';
import { runJob } from '../runtime/hostJob';

const KIND_TEXT: Record<MqaKind, string> = {
  'mqa-logits': 'prefill: each query scores the keys of its window (causal / context-parallel)',
  'paged-mqa-logits': 'decode: next_n tokens per request over a paged KV cache of 64-key pages',
};

/** The command body; `arg` (scripts, tests) names the kind and skips the pick. Returns the run's text table. */
async function runMqa(ctx: FeatureContext, arg?: unknown): Promise<string | undefined> {
  if (!ctx.isTrusted()) {
    void vscode.window.showWarningMessage('FP8 GEMM Lab compiles and runs kernels only in a trusted workspace.');
    return undefined;
  }
  if (arg !== undefined && !(MQA_KINDS as readonly unknown[]).includes(arg)) {
    void vscode.window.showErrorMessage(
      `Run FP8 MQA-logits benchmark: unknown kind ${JSON.stringify(arg)}; use ${MQA_KINDS.join(' or ')}.`,
    );
    return undefined;
  }
  const pick =
    arg !== undefined
      ? { mqaKind: arg as MqaKind }
      : await vscode.window.showQuickPick(
          MQA_KINDS.map((kind) => ({
            label: kind,
            description: `DeepGEMM's ${defaultCases(kind).length} test shapes`,
            detail: KIND_TEXT[kind],
            mqaKind: kind,
          })),
          { title: 'Run FP8 MQA-logits benchmark (DeepSeek-V3.2 indexer)', placeHolder: 'Which kernel?' },
        );
  if (!pick) return undefined;
  const env = await ctx.runtime.request('env/probe', { settings: ctx.settings() });
  const jobId = newJobId('mqa');
  const options = { timing: env.canRunKernels, rounds: 10, seed: 0 };
  const gpu = env.devices.find((d) => d.isHopper)?.name;
  const title = env.canRunKernels ? `${pick.mqaKind} on ${gpu}` : `${pick.mqaKind}: study mode, compile only`;
  const outcome = await runJob(ctx.runtime, {
    jobId,
    method: 'mqa/bench',
    params: { settings: ctx.settings(), kind: pick.mqaKind, cases: defaultCases(pick.mqaKind), options },
    notification: { title, show: (p: JobProgress) => ({ message: `${p.index + 1}/${p.total} ${p.message}` }) },
  });
  // A cancel answers with the cases measured so far (run.interrupted says so).
  if (!outcome.ok)
    void vscode.window.showErrorMessage(`MQA-logits benchmark: [${outcome.error.code}] ${outcome.error.message}`);
  const run = outcome.ok ? outcome.result : undefined;
  if (!run) return undefined;
  const table = `${title}\n\n${mqaTable(run)}`;
  const doc = await vscode.workspace.openTextDocument({ content: table, language: 'plaintext' });
  await vscode.window.showTextDocument(doc, { preview: false });
  const failed = run.results.filter((r) => r.error).length;
  const summary = run.interrupted
    ? `${pick.mqaKind} stopped (${run.interrupted.code}) after ${run.results.length} case(s).`
    : `${pick.mqaKind}: ${run.results.length} case(s)${failed ? `, ${failed} failed` : ''}.`;
  const save = 'Save as JSON…';
  void (
    run.interrupted || failed
      ? vscode.window.showWarningMessage(summary, save)
      : vscode.window.showInformationMessage(summary, save)
  ).then(async (choice) => {
    if (choice !== save) return;
    const uri = await vscode.window.showSaveDialog({ filters: { JSON: ['json'] }, saveLabel: 'Save MQA-logits run' });
    if (uri) await vscode.workspace.fs.writeFile(uri, Buffer.from(JSON.stringify(run, null, 2) + '\n'));
  });
  return table;
}

export function activate(ctx: FeatureContext): void {
  ctx.extension.subscriptions.push(
    vscode.commands.registerCommand('fp8lab.runMqaBenchmark', (arg?: unknown) => runMqa(ctx, arg)),
  );
}
