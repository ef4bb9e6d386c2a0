// The side-panel Config Explorer (webview view fp8lab.configExplorer): candidate configs for a
// shape and kernel kind from the runtime's 'gemm/configs', rejected ones with their reasons, the
// chosen one with "why this one"; compile ('kernel/compile', no GPU needed) or time ('gemm/bench'
// with forced configs) any selection; keep one as the override for the shape. It shows the
// environment report and says plainly what cannot be done when there is no toolkit or no GPU.

import * as vscode from 'vscode';
import type { ExplorerCandidateState, ExplorerKind, ExplorerSnapshot } from '../../protocol/webview';
import type { MqaKind } from '../../protocol/mqa';
import type { GemmProblem, ShapeResult, TuneShapesRun } from '../../protocol/worker';
import type { FeatureContext } from '../context';
import { registersFromCandidates } from '../core/registerEntries';
import { identicalConfigs } from '../core/configIdentity';
import { parseShape } from '../core/shapes';
import { isGroupedConfigKind, parseGroupedConfigShape, problemLabel } from '../core/grouped/configProblem';
import { isMqaKind } from '../core/explorerKinds';
import { mqaConfigReport } from '../core/mqa/mqaCandidates';
import { mqaCaseLabel, parseMqaShape } from '../core/mqa/mqaShapes';
import { panelsFor } from '../panels/panelSet';
import { toCodedError, WebviewHost } from '../panels/webviewHost';
import { Overrides } from './overrides';
import { runStoreFor } from '../storage/runStore';
import { newJobId } from '../core/jobId';
import { runJob, type JobOutcome } from '../runtime/hostJob';

export const EXPLORER_VIEW_ID = 'fp8lab.configExplorer';

// The CLI's default rounds; the peers run beside each timed candidate, so the explorer can draw
// their times for the shape next to the candidates'.
const TIME_OPTIONS = { timing: true, peer: true, rounds: 20, seed: 0 };
export const EXPLORER_WIDE_VIEW_TYPE = 'fp8lab.explorerWide';

export class ConfigExplorer implements vscode.WebviewViewProvider, vscode.Disposable {
  private state: ExplorerSnapshot = { view: 'explorer', follow: false, candidates: [] };
  private host?: WebviewHost;
  /** The explorer in an editor tab ("Open in editor"): same state, full table. */
  private wide?: { panel: vscode.WebviewPanel; host: WebviewHost };
  private cancel?: vscode.CancellationTokenSource;
  private readonly overrides: Overrides;
  private readonly disposables: vscode.Disposable[] = [];
  private envRequested = false;

  constructor(private readonly ctx: FeatureContext) {
    this.overrides = new Overrides(ctx.extension.workspaceState);
    const store = runStoreFor(ctx);
    // "Follow the last run": re-list when a run is saved with a different first shape.
    this.disposables.push(
      store.onDidSave(({ run }) => {
        const first = run.results[0]?.problem;
        if (this.state.follow && first && !sameShape(first, this.state.problem))
          void this.list({ ...first, config: undefined });
      }),
    );
    this.disposables.push(
      ctx.runtime.onDidRestart(() => {
        this.envRequested = false;
        if (this.host) void this.probe();
      }),
    );
  }

  /** Current snapshot (test hook and what the view renders). */
  snapshot(): ExplorerSnapshot {
    return this.state;
  }

  resolveWebviewView(view: vscode.WebviewView): void {
    this.host?.dispose();
    const host = this.makeHost(view.webview, () => this.state);
    this.host = host;
    view.onDidDispose(() => {
      host.dispose();
      if (this.host === host) this.host = undefined;
    });
    if (!this.envRequested) void this.probe();
  }

  /** Opens (or reveals) the explorer in an editor tab, wide enough for every column. */
  openWide(restored?: vscode.WebviewPanel): void {
    if (this.wide && !restored) {
      this.wide.panel.reveal();
      return;
    }
    this.wide?.panel.dispose();
    // After a window reload VS Code hands the tab back (serializer): it shows the current state.
    const panel =
      restored ??
      vscode.window.createWebviewPanel(EXPLORER_WIDE_VIEW_TYPE, this.wideTitle(), vscode.ViewColumn.Active, {
        enableFindWidget: true,
      });
    panel.title = this.wideTitle();
    const host = this.makeHost(panel.webview, () => ({ ...this.state, wide: true }));
    const entry = { panel, host };
    this.wide = entry;
    panel.onDidDispose(() => {
      host.dispose();
      if (this.wide === entry) this.wide = undefined;
    });
    if (!this.envRequested) void this.probe();
  }

  private wideTitle(): string {
    const p = this.state.problem;
    const mqa = this.state.mqaReport?.case;
    if (mqa) return `Config Explorer · ${mqa.kind} ${mqaCaseLabel(mqa)}`;
    return p ? `Config Explorer · ${p.kind} ${problemLabel(p)}` : 'Config Explorer';
  }

