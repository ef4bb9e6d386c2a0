// The panels shared by the features (benchmark command, run store, config explorer): one results
// panel manager and one register panel per extension context, created on first use.

import type * as vscode from 'vscode';
import type { BenchRun } from '../../protocol/worker';
import type { FeatureContext } from '../context';
import { registersFromRun } from '../core/registerEntries';
import { exportRun, pickRunOrFile } from '../dialogs/runDialogs';
import { runStoreFor } from '../storage/runStore';
import { RegistersPanel } from './registersPanel';
import { ResultsPanels } from './resultsPanel';

export interface PanelSet {
  results: ResultsPanels;
  registers: RegistersPanel;
}

const sets = new WeakMap<vscode.ExtensionContext, PanelSet>();

export function panelsFor(ctx: FeatureContext): PanelSet {
  let set = sets.get(ctx.extension);
  if (set) return set;
  const store = runStoreFor(ctx);
  const registers = new RegistersPanel(ctx.extension.extensionUri, ctx.log);
  const results = new ResultsPanels({
    extensionUri: ctx.extension.extensionUri,
    log: ctx.log,
    loadRun: (id) => store.load(id),
    exportRun,
    showRegisters: async (run: BenchRun, indices: number[]) => registers.show(registersFromRun(run, indices)),
    pickBase: (exclude) => pickRunOrFile(store, 'Compare this run with… (run A, the baseline)', exclude),
  });
  set = { results, registers };
  sets.set(ctx.extension, set);
  ctx.extension.subscriptions.push(results, registers);
  return set;
}
