// "Open in FP8 GEMM Lab" on files from disk, inside the real extension host: a tune file written by
// `fp8lab tune --json` opens in the results panel (one row per timed candidate, its page loads)
// and is saved to the run list; a JSON file that is not an fp8lab file opens nothing.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { BenchmarkTestApi } from '../../../extension/src/features/benchmark';
import { runRows } from '../../../extension/src/core/runRows';
import { activeExtension, testApiMember, until } from './testApi';

export function defineViewTests(): void {
  suite('Opening fp8lab files from disk', () => {
    test('a tune file opens in the results panel, one row per candidate, and joins the run list', async () => {
      const ext = await activeExtension();
      const file = path.join(ext.extensionPath, 'test', 'fixtures', 'h100', 'tune-deepseek.json');
      const tune = JSON.parse(fs.readFileSync(file, 'utf8')) as { tunings: Array<{ candidates: unknown[] }> };
      const bench = (await testApiMember('features')).benchmark as BenchmarkTestApi;
      const kind = await vscode.commands.executeCommand<string | undefined>('fp8lab.openFile', vscode.Uri.file(file));
      assert.equal(kind, 'tune');
      const id = 'tune-tune-deepseek.json';
      const shown = await until("the tune file's results page loading", 45_000, () => {
        const s = bench.shownRun(id);
        return s?.ready ? s : undefined;
      });
      assert.equal(
        runRows(shown.run).length,
        tune.tunings.reduce((n, t) => n + t.candidates.length, 0),
      );
      assert.ok(
        fs.readdirSync(bench.runsDir).some((f) => f.includes('tune-tune-deepseek.json')),
        'saved to the run list',
      );
    });

    test('a JSON file that is not an fp8lab file opens nothing', async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fp8lab-notours-'));
      const file = path.join(dir, 'package.json');
      fs.writeFileSync(file, JSON.stringify({ name: 'something-else', version: '1.0.0' }));
      try {
        assert.equal(await vscode.commands.executeCommand('fp8lab.openFile', vscode.Uri.file(file)), undefined);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}
