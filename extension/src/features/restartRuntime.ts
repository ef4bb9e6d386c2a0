// "Restart runtime worker" (fp8lab.restartRuntime): restart the worker, probe the environment again
// (through the environment feature's probe, so the status bar follows) and say how it went.

import * as vscode from 'vscode';
import type { EnvironmentReport } from '../../protocol/worker';
import { RuntimeError, type FeatureContext } from '../context';

export function registerRestartRuntime(
  ctx: FeatureContext,
  probe: () => Promise<EnvironmentReport | RuntimeError>,
): vscode.Disposable {
  return vscode.commands.registerCommand('fp8lab.restartRuntime', async () => {
    await ctx.runtime.restart('requested by the user');
    const r = await probe();
    const pid = ctx.runtime.pid;
    if (r instanceof RuntimeError)
      void vscode.window.showWarningMessage(
        `FP8 GEMM runtime restarted${pid ? ` (pid ${pid})` : ''}, but: ${r.message}`,
      );
    else void vscode.window.showInformationMessage(`FP8 GEMM runtime restarted (pid ${pid}): ${r.summary}`);
  });
}