  private makeHost(webview: vscode.Webview, snapshot: () => ExplorerSnapshot): WebviewHost {
    return new WebviewHost(webview, 'explorer', this.ctx.extension.extensionUri, this.ctx.log, snapshot, {
      'explorer/openWide': async () => {
        this.openWide();
        return { opened: true };
      },
      'file/open': async ({ uri }) => ({
        opened: await vscode.commands.executeCommand<string | undefined>(
          'fp8lab.openFile',
          vscode.Uri.parse(uri, true),
        ),
      }),
      'configs/list': (p) => this.onList(p),
      'configs/compile': ({ indices }) => this.compile(indices),
      'configs/time': ({ indices }) => this.time(indices),
      'configs/tune': () => this.tune(),
      'override/keep': ({ index }) => this.keep(index),
      'job/cancel': async () => {
        const had = !!this.cancel;
        this.cancel?.cancel();
        return { cancelled: had };
      },
      'registers/show': async ({ indices }) => {
        if (!this.state.report) throw new Error('no candidates listed yet');
        const snap = registersFromCandidates(this.state.report, this.state.candidates, indices);
        if (snap.entries.length === 0)
          throw new Error('none of the selected candidates is compiled yet: Compile them first');
        panelsFor(this.ctx).registers.show(snap);
        return { shown: true };
      },
      'study/open': async ({ study, index }) => {
        const { report } = this.state;
        const candidate = report?.candidates[index];
        if (!report || !candidate) throw new Error(`candidate ${index} does not exist`);
        if (candidate.rejected)
          throw new Error(`candidate ${index} was rejected (${candidate.rejected.reason}); it cannot run`);
        // The study runs this candidate's config (features/studies.ts).
        await vscode.commands.executeCommand(
          ({ timeline: 'fp8lab.showTimeline', accuracy: 'fp8lab.showAccuracy', sass: 'fp8lab.showSass' } as const)[
            study
          ],
          { problem: { ...report.problem, config: candidate.config } },
        );
        return { opened: true };
      },
    });
  }

  private set(patch: Partial<ExplorerSnapshot>): void {
    this.state = { ...this.state, ...patch };
    this.host?.update();
    if (this.wide) {
      this.wide.panel.title = this.wideTitle();
      this.wide.host.update();
    }
  }

  /** The peers' times of this shape from the newest saved run that measured it (the explorer's own timing replaces them). */
  private async peersFromRuns(problem: GemmProblem): Promise<ExplorerSnapshot['peers']> {
    const store = runStoreFor(this.ctx);
    for (const summary of (await store.list().catch(() => [])).slice(0, 20)) {
      if (summary.grouped || summary.mode !== 'gpu') continue;
      const run = await store.load(summary.id).catch(() => undefined);
      const row = run?.results.find((r) => sameShape(r.problem, problem) && r.peers?.some((p) => p.timing));
      if (row?.peers)
        return {
          source: `run of ${summary.startedAt.replace('T', ' ').slice(0, 16)}${run?.device ? ` on ${run.device.name}` : ''}`,
          peers: row.peers,
        };
    }
    return undefined;
  }

  private async probe(): Promise<void> {
    this.envRequested = true;
    try {
      this.set({
        env: await this.ctx.runtime.request('env/probe', { settings: this.ctx.settings() }),
        envError: undefined,
      });
    } catch (e) {
      this.set({ env: undefined, envError: toCodedError(e) });
    }
  }

  private async onList(p: { shape: string; kind: ExplorerKind; follow: boolean }): Promise<{ ok: boolean }> {
    this.set({ follow: p.follow });
    if (p.follow) {
      const last = await runStoreFor(this.ctx)
        .latest()
        .catch(() => undefined);
      const first = last?.results[0]?.problem;
      if (first) return this.list({ ...first, config: undefined });
      if (!p.shape.trim()) {
        this.set({
          reportError: {
            code: 'E_INVALID_SHAPE',
            message: 'no saved run to follow yet: type a shape, or run the benchmark first',
          },
        });
        return { ok: false };
      }
    }
    if (isMqaKind(p.kind)) return this.listMqa(p.kind, p.shape);
    // The grouped BF16 kinds take a case as their bench does (G,M,N,K, ...), drawn as it draws it.
    const parsed = isGroupedConfigKind(p.kind)
      ? parseGroupedConfigShape(p.kind, p.shape)
      : parseShape(p.shape, { kind: p.kind });
    if (!parsed.ok) {
      this.set({ reportError: { code: parsed.code, message: parsed.message } });
      return { ok: false };
    }
    return this.list(parsed.problem);
  }

