// The results panel: one webview panel per run, updated live while the run is measured, restored
// after a window reload by a WebviewPanelSerializer (the page saves the run id in its state and
// the run is read back from the run store).

import * as vscode from 'vscode';
import type { ResultsSnapshot } from '../../protocol/webview';
import type { BenchRun } from '../../protocol/worker';
import { upgradeRun } from '../core/peers/runPeers';
import { columnsFor, rowToTsv, shapeRow } from '../core/runRows';
import { restoredRunId } from '../core/webviewGuards';
import { tunableShapes } from '../core/tuning/tunableShapes';
import { WebviewHost } from './webviewHost';

export const RESULTS_VIEW_TYPE = 'fp8lab.results';

export interface ResultsPanelDeps {
  extensionUri: vscode.Uri;
  log: vscode.LogOutputChannel;
  loadRun(id: string): Promise<BenchRun>;
  exportRun(run: BenchRun, format: 'json' | 'csv'): Promise<string | undefined>;
  showRegisters(run: BenchRun, indices: number[]): Promise<void>;
  /** Asks for a run to compare with (a saved run or a file); undefined when the user cancels. */
  pickBase(exclude: string): Promise<{ run: BenchRun; label: string } | undefined>;
}

interface Entry {
  panel: vscode.WebviewPanel;
  host: WebviewHost;
  snapshot: ResultsSnapshot;
}

export class ResultsPanels implements vscode.Disposable {
  private readonly panels = new Map<string, Entry>();
  private readonly serializer: vscode.Disposable;

  constructor(private readonly deps: ResultsPanelDeps) {
    this.serializer = vscode.window.registerWebviewPanelSerializer(RESULTS_VIEW_TYPE, {
      deserializeWebviewPanel: async (panel, state) => {
        const id = restoredRunId(state);
        if (!id) {
          panel.webview.html =
            '<!DOCTYPE html><p>This results panel has no saved run to show. Use “FP8 GEMM: Open saved run”.</p>';
          return;
        }
        try {
          const run = upgradeRun(await deps.loadRun(id));
          this.attach(panel, { view: 'results', run, live: false });
        } catch (e) {
          deps.log.warn(`results panel for run ${id} could not be restored: ${(e as Error).message}`);
          panel.dispose();
        }
      },
    });
  }

  /** Shows (or updates) the panel of a run. */
  show(given: BenchRun, opts: { live: boolean; savedAs?: string; reveal?: boolean }): void {
    // A run from before per-peer results (or from a runtime that still writes the one cuBLASLt
    // column) is shown with `peers` only: the view reads nothing else.
    const run = upgradeRun(given);
    const snapshot: ResultsSnapshot = { view: 'results', run, live: opts.live, savedAs: opts.savedAs };
    const existing = this.panels.get(run.id);
    if (existing) {
      existing.snapshot = { ...snapshot, compare: existing.snapshot.compare };
      existing.host.update();
      if (opts.reveal) existing.panel.reveal(undefined, true);
      return;
    }
    const panel = vscode.window.createWebviewPanel(
      RESULTS_VIEW_TYPE,
      this.title(run),
      { viewColumn: vscode.ViewColumn.Active, preserveFocus: true },
      { enableFindWidget: true },
    );
    this.attach(panel, snapshot);
  }

  /** Shows run B's panel compared against run A. */
  compare(base: BenchRun, run: BenchRun, label: string): void {
    this.show(run, { live: false, reveal: true });
    const e = this.panels.get(upgradeRun(run).id);
    if (!e) return;
    e.snapshot = { ...e.snapshot, compare: { base: upgradeRun(base), label } };
    e.host.update();
  }

  /** Test hook: what the panel of a run shows, and whether its page has loaded and asked for it. */
  shown(id: string): { run: BenchRun; live: boolean; title: string; ready: boolean } | undefined {
    const e = this.panels.get(id);
    return e ? { run: e.snapshot.run, live: e.snapshot.live, title: e.panel.title, ready: e.host.isReady } : undefined;
  }

