// The environment feature: a status bar item with the one-line summary ("H100 80GB HBM3 · driver
// 13.0 · nvcc 13.0" or "No CUDA driver: study mode · nvcc 13.0"), the readable report
// (fp8lab.showEnvironment); restartRuntime.ts uses its probe. The probe runs in the worker after
// activation returns, so activation stays fast; it is repeated after a restart and when fp8lab.*
// settings change.
import * as vscode from 'vscode';
import type { EnvironmentReport } from '../../protocol/worker';
import { RuntimeError, type FeatureContext } from '../context';
import { formatReport, verdict } from '../core/environmentText';
import { registerRestartRuntime } from './restartRuntime';

export interface EnvironmentTestApi {
  /** The last report, if a probe succeeded. */
  lastReport(): EnvironmentReport | undefined;
  /** Probes now (what the status bar shows afterwards); resolves with the report or the error. */
  probe(): Promise<EnvironmentReport | RuntimeError>;
  statusText(): string;
}

export function activate(ctx: FeatureContext): { environment: EnvironmentTestApi } {
  const item = vscode.window.createStatusBarItem('fp8lab.environment', vscode.StatusBarAlignment.Left, 0);
  item.name = 'FP8 GEMM Lab environment';
  item.command = 'fp8lab.showEnvironment';
  item.text = '$(loading~spin) FP8 GEMM';
  item.tooltip = 'Probing the CUDA environment…';
  item.show();
  const channel = vscode.window.createOutputChannel('FP8 GEMM Lab: Environment');
  ctx.extension.subscriptions.push(item, channel);

  let last: EnvironmentReport | undefined;
  let inFlight: Promise<EnvironmentReport | RuntimeError> | undefined;

  const show = (r: EnvironmentReport | RuntimeError): void => {
    if (r instanceof RuntimeError) {
      item.text = '$(error) FP8 GEMM: runtime unavailable';
      item.tooltip = `[${r.code}] ${r.message}\n\nClick for details.`;
      item.backgroundColor = new vscode.ThemeColor('statusBarItem.errorBackground');
      return;
    }
    item.text = `${r.canRunKernels ? '$(chip)' : '$(info)'} ${r.summary}`;
    item.tooltip = new vscode.MarkdownString(
      `**FP8 GEMM Lab**: ${r.summary}\n\n${verdict(r)}\n\nClick for the full report.`,
    );
    item.backgroundColor = r.canCompileKernels ? undefined : new vscode.ThemeColor('statusBarItem.warningBackground');
  };

  // Concurrent callers share one probe.
  const probe = (): Promise<EnvironmentReport | RuntimeError> => {
    inFlight ??= ctx.runtime
      .request('env/probe', { settings: ctx.settings() })
      .then(
        (r) => {
          last = r;
          ctx.log.info(`environment: ${r.summary}`);
          return r;
        },
        (err: unknown) => {
          const e = err instanceof RuntimeError ? err : new RuntimeError({ code: 'E_INTERNAL', message: String(err) });
          ctx.log.error(`environment probe failed: [${e.code}] ${e.message}`);
          return e;
        },
      )
      .then((r) => {
        inFlight = undefined;
        show(r);
        return r;
      });
    return inFlight;
  };

  ctx.extension.subscriptions.push(
    vscode.commands.registerCommand('fp8lab.showEnvironment', async () => {
      const r = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Window, title: 'FP8 GEMM: probing environment' },
        probe,
      );
      channel.clear();
      if (r instanceof RuntimeError) {
        channel.appendLine(`The FP8 GEMM runtime could not probe the environment.\n\n[${r.code}] ${r.message}`);
        if (r.data.log) channel.appendLine(`\n${r.data.log}`);
      } else {
        channel.appendLine(formatReport(r));
        if (!ctx.isTrusted())
          channel.appendLine('\nThis workspace is not trusted: nothing is compiled or run until you trust it.');
      }
      channel.show(true);
      return r;
    }),
    registerRestartRuntime(ctx, probe),
    ctx.runtime.onDidRestart(() => {
      void probe();
    }),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('fp8lab')) void probe();
    }),
    vscode.workspace.onDidGrantWorkspaceTrust(() => {
      void probe();
    }),
  );

  // After activation returns: starting the worker is not activation's job.
  setImmediate(() => {
    void probe();
  });

  return { environment: { lastReport: () => last, probe, statusText: () => item.text } };
}
