// The two study views open in VS Code from recorded files through their commands
// (fp8lab.showTimeline / fp8lab.showAccuracy with a file Uri: the no-GPU path), load their pages
// (the page sends `ready` and gets the snapshot) and carry the shape in their titles. The files are
// the H100 recordings under test/fixtures/h100/ when present (timeline-capture.json, accuracy.json),
// else synthetic ones generated here (labelled so in the file and the title test).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { AccuracyReport, TraceCapture } from '../../../extension/protocol/trace';
import { syntheticAccuracy, syntheticCapture } from '../../unit/core/studies/syntheticStudies';
import { activeExtension, testApiMember, until } from './testApi';

interface Shown {
  title: string;
  ready: boolean;
}
interface StudiesApi {
  shown(): { timeline?: Shown; accuracy?: Shown };
}

export function defineStudyTests(): void {
  suite('FP8 GEMM Lab study views', () => {
    let dir: string;
    let fixtures: string;
    let studies: StudiesApi;

    suiteSetup(async () => {
      const ext = await activeExtension();
      fixtures = path.join(ext.extensionPath, 'test', 'fixtures', 'h100');
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fp8lab-studies-'));
      const features = await testApiMember('features');
      studies = (features.studies as { studies: StudiesApi }).studies;
      assert.ok(studies && typeof studies.shown === 'function', 'the studies feature returns { studies } with shown()');
    });

    suiteTeardown(() => {
      if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    /** The H100 recording when committed, else a synthetic file written now. */
    function fixture<T>(name: string, synthetic: () => T): { file: string; value: T } {
      const recorded = path.join(fixtures, name);
      if (fs.existsSync(recorded)) return { file: recorded, value: JSON.parse(fs.readFileSync(recorded, 'utf8')) as T };
      const value = synthetic();
      const file = path.join(dir, name);
      fs.writeFileSync(file, JSON.stringify(value));
      return { file, value };
    }

    test('the timeline view opens from a recorded capture and loads its page', async () => {
      const { file, value } = fixture<TraceCapture>('timeline-capture.json', () => syntheticCapture());
      await vscode.commands.executeCommand('fp8lab.showTimeline', vscode.Uri.file(file));
      const shown = await until('the timeline page to load and say ready', 30_000, () =>
        studies.shown().timeline?.ready ? studies.shown().timeline : undefined,
      );
      assert.match(shown.title, new RegExp(`${value.problem.m}x${value.problem.n}x${value.problem.k}`));
      if (value.recorded) assert.match(shown.title, /\(recorded\)/);
    });

    test('the accuracy view opens from a recorded report and loads its page', async () => {
      // device-pass.sh folds the three input kinds into one file: { reports: [...] }.
      const { file, value } = fixture<{ reports: AccuracyReport[] }>('accuracy.json', () => ({
        reports: [syntheticAccuracy()],
      }));
      await vscode.commands.executeCommand('fp8lab.showAccuracy', vscode.Uri.file(file));
      const shown = await until('the accuracy page to load and say ready', 30_000, () =>
        studies.shown().accuracy?.ready ? studies.shown().accuracy : undefined,
      );
      const r = value.reports[0];
      assert.match(shown.title, new RegExp(`${r.problem.m}x${r.problem.n}x${r.problem.k} · ${r.input}`));
    });
  });
}
