// The pipeline-timeline panel (webview/src/apps/timeline.ts): shows a TraceCapture, restored after a
// reload from the last capture shown.

import type * as vscode from 'vscode';
import type { TimelineSnapshot, TraceCapture } from '../../protocol/trace';
import { checkTraceCapture } from '../core/trace';
import { StudyPanel } from './studyPanel';
import { shapeLabel } from '../core/shapes';

export const TIMELINE_VIEW_TYPE = 'fp8lab.timeline';

export function timelineTitle(c: TraceCapture): string {
  return `Timeline · ${shapeLabel(c.problem)}${c.recorded ? ' (recorded)' : ''}`;
}

export function checkTimelineSnapshot(raw: unknown): TimelineSnapshot {
  const s = raw as TimelineSnapshot;
  if (typeof raw !== 'object' || raw === null || s.view !== 'timeline' || typeof s.title !== 'string') {
    throw new Error("a timeline snapshot needs view 'timeline', a title and a capture");
  }
  return { view: 'timeline', title: s.title, capture: checkTraceCapture(s.capture) };
}

export function createTimelinePanel(
  extensionUri: vscode.Uri,
  storageUri: vscode.Uri,
  log: vscode.LogOutputChannel,
): StudyPanel<TimelineSnapshot> {
  return new StudyPanel<TimelineSnapshot>({
    viewType: TIMELINE_VIEW_TYPE,
    view: 'timeline',
    extensionUri,
    storageUri,
    log,
    check: checkTimelineSnapshot,
  });
}
