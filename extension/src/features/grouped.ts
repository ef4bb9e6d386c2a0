// The grouped / weight-gradient GEMMs in the editor: "Run grouped GEMM benchmark" (pick a
// kind; its standard cases checked and timed on the GPU, or compiled only without one; the run is
// saved in the run store and opens in the results panel, with "Show as text" for the plain table) and "Grouped GEMM layout settings" (the SMs the persistent kernels may use, the
// contiguous layouts' M/K alignment, and the TMA-aligned size of a dimension). Everything runs in
// the runtime worker through its requests.
import * as vscode from 'vscode';
import type { GroupedKind } from '../../protocol/grouped';
import type { JobProgress } from '../../protocol/worker';
import { RuntimeError, type FeatureContext } from '../context';
import { groupedToBenchRun } from '../core/grouped/benchRun';
import { GROUPED_KINDS, standardCases } from '../core/grouped/cases';
import { groupedTable } from '../core/grouped/table';
import { panelsFor } from '../panels/panelSet';
import { runStoreFor } from '../storage/runStore';
import { newJobId } from '../core/jobId';
import { runJob } from '../runtime/hostJob';

const KIND_TEXT: Record<GroupedKind, string> = {
  contiguous: 'M-grouped contiguous (MoE prefill / training forward)',
  masked: 'M-grouped masked (MoE decode, masked_m on the device)',
  kgrouped: 'K-grouped (MoE weight gradient, FP32 D = C + A·Bᵀ)',
  wgrad: '1D1D weight gradient (FP32 D = C + A·Bᵀ)',
  bf16: 'BF16 GEMM (D = A·Bᵀ, BF16 in and out, beside cuBLASLt and DeepGEMM)',
  'bf16-contiguous': 'BF16 M-grouped contiguous (MoE, BF16 in and out)',
  'bf16-masked': 'BF16 M-grouped masked (MoE decode, masked_m on the device)',
  'bf16-kgrouped': 'BF16 K-grouped (MoE weight gradient, FP32 D = C + A·Bᵀ)',
};

const message = (err: unknown) =>
  err instanceof RuntimeError ? `[${err.data.code}] ${err.data.message}` : (err as Error).message;

/** The command body; `arg` (scripts, tests) names the kind and skips the pick. Returns the saved run's id. */
async function runGrouped(ctx: FeatureContext, arg?: unknown): Promise<string | undefined> {
  if (!ctx.isTrusted()) {
    void vscode.window.showWarningMessage('FP8 GEMM Lab compiles and runs kernels only in a trusted workspace.');
    return undefined;
  }
  if (arg !== undefined && !GROUPED_KINDS.includes(arg as GroupedKind)) {
    void vscode.window.showErrorMessage(
      `Run grouped GEMM benchmark: unknown kind ${JSON.stringify(arg)}; use one of ${GROUPED_KINDS.join(', ')}.`,
    );
    return undefined;
  }
  const pick =
    arg !== undefined
      ? { gemmKind: arg as GroupedKind }
      : await vscode.window.showQuickPick(
          GROUPED_KINDS.map((kind) => ({
            label: kind,
            description: `${standardCases(kind).length} cases`,
            detail: KIND_TEXT[kind],
            gemmKind: kind,
          })),
          { title: 'Run grouped GEMM benchmark', placeHolder: 'Which kernel kind?' },
        );
  if (!pick) return undefined;
  const env = await ctx.runtime.request('env/probe', { settings: ctx.settings() });
  const jobId = newJobId('grouped');
  const options = { timing: env.canRunKernels, rounds: 10, seed: 0 };
  const title = env.canRunKernels
    ? `Grouped GEMMs (${pick.gemmKind}) on ${env.devices.find((d) => d.isHopper)?.name}`
    : `Grouped GEMMs (${pick.gemmKind}): study mode, compile only`;
  const outcome = await runJob(ctx.runtime, {
    jobId,
    method: 'gemm/groupedBench',
    params: { settings: ctx.settings(), cases: standardCases(pick.gemmKind), options },
    notification: { title, show: (p: JobProgress) => ({ message: `${p.index + 1}/${p.total} ${p.message}` }) },
  });
  // A cancel answers with the cases measured so far (run.interrupted says so).
  if (!outcome.ok)
    void vscode.window.showErrorMessage(`Grouped GEMM benchmark: [${outcome.error.code}] ${outcome.error.message}`);
  const grouped = outcome.ok ? outcome.result : undefined;
  if (!grouped) return undefined;

  // Saved and shown like every run: the results panel, "Open saved run", JSON/CSV export.
  const run = groupedToBenchRun({ ...grouped, id: jobId });
  let savedAs: string | undefined;
  try {
    savedAs = await runStoreFor(ctx).save(run);
  } catch (e) {
    ctx.log.error(`could not save grouped run ${run.id}: ${(e as Error).message}`);
  }
  panelsFor(ctx).results.show(run, { live: false, savedAs, reveal: true });

  const failed = grouped.results.filter((r) => r.error).length;
  const summary = grouped.interrupted
    ? `Grouped GEMMs (${pick.gemmKind}) stopped (${grouped.interrupted.code}) after ${grouped.results.length} case(s)${savedAs ? '; what was measured is saved' : ''}.`
    : `Grouped GEMMs (${pick.gemmKind}): ${grouped.results.length} case(s)${failed ? `, ${failed} failed` : ''}${savedAs ? ', saved' : ' (could not be saved: see the log)'}.`;
  const asText = 'Show as text';
  void (
    grouped.interrupted || failed
      ? vscode.window.showWarningMessage(summary, asText)
      : vscode.window.showInformationMessage(summary, asText)
  ).then(async (choice) => {
    if (choice !== asText) return;
    const doc = await vscode.workspace.openTextDocument({
      content: `${title}\n\n${groupedTable(grouped)}`,
      language: 'plaintext',
    });
    await vscode.window.showTextDocument(doc, { preview: false });
  });
  return run.id;
}

