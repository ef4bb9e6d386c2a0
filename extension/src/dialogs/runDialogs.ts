// The quick picks and save dialog over saved runs, shared by the run commands (features/runs.ts)
// and the results panel (panels/panelSet.ts).

import { homedir } from 'node:os';
import * as vscode from 'vscode';
import type { BenchRun } from '../../protocol/worker';
import type { RunSummary } from '../core/savedRun';
import { runToCsv } from '../core/runRows';
import type { RunStore } from '../storage/runStore';
import { pickFp8labFile, readFp8labFile } from './fp8labFileIo';

export function describeRun(r: RunSummary): vscode.QuickPickItem & { summary: RunSummary } {
  const flags = [
    r.grouped ? 'grouped' : '',
    r.mode === 'gpu' ? 'GPU' : 'study',
    r.interrupted ? 'interrupted' : '',
    r.recorded ? 'recorded' : '',
  ]
    .filter(Boolean)
    .join(', ');
  // A tune file records no start time: it is named by its id ("tune-<file>").
  return {
    label: r.startedAt ? r.startedAt.replace('T', ' ').replace(/\.\d+Z$/, 'Z') : r.id,
    description: `${r.shapes} ${r.grouped ? 'case' : 'shape'}(s)${r.rows ? ` (${r.rows} rows)` : ''} · ${flags}`,
    detail: r.device ?? 'no GPU',
    summary: r,
  };
}

export async function pickRun(store: RunStore, placeHolder: string): Promise<BenchRun | undefined> {
  const runs = await store.list();
  if (runs.length === 0) {
    void vscode.window.showInformationMessage(
      'No saved FP8 GEMM runs yet. Run "FP8 GEMM: Run FP8 GEMM benchmark" first.',
    );
    return undefined;
  }
  const pick = await vscode.window.showQuickPick(runs.map(describeRun), { placeHolder, matchOnDescription: true });
  return pick ? store.load(pick.summary.id) : undefined;
}

/**
 * A run to compare with: a saved run (not `exclude`) or a bench / grouped / tune file. Returns the
 * run and how to name it ("run of 2026-11-21 06:21" / the file name).
 */
export async function pickRunOrFile(
  store: RunStore,
  placeHolder: string,
  exclude?: string,
): Promise<{ run: BenchRun; label: string } | undefined> {
  const runs = (await store.list()).filter((r) => r.id !== exclude);
  const items: Array<vscode.QuickPickItem & { summary?: RunSummary }> = [OPEN_FILE_ITEM];
  if (runs.length)
    items.push({ label: 'saved runs', kind: vscode.QuickPickItemKind.Separator }, ...runs.map(describeRun));
  const pick = await vscode.window.showQuickPick(items, { placeHolder, matchOnDescription: true });
  if (!pick) return undefined;
  if (pick.summary)
    return {
      run: await store.load(pick.summary.id),
      label: `run of ${pick.label}${pick.summary.device ? ` on ${pick.summary.device}` : ''}`,
    };
  const uri = await pickFp8labFile();
  if (!uri) return undefined;
  const file = await readFp8labFile(uri);
  if (file.kind === 'timeline' || file.kind === 'accuracy')
    throw new Error(
      `${uri.path.split('/').pop()} is a ${file.summary}: only runs (bench, grouped, tune) can be compared`,
    );
  return { run: file.run, label: uri.path.split('/').pop() ?? uri.path };
}

/** The first item of "Open saved run…": any fp8lab JSON file from disk or the remote workspace. */
export const OPEN_FILE_ITEM: vscode.QuickPickItem = {
  label: '$(folder-opened) Open a file…',
  description: 'any fp8lab JSON: runs, tunings, timeline captures, accuracy reports',
  detail: 'e.g. the --json file of `fp8lab bench` on a GPU server',
  alwaysShow: true,
};

/** Asks where to save and writes the run as JSON or CSV; returns the path, or undefined if cancelled. */
export async function exportRun(run: BenchRun, format: 'json' | 'csv'): Promise<string | undefined> {
  const base = vscode.workspace.workspaceFolders?.[0]?.uri ?? vscode.Uri.file(homedir());
  const name = `fp8lab-${run.id.replace(/[^A-Za-z0-9._-]/g, '_')}.${format}`;
  const target = await vscode.window.showSaveDialog({
    defaultUri: vscode.Uri.joinPath(base, name),
    filters: format === 'json' ? { JSON: ['json'] } : { CSV: ['csv'] },
    saveLabel: `Export ${format.toUpperCase()}`,
  });
  if (!target) return undefined;
  const text = format === 'json' ? JSON.stringify(run, null, 1) + '\n' : runToCsv(run);
  await vscode.workspace.fs.writeFile(target, Buffer.from(text, 'utf8'));
  return target.fsPath;
}
