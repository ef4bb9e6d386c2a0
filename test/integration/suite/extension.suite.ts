// The extension as VS Code sees it: it activates with every feature, every contributed command is
// registered, and the Config Explorer webview view resolves when focused.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ConfigExplorer } from '../../../extension/src/features/configExplorer';
import { activeExtension, testApiMember, until } from './testApi';

interface Manifest {
  contributes: {
    commands: { command: string; title: string }[];
    views: Record<string, { id: string; type?: string }[]>;
  };
}

export function defineExtensionTests(): void {
  suite('FP8 GEMM Lab extension', () => {
    let manifest: Manifest;

    suiteSetup(async () => {
      const ext = await activeExtension();
      // Read the manifest from disk at run time: the test follows whatever package.json contributes.
      manifest = JSON.parse(fs.readFileSync(path.join(ext.extensionPath, 'package.json'), 'utf8')) as Manifest;
    });

    test('activates, and every feature activated', async () => {
      const ext = await activeExtension();
      assert.equal(ext.isActive, true);
      const failures = await testApiMember('activationFailures');
      assert.deepEqual(failures, [], 'features whose activate() threw');
    });

    test('every command in package.json contributes.commands is registered', async () => {
      const declared = manifest.contributes.commands.map((c) => c.command);
      assert.ok(declared.includes('fp8lab.runBenchmark'), 'package.json must contribute fp8lab.runBenchmark');
      const registered = new Set(await vscode.commands.getCommands(true));
      const missing = declared.filter((c) => !registered.has(c));
      assert.deepEqual(missing, [], `declared in package.json but not registered: ${missing.join(', ')}`);
    });

    test('the Config Explorer webview view resolves when focused and asks for the environment', async () => {
      const views = Object.values(manifest.contributes.views).flat();
      assert.ok(
        views.some((v) => v.id === 'fp8lab.configExplorer' && v.type === 'webview'),
        'package.json must contribute the webview view fp8lab.configExplorer',
      );
      const features = await testApiMember('features');
      const explorer = (features.configExplorer as { explorer?: ConfigExplorer } | undefined)?.explorer;
      assert.ok(
        explorer && typeof explorer.snapshot === 'function',
        'the configExplorer feature returns { explorer } with snapshot()',
      );
      await vscode.commands.executeCommand('fp8lab.configExplorer.focus');
      // Resolving the view is what makes the explorer probe the runtime: its snapshot then holds
      // the environment report (or the coded error the runtime answered with).
      const snap = await until('the Config Explorer resolving and receiving the environment', 45_000, () => {
        const s = explorer.snapshot();
        return s.env || s.envError ? s : undefined;
      });
      if (snap.env) assert.match(snap.env.summary, /\S/, 'the environment report has a summary');
      else assert.match(String(snap.envError?.code), /^E_/, 'a coded error');
    });

    test('"Tune shapes on this GPU" runs the tune job: here, without a Hopper GPU, a coded refusal and a working host', async () => {
      const runtime = await testApiMember('runtime');
      const settings = await testApiMember('settings');
      const env = await runtime.request('env/probe', { settings: settings() });
      const outcome = await vscode.commands.executeCommand<
        { ok: true } | { ok: false; error: { code: string; message: string }; cancelled: boolean } | undefined
      >('fp8lab.tuneShapes', [{ kind: 'normal', m: 128, n: 2112, k: 7168 }]);
      assert.ok(outcome, 'the command ran the job (a trusted workspace, a valid shape)');
      if (env.canRunKernels) {
        assert.equal(outcome.ok, true, JSON.stringify(outcome));
      } else {
        assert.ok(!outcome.ok);
        assert.equal(outcome.error.code, 'E_NO_DEVICE');
        assert.match(outcome.error.message, /needs a Hopper GPU/);
      }
      // A grouped shape is not tuned: refused in the host before any job.
      assert.equal(
        await vscode.commands.executeCommand('fp8lab.tuneShapes', [
          { kind: 'masked', m: 4096, n: 7168, k: 2048, numGroups: 6 },
        ]),
        undefined,
      );
      // The worker still answers.
      assert.match((await runtime.request('env/probe', { settings: settings() })).summary, /\S/);
    });
  });
}