  /**
   * The MQA-logits kinds: their kernel configs around the one the runtime runs (pure, no worker
   * needed); a case the kernels refuse is shown as its coded error.
   */
  private listMqa(kind: MqaKind, shape: string): { ok: boolean } {
    const parsed = parseMqaShape(kind, shape.trim());
    const reset = { problem: undefined, report: undefined, candidates: [], override: undefined, peers: undefined };
    if (typeof parsed === 'string') {
      this.set({ ...reset, mqaReport: undefined, reportError: { code: 'E_INVALID_SHAPE', message: parsed } });
      return { ok: false };
    }
    try {
      this.set({ ...reset, mqaReport: mqaConfigReport(parsed), reportError: undefined, busy: undefined });
      return { ok: true };
    } catch (e) {
      this.set({ ...reset, mqaReport: undefined, reportError: toCodedError(e) });
      return { ok: false };
    }
  }

  /**
   * Tunes the shown Normal shape on this GPU ("FP8 GEMM: Tune shapes on this GPU" with this shape),
   * then lists it again: the tuned winner is now the choice, and "why" says where it came from.
   */
  private async tune(): Promise<{ tuned: boolean }> {
    const problem = this.state.problem;
    if (!problem || !this.state.report) throw new Error('no candidates listed yet: choose a shape first');
    if (problem.kind !== 'normal') throw new Error(`only Normal FP8 GEMM shapes are tuned; this is ${problem.kind}`);
    if (this.cancel) throw new Error('another compile or timing job is running: wait for it or cancel it');
    this.set({
      tuneNote: undefined,
      busy: { what: 'tuning this shape on the GPU (progress in the notification)', done: 0, total: 1 },
    });
    const outcome = await vscode.commands
      .executeCommand<JobOutcome<TuneShapesRun> | undefined>('fp8lab.tuneShapes', [
        { kind: 'normal', m: problem.m, n: problem.n, k: problem.k },
      ])
      .then(
        (o) => o,
        () => undefined,
      );
    this.set({ busy: undefined });
    if (!sameShape(problem, this.state.problem)) return { tuned: outcome?.ok === true };
    if (outcome?.ok) {
      await this.list(problem);
      this.set({ tuneNote: 'Tuned on this GPU: the choice above is the measured winner.' });
    } else {
      this.set({
        tuneNote: outcome
          ? `Not tuned: ${outcome.cancelled ? 'cancelled' : `[${outcome.error.code}] ${outcome.error.message}`}`
          : 'Not tuned (see the notification).',
      });
    }
    return { tuned: outcome?.ok === true };
  }

  /** Lists the candidates of a problem (resets compile/timing state of the previous shape). */
  async list(problem: GemmProblem): Promise<{ ok: boolean }> {
    this.set({
      problem,
      mqaReport: undefined,
      report: undefined,
      reportError: undefined,
      tuneNote: undefined,
      candidates: [],
      override: this.overrides.get(problem),
      busy: { what: 'listing candidate configs', done: 0, total: 1 },
    });
    try {
      const report = await this.ctx.runtime.request('gemm/configs', { settings: this.ctx.settings(), problem });
      if (!sameShape(problem, this.state.problem)) return { ok: false }; // a newer request replaced this one
      this.set({ report, busy: undefined, peers: undefined });
      const peers = await this.peersFromRuns(problem);
      if (peers && sameShape(problem, this.state.problem) && !this.state.peers) this.set({ peers });
      return { ok: true };
    } catch (e) {
      this.set({ reportError: toCodedError(e), busy: undefined });
      return { ok: false };
    }
  }

  private candidateState(index: number): ExplorerCandidateState {
    return this.state.candidates.find((c) => c.index === index) ?? { index };
  }

  private put(s: ExplorerCandidateState): void {
    this.state = {
      ...this.state,
      candidates: [...this.state.candidates.filter((c) => c.index !== s.index), s].sort((a, b) => a.index - b.index),
    };
  }

  private legalIndices(indices: number[]): number[] {
    const report = this.state.report;
    if (!report) throw new Error('no candidates listed yet: choose a shape first');
    if (this.cancel) throw new Error('another compile or timing job is running: wait for it or cancel it');
    const bad = indices.filter((i) => i >= report.candidates.length || report.candidates[i].rejected);
    if (bad.length)
      throw new Error(
        `candidate(s) ${bad.join(', ')} do not exist or were rejected: ${bad.map((i) => report.candidates[i]?.rejected?.reason ?? 'out of range').join('; ')}`,
      );
    return [...new Set(indices)];
  }

