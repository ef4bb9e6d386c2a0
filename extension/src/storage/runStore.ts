// Saved runs in the workspace's storage (or the global storage without a workspace): one JSON file
// per run, written atomically after every measured shape (storage/runArchive.ts). The commands that
// open, compare and export runs are features/runs.ts; the pickers are dialogs/runDialogs.ts.

import * as vscode from 'vscode';
import type { BenchRun } from '../../protocol/worker';
import type { FeatureContext } from '../context';
import type { RunSummary } from '../core/savedRun';
import { RunArchive } from './runArchive';

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
    return next.then((file) => {
      this.saved.fire({ run: snapshot, file });
      return file;
    });
  }

  list(): Promise<RunSummary[]> {
    return this.archive.list();
  }
  load(id: string): Promise<BenchRun> {
    return this.archive.load(id);
  }
  latest(): Promise<BenchRun | undefined> {
    return this.archive.latest();
  }

  dispose(): void {
    this.saved.dispose();
  }
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
