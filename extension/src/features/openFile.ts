// Opens any fp8lab JSON file (a `fp8lab bench --json` run written on a GPU server, a grouped run,
// a tune file, a timeline capture, an accuracy report) in its view: from "Open saved run…" → "Open
// a file…", from the Explorer's or the editor title's "Open in FP8 GEMM Lab", and from a code lens
// on such a file opened in an editor (which is where a file dragged into the window lands). Files
// are read through vscode.workspace.fs, so a file in a remote workspace opens the same way.
// Bench, grouped and tune files are also saved to the run list, so they can be reopened and their
// panel survives a window reload.

import * as vscode from 'vscode';
import type { FeatureContext } from '../context';
import { looksLikeFp8labJson, type Fp8labFile } from '../core/fp8labFiles';
import { pickFp8labFile, readFp8labFile } from '../dialogs/fp8labFileIo';
import { panelsFor } from '../panels/panelSet';
import { runStoreFor } from '../storage/runStore';
import { STUDY_COMMANDS } from './studies';

export const OPEN_FILE_COMMAND = 'fp8lab.openFile';

export function activate(ctx: FeatureContext) {
  const open = async (arg?: unknown): Promise<string | undefined> => {
    const uri = arg instanceof vscode.Uri ? arg : await pickFp8labFile();
    if (!uri) return undefined;
    let file: Fp8labFile;
    try {
      file = await readFp8labFile(uri);
    } catch (e) {
      void vscode.window.showErrorMessage(`Cannot open in FP8 GEMM Lab: ${(e as Error).message}`);
      return undefined;
    }
    ctx.log.info(`opened ${uri.toString(true)}: ${file.summary}`);
    switch (file.kind) {
      case 'timeline':
        await vscode.commands.executeCommand(STUDY_COMMANDS.timeline, uri);
        break;
      case 'accuracy':
        await vscode.commands.executeCommand(STUDY_COMMANDS.accuracy, uri);
        break;
      default: {
        const savedAs = await runStoreFor(ctx)
          .save(file.run)
          .catch((e: Error) => {
            ctx.log.warn(`${uri.toString(true)} was shown but not saved to the run list: ${e.message}`);
            return undefined;
          });
        panelsFor(ctx).results.show(file.run, { live: false, savedAs, reveal: true });
      }
    }
    return file.kind;
  };

  const lenses = new vscode.EventEmitter<void>();
  const codeLens: vscode.CodeLensProvider = {
    onDidChangeCodeLenses: lenses.event,
    provideCodeLenses(doc) {
      if (!looksLikeFp8labJson(doc.getText(new vscode.Range(0, 0, 40, 0)))) return [];
      return [
        new vscode.CodeLens(new vscode.Range(0, 0, 0, 0), {
          title: '$(graph) Open in FP8 GEMM Lab',
          command: OPEN_FILE_COMMAND,
          arguments: [doc.uri],
          tooltip: 'Show this file in its FP8 GEMM Lab view',
        }),
      ];
    },
  };
  ctx.extension.subscriptions.push(
    lenses,
    vscode.commands.registerCommand(OPEN_FILE_COMMAND, open),
    vscode.languages.registerCodeLensProvider([{ language: 'json' }, { language: 'jsonc' }], codeLens),
  );
  return { openFile: { open } };
}
