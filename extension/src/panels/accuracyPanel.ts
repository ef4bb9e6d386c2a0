// The accuracy panel (webview/src/apps/accuracy.ts): shows an AccuracyReport (the design vs
// per-tensor scaling vs no promotion), restored after a reload from the last report shown.

import type * as vscode from 'vscode';
import type { AccuracyReport, AccuracySnapshot } from '../../protocol/trace';
import { checkAccuracyReport } from '../core/accuracy';
import { StudyPanel } from './studyPanel';
import { shapeLabel } from '../core/shapes';

export const ACCURACY_VIEW_TYPE = 'fp8lab.accuracy';

export function accuracyTitle(r: AccuracyReport): string {
  return `Accuracy · ${shapeLabel(r.problem)} · ${r.input}${r.recorded ? ' (recorded)' : ''}`;
}

export function checkAccuracySnapshot(raw: unknown): AccuracySnapshot {
  const s = raw as AccuracySnapshot;
  if (typeof raw !== 'object' || raw === null || s.view !== 'accuracy' || typeof s.title !== 'string') {
    throw new Error("an accuracy snapshot needs view 'accuracy', a title and a report");
  }
  const reports = Array.isArray(s.reports) ? s.reports.map(checkAccuracyReport) : undefined;
  return {
    view: 'accuracy',
    title: s.title,
    report: checkAccuracyReport(s.report),
    ...(reports && reports.length > 1 ? { reports } : {}),
  };
}

export function createAccuracyPanel(
  extensionUri: vscode.Uri,
  storageUri: vscode.Uri,
  log: vscode.LogOutputChannel,
): StudyPanel<AccuracySnapshot> {
  return new StudyPanel<AccuracySnapshot>({
    viewType: ACCURACY_VIEW_TYPE,
    view: 'accuracy',
    extensionUri,
    storageUri,
    log,
    check: checkAccuracySnapshot,
  });
}