  private async compile(indices: number[]): Promise<{ compiled: number }> {
    const picked = this.legalIndices(indices);
    const report = this.state.report!;
    if (!this.ctx.isTrusted())
      throw Object.assign(new Error('this workspace is not trusted: nothing is compiled'), { code: 'E_UNTRUSTED' });
    const source = new vscode.CancellationTokenSource();
    this.cancel = source;
    let compiled = 0;
    try {
      for (const [n, index] of picked.entries()) {
        if (source.token.isCancellationRequested) break;
        this.set({ busy: { what: `compiling candidate #${index}`, done: n, total: picked.length } });
        const config = report.candidates[index].config;
        try {
          const result = await this.ctx.runtime.request(
            'kernel/compile',
            { settings: this.ctx.settings(), job: { problem: report.problem, config } },
            source.token,
          );
          this.put({ ...this.candidateState(index), compile: result, compileError: undefined });
          compiled++;
        } catch (e) {
          const err = toCodedError(e);
          if (err.code === 'E_CANCELLED') break;
          this.put({ ...this.candidateState(index), compileError: err });
        }
      }
    } finally {
      source.dispose();
      this.cancel = undefined;
      this.set({ busy: undefined });
    }
    return { compiled };
  }

  private async time(indices: number[]): Promise<{ timed: number }> {
    const picked = this.legalIndices(indices);
    const report = this.state.report!;
    if (!this.state.env?.canRunKernels)
      throw Object.assign(
        new Error(
          `kernels cannot be timed on this machine: ${this.state.env?.summary ?? 'the environment is unknown'}`,
        ),
        { code: 'E_NO_DEVICE' },
      );
    const source = new vscode.CancellationTokenSource();
    this.cancel = source;
    const jobId = newJobId('explorer');
    const problems = picked.map((i) => ({ ...report.problem, config: report.candidates[i].config }));
    let timed = 0;
    const recorded = new Set<number>();
    const record = (pos: number, result: ShapeResult) => {
      // Match by config (robust to a shape the runtime skipped); arrival order as the fallback.
      const index =
        picked.find((i) => !recorded.has(i) && identicalConfigs(report.candidates[i].config, result.config)) ??
        picked[pos];
      if (index === undefined || recorded.has(index)) return;
      recorded.add(index);
      this.put({ ...this.candidateState(index), timing: result, timingError: result.error });
      // The peers measured in this timing (same GPU, same inputs, just now) replace any from a saved run.
      if (result.peers?.some((p) => p.timing))
        this.state = {
          ...this.state,
          peers: { source: 'measured with these candidates just now', peers: result.peers },
        };
      timed++;
      this.set({ busy: { what: 'timing candidates', done: timed, total: picked.length } });
    };
    let measured = 0;
    this.set({ busy: { what: 'timing candidates', done: 0, total: picked.length } });
    try {
      const outcome = await runJob(this.ctx.runtime, {
        jobId,
        method: 'gemm/bench',
        params: { settings: this.ctx.settings(), problems, options: TIME_OPTIONS },
        token: source.token,
        measured: (result) => record(measured++, result),
      });
      if (outcome.ok) {
        // Results come back in problem order; those not announced by job/didMeasure are recorded now.
        outcome.result.results.slice(measured).forEach((r, i) => record(measured + i, r));
      } else if (outcome.error.code !== 'E_CANCELLED') {
        for (const i of picked.filter((x) => !recorded.has(x)))
          this.put({ ...this.candidateState(i), timingError: outcome.error });
      }
    } finally {
      source.dispose();
      this.cancel = undefined;
      this.set({ busy: undefined });
    }
    return { timed };
  }

  private async keep(index: number): Promise<{ kept: boolean }> {
    const report = this.state.report;
    if (!report) throw new Error('no candidates listed yet');
    if (index === -1) {
      await this.overrides.set(report.problem, undefined);
      this.set({ override: undefined });
      return { kept: false };
    }
    const c = report.candidates[index];
    if (!c || c.rejected)
      throw new Error(`candidate ${index} ${c ? `was rejected: ${c.rejected!.reason}` : 'does not exist'}`);
    await this.overrides.set(report.problem, c.config);
    this.set({ override: c.config });
    return { kept: true };
  }

  dispose(): void {
    this.cancel?.cancel();
    this.host?.dispose();
    this.wide?.panel.dispose();
    this.disposables.forEach((d) => d.dispose());
  }
}

function sameShape(a: GemmProblem | undefined, b: GemmProblem | undefined): boolean {
  return !!a && !!b && a.kind === b.kind && a.m === b.m && a.n === b.n && a.k === b.k && a.numGroups === b.numGroups;
}

export function activate(ctx: FeatureContext): { explorer: ConfigExplorer } {
  const explorer = new ConfigExplorer(ctx);
  ctx.extension.subscriptions.push(
    explorer,
    vscode.window.registerWebviewViewProvider(EXPLORER_VIEW_ID, explorer),
    vscode.window.registerWebviewPanelSerializer(EXPLORER_WIDE_VIEW_TYPE, {
      deserializeWebviewPanel: async (panel) => explorer.openWide(panel),
    }),
  );
  return { explorer };
}
