// Reading an fp8lab JSON file through vscode.workspace.fs (local or remote workspace) and asking
// for one with the file dialog; what the file holds is decided by core/fp8labFiles.ts.

import * as vscode from 'vscode';
import { classifyFp8labJson, type Fp8labFile } from '../core/fp8labFiles';

/** Reads and classifies a file; throws with a message that names the file and what it lacks. */
export async function readFp8labFile(uri: vscode.Uri): Promise<Fp8labFile> {
  const name = uri.path.split('/').pop() ?? uri.path;
  const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new Error(`${name} is not valid JSON (${(e as Error).message})`);
  }
  return classifyFp8labJson(raw, name);
}

export async function pickFp8labFile(): Promise<vscode.Uri | undefined> {
  const picked = await vscode.window.showOpenDialog({
    canSelectMany: false,
    openLabel: 'Open in FP8 GEMM Lab',
    defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri,
    filters: { 'fp8lab JSON': ['json'] },
    title: 'Open an fp8lab JSON file (bench, grouped, tune, timeline capture, accuracy)',
  });
  return picked?.[0];
}
