// "Show register use" (fp8lab.showRegisters): the register panel for a snapshot (the explorer and
// the results panel send one) or for the kernels of a saved run, picked or named by id.

import * as vscode from 'vscode';
import type { RegistersSnapshot } from '../../protocol/webview';
import type { FeatureContext } from '../context';
import { registersFromRun } from '../core/registerEntries';
import { isRegistersSnapshot } from '../core/webviewGuards';
import { pickRun } from '../dialogs/runDialogs';
import { panelsFor } from '../panels/panelSet';
import { runStoreFor } from '../storage/runStore';

export function activate(ctx: FeatureContext): void {
  const store = runStoreFor(ctx);
  const panels = panelsFor(ctx);
  ctx.extension.subscriptions.push(
    vscode.commands.registerCommand('fp8lab.showRegisters', async (arg?: unknown) => {
      if (isRegistersSnapshot(arg)) {
        panels.registers.show(arg);
        return;
      }
      const a = arg as { runId?: unknown; indices?: unknown } | undefined;
      const run =
        typeof a?.runId === 'string'
          ? await store.load(a.runId)
          : await pickRun(store, 'Show register use of which run?');
      if (!run) return;
      const indices = Array.isArray(a?.indices) ? a.indices.filter((i): i is number => Number.isInteger(i)) : [];
      const snap: RegistersSnapshot = registersFromRun(run, indices);
      if (snap.entries.length === 0) {
        void vscode.window.showWarningMessage('No compiled kernel in that run has a register report.');
        return;
      }
      panels.registers.show(snap);
    }),
  );
}
