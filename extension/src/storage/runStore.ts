// Saved runs in the workspace's storage (or the global storage without a workspace): one JSON file
// per run, written atomically after every measured shape (core/runArchive.ts). Commands to reopen
// a saved run (fp8lab.openRun) and export one as JSON or CSV (fp8lab.exportRun).

import { homedir } from 'node:os';
import * as vscode from 'vscode';
import type { BenchRun } from '../../protocol/worker';
import type { FeatureContext } from '../context';
import { RunArchive, type RunSummary } from '../core/runArchive';
import { runToCsv } from '../core/runRows';
import { pickFp8labFile, readFp8labFile } from '../dialogs/fp8labFileIo';

export class RunStore implements vscode.Disposable {
  readonly archive: RunArchive;
  private readonly saved = new vscode.EventEmitter<{ run: BenchRun; file: string }>();
  /** Fires after every save (also the partial saves of a run being measured). */
  readonly onDidSave = this.saved.event;
  /** Serialises saves so two saves of one run never race on the rename. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(context: vscode.ExtensionContext) {
    const base = context.storageUri ?? context.globalStorageUri;
    this.archive = new RunArchive(vscode.Uri.joinPath(base, 'runs').fsPath);
  }

  save(run: BenchRun): Promise<string> {
    const snapshot = structuredClone(run);
    const next = this.queue.then(() => this.archive.save(snapshot));
    this.queue = next.catch(() => undefined);
    return next.then((file) => { this.saved.fire({ run: snapshot, file }); return file; });
  }

  list(): Promise<RunSummary[]> { return this.archive.list(); }
  load(id: string): Promise<BenchRun> { return this.archive.load(id); }
  latest(): Promise<BenchRun | undefined> { return this.archive.latest(); }

  dispose(): void { this.saved.dispose(); }
}

const stores = new WeakMap<vscode.ExtensionContext, RunStore>();

/** One store per extension context, shared by the benchmark command and the explorer. */
export function runStoreFor(ctx: FeatureContext): RunStore {
  let store = stores.get(ctx.extension);
  if (!store) {
    store = new RunStore(ctx.extension);
    stores.set(ctx.extension, store);
    ctx.extension.subscriptions.push(store);
  }
  return store;
}

export function describeRun(r: RunSummary): vscode.QuickPickItem & { summary: RunSummary } {
  const flags = [r.grouped ? 'grouped' : '', r.mode === 'gpu' ? 'GPU' : 'study', r.interrupted ? 'interrupted' : '', r.recorded ? 'recorded' : ''].filter(Boolean).join(', ');
  // A tune file records no start time: it is named by its id ("tune-<file>").
  return { label: r.startedAt ? r.startedAt.replace('T', ' ').replace(/\.\d+Z$/, 'Z') : r.id, description: `${r.shapes} ${r.grouped ? 'case' : 'shape'}(s) · ${flags}`, detail: r.device ?? 'no GPU', summary: r };
}

export async function pickRun(store: RunStore, placeHolder: string): Promise<BenchRun | undefined> {
  const runs = await store.list();
  if (runs.length === 0) {
    void vscode.window.showInformationMessage('No saved FP8 GEMM runs yet. Run "FP8 GEMM: Run FP8 GEMM benchmark" first.');
    return undefined;
  }
  const pick = await vscode.window.showQuickPick(runs.map(describeRun), { placeHolder, matchOnDescription: true });
  return pick ? store.load(pick.summary.id) : undefined;
}

/**
 * A run to compare with: a saved run (not `exclude`) or a bench / grouped / tune file. Returns the
 * run and how to name it ("run of 2026-11-21 06:21" / the file name).
 */
export async function pickRunOrFile(store: RunStore, placeHolder: string, exclude?: string): Promise<{ run: BenchRun; label: string } | undefined> {
  const runs = (await store.list()).filter((r) => r.id !== exclude);
  const items: Array<vscode.QuickPickItem & { summary?: RunSummary }> = [OPEN_FILE_ITEM];
  if (runs.length) items.push({ label: 'saved runs', kind: vscode.QuickPickItemKind.Separator }, ...runs.map(describeRun));
  const pick = await vscode.window.showQuickPick(items, { placeHolder, matchOnDescription: true });
  if (!pick) return undefined;
  if (pick.summary) return { run: await store.load(pick.summary.id), label: `run of ${pick.label}${pick.summary.device ? ` on ${pick.summary.device}` : ''}` };
  const uri = await pickFp8labFile();
  if (!uri) return undefined;
  const file = await readFp8labFile(uri);
  if (file.kind === 'timeline' || file.kind === 'accuracy') throw new Error(`${uri.path.split('/').pop()} is a ${file.summary}: only runs (bench, grouped, tune) can be compared`);
  return { run: file.run, label: uri.path.split('/').pop() ?? uri.path };
}

/** The first item of "Open saved run…": any fp8lab JSON file from disk or the remote workspace. */
const OPEN_FILE_ITEM: vscode.QuickPickItem = {
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

export interface RunCommandDeps {
  showRun(run: BenchRun, savedAs?: string): void;
  activeRun(): BenchRun | undefined;
  /** Shows run B compared against run A (label: how A is named). */
  compare(a: BenchRun, b: BenchRun, label: string): void;
}

/** Registers fp8lab.openRun and fp8lab.exportRun. */
export function registerRunCommands(ctx: FeatureContext, store: RunStore, deps: RunCommandDeps): void {
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
      if (runs.length) items.push({ label: 'saved runs', kind: vscode.QuickPickItemKind.Separator }, ...runs.map(describeRun));
      const pick = await vscode.window.showQuickPick(items, { placeHolder: runs.length ? 'Open a saved FP8 GEMM run, or a file' : 'No saved runs yet: open a file', matchOnDescription: true });
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
      const run = deps.activeRun() ?? await pickRun(store, 'Export which run?');
      if (!run) return undefined;
      const format = await vscode.window.showQuickPick([
        { label: 'CSV', description: 'one row per shape (the results table)', format: 'csv' as const },
        { label: 'JSON', description: 'the whole run, as the runtime returned it', format: 'json' as const },
      ], { placeHolder: 'Export format' });
      if (!format) return undefined;
      const path = await exportRun(run, format.format);
      if (path) void vscode.window.showInformationMessage(`Exported the run to ${path}`);
      return path;
    }),
  );
}
