// The SASS panel (webview/src/apps/sass.ts): a study panel, reused for each listing or diff and
// restored after a reload through checkSassSnapshot. The view may ask for one thing: open the
// source line of an instruction.

import * as vscode from 'vscode';
import type { SassSnapshot } from '../../protocol/sass';
import { checkSassSnapshot } from '../core/sass/check';
import { StudyPanel } from './studyPanel';

export const SASS_VIEW_TYPE = 'fp8lab.sass';

export interface SassPanelDeps {
  extensionUri: vscode.Uri;
  storageUri: vscode.Uri;
  log: vscode.LogOutputChannel;
  /** Opens the source line an instruction came from (resolved against the workspace). */
  openSource(file: string, line: number): Promise<boolean>;
}

export function createSassPanel(deps: SassPanelDeps): StudyPanel<SassSnapshot> {
  return new StudyPanel<SassSnapshot>({
    viewType: SASS_VIEW_TYPE,
    view: 'sass',
    extensionUri: deps.extensionUri,
    storageUri: deps.storageUri,
    log: deps.log,
    check: checkSassSnapshot,
    handlers: { 'sass/openSource': async ({ file, line }) => ({ opened: await deps.openSource(file, line) }) },
  });
}