async function layoutSettings(ctx: FeatureContext): Promise<void> {
  const current = await ctx.runtime.request('utils/getGroupedSettings', { settings: ctx.settings() });
  const items = [
    { label: 'SMs for the persistent kernels', description: `now ${current.numSms ?? 'all'}`, id: 'sms' as const },
    {
      label: 'M/K alignment of contiguous layouts',
      description: `now ${current.mkAlignment}`,
      id: 'alignment' as const,
    },
    { label: 'TMA-aligned size of a dimension', description: '16-byte strides', id: 'tma' as const },
  ];
  const pick = await vscode.window.showQuickPick(items, { title: 'Grouped GEMM layout settings' });
  if (!pick) return;
  try {
    if (pick.id === 'tma') {
      const text = await vscode.window.showInputBox({
        title: 'TMA-aligned size',
        prompt: 'SIZE ELEMENT_BYTES (e.g. 4097 4 for fp32 scales)',
        value: '4097 4',
      });
      if (!text) return;
      const [size, elementBytes] = text.trim().split(/\s+/).map(Number);
      const r = await ctx.runtime.request('utils/tmaAlignedSize', { size, elementBytes: elementBytes ?? 4 });
      void vscode.window.showInformationMessage(
        `TMA-aligned size of ${size} × ${elementBytes ?? 4} B: ${r.alignedSize}`,
      );
      return;
    }
    const text = await vscode.window.showInputBox({
      title: pick.label,
      prompt:
        pick.id === 'sms'
          ? "SMs (0 = all of the device's; FP8LAB_NUM_SMS applies when unset)"
          : 'a multiple of 128 (default 128)',
      value: String(pick.id === 'sms' ? (current.numSms ?? 0) : current.mkAlignment),
    });
    if (text === undefined) return;
    const value = Number(text.trim());
    const next = await ctx.runtime.request('utils/setGroupedSettings', {
      settings: ctx.settings(),
      change: pick.id === 'sms' ? { numSms: value } : { mkAlignment: value },
    });
    void vscode.window.showInformationMessage(
      `SMs: ${next.numSms ?? 'all'}; contiguous alignment: ${next.mkAlignment} (until the runtime restarts)`,
    );
  } catch (err) {
    void vscode.window.showErrorMessage(message(err));
  }
}

export function activate(ctx: FeatureContext): void {
  ctx.extension.subscriptions.push(
    vscode.commands.registerCommand('fp8lab.runGroupedBenchmark', (arg?: unknown) => runGrouped(ctx, arg)),
    vscode.commands.registerCommand('fp8lab.groupedLayoutSettings', () => layoutSettings(ctx)),
  );
}