  /** The run in the active results panel, if any (for "export run" from the palette). */
  activeRun(): BenchRun | undefined {
    for (const e of this.panels.values()) if (e.panel.active) return e.snapshot.run;
    return undefined;
  }

  private title(run: BenchRun): string {
    const when = run.startedAt.replace('T', ' ').slice(0, 16);
    const what =
      run.source === 'grouped'
        ? run.mode === 'gpu'
          ? 'FP8 grouped GEMM'
          : 'FP8 grouped study'
        : run.mode === 'gpu'
          ? 'FP8 GEMM'
          : 'FP8 study';
    return `${run.recorded ? 'Recorded' : what} · ${when}`;
  }

  private attach(panel: vscode.WebviewPanel, snapshot: ResultsSnapshot): void {
    const entry = { panel, snapshot } as Entry;
    const current = () => entry.snapshot.run;
    entry.host = new WebviewHost(
      panel.webview,
      'results',
      this.deps.extensionUri,
      this.deps.log,
      () => entry.snapshot,
      {
        'row/copy': async ({ index }) => {
          const run = current();
          if (index >= run.results.length)
            throw new Error(`row ${index} does not exist (the run has ${run.results.length})`);
          const text = rowToTsv(shapeRow(run.results[index], index, run), columnsFor(run));
          await vscode.env.clipboard.writeText(text);
          return { text };
        },
        'registers/show': async ({ indices }) => {
          await this.deps.showRegisters(current(), indices);
          return { shown: true };
        },
        'run/export': async ({ format }) => ({ path: await this.deps.exportRun(current(), format) }),
        'file/open': async ({ uri }) => ({
          opened: await vscode.commands.executeCommand<string | undefined>(
            'fp8lab.openFile',
            vscode.Uri.parse(uri, true),
          ),
        }),
        'run/compare': async ({ clear }) => {
          if (clear) {
            entry.snapshot = { ...entry.snapshot, compare: undefined };
            entry.host.update();
            return { compared: false };
          }
          const base = await this.deps.pickBase(current().id);
          if (!base) return { compared: false };
          entry.snapshot = { ...entry.snapshot, compare: { base: upgradeRun(base.run), label: base.label } };
          entry.host.update();
          return { compared: true };
        },
        'run/tune': async () => {
          const shapes = tunableShapes(current());
          if (shapes.length === 0)
            throw new Error('this run has no Normal FP8 GEMM shapes: tuning ranks the Normal kernel only');
          const outcome = await vscode.commands.executeCommand<{ ok: boolean } | undefined>(
            'fp8lab.tuneShapes',
            shapes,
          );
          return { tuned: outcome?.ok === true };
        },
        'study/open': async ({ study, index }) => {
          const run = current();
          if (index >= run.results.length)
            throw new Error(`row ${index} does not exist (the run has ${run.results.length})`);
          const r = run.results[index];
          if (r.grouped)
            throw new Error(
              `${r.caseLabel ?? 'this row'} is a grouped GEMM: the timeline and accuracy studies run normal GEMMs only`,
            );
          // The study runs the shape with the config this row measured (features/studies.ts).
          await vscode.commands.executeCommand(
            ({ timeline: 'fp8lab.showTimeline', accuracy: 'fp8lab.showAccuracy', sass: 'fp8lab.showSass' } as const)[
              study
            ],
            { problem: { ...r.problem, config: r.config } },
          );
          return { opened: true };
        },
      },
    );
    panel.title = this.title(snapshot.run);
    this.panels.set(snapshot.run.id, entry);
    panel.onDidDispose(() => {
      entry.host.dispose();
      if (this.panels.get(snapshot.run.id) === entry) this.panels.delete(snapshot.run.id);
    });
  }

  dispose(): void {
    this.serializer.dispose();
    for (const e of this.panels.values()) e.panel.dispose();
  }
}
