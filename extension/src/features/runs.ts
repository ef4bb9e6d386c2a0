// Saved runs as commands: "Open saved run…" (fp8lab.openRun), "Compare runs…" (fp8lab.compareRuns)
// and "Export run…" (fp8lab.exportRun).

import * as vscode from 'vscode';
import type { BenchRun } from '../../protocol/worker';
import type { FeatureContext } from '../context';
import type { RunSummary } from '../core/savedRun';
import { describeRun, exportRun, OPEN_FILE_ITEM, pickRun, pickRunOrFile } from '../dialogs/runDialogs';
import { panelsFor } from '../panels/panelSet';
import { runStoreFor, type RunStore } from '../storage/runStore';

interface RunCommandDeps {
  showRun(run: BenchRun, savedAs?: string): void;
  activeRun(): BenchRun | undefined;
  /** Shows run B compared against run A (label: how A is named). */
  compare(a: BenchRun, b: BenchRun, label: string): void;
}

/** Registers fp8lab.openRun and fp8lab.exportRun. */
function registerRunCommands(ctx: FeatureContext, store: RunStore, deps: RunCommandDeps): void {
  ctx.extension.subscriptions.push(
    vscode.commands.registerCommand('fp8lab.openRun', async (id?: unknown) => {
      if (id instanceof vscode.Uri) return vscode.commands.executeCommand('fp8lab.openFile', id);
      if (typeof id === 'string') {
        const run = await store.load(id);
        deps.showRun(run);
        return run.id;
      }
      const runs = await store.list();
      const items: Array<vscode.QuickPickItem & { summary?: RunSummary }> = [OPEN_FILE_ITEM];
      if (runs.length)
        items.push({ label: 'saved runs', kind: vscode.QuickPickItemKind.Separator }, ...runs.map(describeRun));
      const pick = await vscode.window.showQuickPick(items, {
        placeHolder: runs.length ? 'Open a saved FP8 GEMM run, or a file' : 'No saved runs yet: open a file',
        matchOnDescription: true,
      });
      if (!pick) return undefined;
      if (!pick.summary) return vscode.commands.executeCommand('fp8lab.openFile');
      const run = await store.load(pick.summary.id);
      deps.showRun(run);
      return run.id;
    }),
    vscode.commands.registerCommand('fp8lab.compareRuns', async () => {
      const a = await pickRunOrFile(store, 'Compare: run A (the baseline)');
      if (!a) return undefined;
      const b = await pickRunOrFile(store, `Compare: run B (compared against ${a.label})`, a.run.id);
      if (!b) return undefined;
      deps.compare(a.run, b.run, a.label);
      return b.run.id;
    }),
    vscode.commands.registerCommand('fp8lab.exportRun', async () => {
      const run = deps.activeRun() ?? (await pickRun(store, 'Export which run?'));
      if (!run) return undefined;
      const format = await vscode.window.showQuickPick(
        [
          { label: 'CSV', description: 'one row per shape (the results table)', format: 'csv' as const },
          { label: 'JSON', description: 'the whole run, as the runtime returned it', format: 'json' as const },
        ],
        { placeHolder: 'Export format' },
      );
      if (!format) return undefined;
      const path = await exportRun(run, format.format);
      if (path) void vscode.window.showInformationMessage(`Exported the run to ${path}`);
      return path;
    }),
  );
}

export function activate(ctx: FeatureContext): void {
  const panels = panelsFor(ctx);
  registerRunCommands(ctx, runStoreFor(ctx), {
    showRun: (run, savedAs) => panels.results.show(run, { live: false, savedAs, reveal: true }),
    activeRun: () => panels.results.activeRun(),
    compare: (a, b, label) => panels.results.compare(a, b, label),
  });
}
