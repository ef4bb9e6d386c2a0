// Types only: messages between the extension host and its webviews (results panel, config
// explorer, register view). Runtime checks of webview -> host messages live in
// extension/src/core/webviewGuards.ts (the webview is the less trusted side).
//
// Every message is one of three kinds:
//   { kind: 'request', id, method: 'noun/verb', params }      webview -> host, answered once
//   { kind: 'response', id, result } | { kind: 'response', id, error }   host -> webview
//   { kind: 'notification', method: 'ready' | 'noun/didVerb', params }  either way
// The view sends `ready` first; the host answers with `init` carrying WEBVIEW_PROTOCOL_VERSION and
// a full snapshot. Later state changes are sent as full snapshots too (`view/didChange`), so a
// view that was hidden and recreated (no retainContextWhenHidden) renders from one message.

import type {
  BenchRun,
  CodedErrorData,
  CompileReport,
  ConfigReport,
  EnvironmentReport,
  GemmConfig,
  GemmProblem,
  KernelKind,
  PeerResult,
  RegisterReport,
  ShapeResult,
} from './worker';
import type { AccuracySnapshot, TimelineSnapshot } from './trace';
import type { SassSnapshot } from './sass';
import type { MqaConfigReport, MqaKind } from './mqa';

/** What the explorer lists candidates for: a GEMM kind (FP8 or BF16) or an MQA-logits kind. */
export type ExplorerKind = KernelKind | MqaKind;

export const WEBVIEW_PROTOCOL_VERSION = 1;

export type ViewName = 'results' | 'explorer' | 'registers' | 'timeline' | 'accuracy' | 'sass';
export type { AccuracySnapshot, TimelineSnapshot, SassSnapshot };

// ---------------------------------------------------------------------------------------------
// Snapshots (host -> webview)

export interface ResultsSnapshot {
  view: 'results';
  run: BenchRun;
  /** True while the run is still being measured (rows arrive one by one). */
  live: boolean;
  /** Where the run is stored, for the header ("saved to ..."); absent before the first save. */
  savedAs?: string;
  /** "Compare with…": the run this one is compared against (run A; the shown run is B). */
  compare?: { base: BenchRun; label: string };
}

/** One compiled or timed candidate in the explorer, keyed by its index in report.candidates. */
export interface ExplorerCandidateState {
  index: number;
  compile?: CompileReport;
  compileError?: CodedErrorData;
  timing?: ShapeResult;
  timingError?: CodedErrorData;
}

export interface ExplorerSnapshot {
  view: 'explorer';
  /** Environment report (or why it could not be obtained). */
  env?: EnvironmentReport;
  envError?: CodedErrorData;
  /** The shape being explored; `follow` = take the shape of the last run's first row. */
  problem?: GemmProblem;
  follow: boolean;
  report?: ConfigReport;
  /** The MQA-logits kinds: their kernel configs around the runtime's (then problem and report are absent). */
  mqaReport?: MqaConfigReport;
  reportError?: CodedErrorData;
  candidates: ExplorerCandidateState[];
  /** The override stored for this shape ("keep as override"), if any. */
  override?: GemmConfig;
  /** Work in flight, shown with a cancel button. */
  busy?: { what: string; done: number; total: number };
  /** True in the editor-tab explorer (full table); the side-bar one is compact. */
  wide?: boolean;
  /** What the last "Tune this shape" of this shape came to, in a sentence. */
  tuneNote?: string;
  /**
   * The peers' times for this shape, drawn as reference lines next to the candidates: from the
   * explorer's own timing when it measured them, else from the newest saved run with this shape.
   */
  peers?: { source: string; peers: PeerResult[] };
}

export interface RegisterEntry {
  label: string;
  config: GemmConfig;
  registers: RegisterReport;
  /** The heuristic's choice for this shape. */
  chosen: boolean;
  kernelName?: string;
}

export interface RegistersSnapshot {
  view: 'registers';
  title: string;
  /** Where the numbers come from ("ptxas -v of …", "run 2026-11-21T…"). */
  source: string;
  problem?: GemmProblem;
  entries: RegisterEntry[];
}

export type Snapshot =
  ResultsSnapshot | ExplorerSnapshot | RegistersSnapshot | TimelineSnapshot | AccuracySnapshot | SassSnapshot;

// ---------------------------------------------------------------------------------------------
// Requests (webview -> host): method -> params / result

export interface WebviewRequests {
  /** Results panel: copy one row (tab-separated, with header) to the clipboard. */
  'row/copy': { params: { index: number }; result: { text: string } };
  /** Results panel / explorer: open the register view for a row or for candidates. */
  'registers/show': { params: { indices: number[] }; result: { shown: boolean } };
  /** Results panel: pick a run (saved, or a file) to compare the shown run against; clear with clear: true. */
  'run/compare': { params: { clear: boolean }; result: { compared: boolean } };
  /** Results panel / explorer: a file dropped on the view (Shift+drag in VS Code): open it in its FP8 GEMM Lab view. */
  'file/open': { params: { uri: string }; result: { opened?: string } };
  /** Results panel: export the shown run. */
  'run/export': { params: { format: 'json' | 'csv' }; result: { path?: string } };
  /** Explorer: list candidates for a shape typed by the user ("M,N,K", "MxNxK", "M N K"). */
  'configs/list': { params: { shape: string; kind: ExplorerKind; follow: boolean }; result: { ok: boolean } };
  /** Explorer: compile the candidates at these indices (no GPU needed). */
  'configs/compile': { params: { indices: number[] }; result: { compiled: number } };
  /** Explorer: time the candidates at these indices (GPU). */
  'configs/time': { params: { indices: number[] }; result: { timed: number } };
  /**
   * Explorer: tune the shown Normal shape on this GPU (its best candidates timed, the winner saved
   * to the tuning store), then list it again, now with the tuned choice and its origin.
   */
  'configs/tune': { params: Record<string, never>; result: { tuned: boolean } };
  /** Results panel: tune the shown run's Normal shapes on this GPU (the winners saved to the tuning store). */
  'run/tune': { params: Record<string, never>; result: { tuned: boolean } };
  /** Explorer: keep this candidate as the override for the shape (or clear with index -1). */
  'override/keep': { params: { index: number }; result: { kept: boolean } };
  /** Explorer (side bar): open the same explorer in an editor tab, with the full sortable table. */
  'explorer/openWide': { params: Record<string, never>; result: { opened: boolean } };
  /** Explorer: cancel the work in flight. */
  'job/cancel': { params: Record<string, never>; result: { cancelled: boolean } };
  /** Results panel (index = row) / explorer (index = candidate): run the pipeline timeline or the
   *  accuracy study for that shape and config, and open its view. */
  'study/open': { params: { study: 'timeline' | 'accuracy' | 'sass'; index: number }; result: { opened: boolean } };
  /** SASS view: open the source line an instruction came from (the path as the line table has it). */
  'sass/openSource': { params: { file: string; line: number }; result: { opened: boolean } };
}

export type WebviewRequestMethod = keyof WebviewRequests;

export interface WebviewNotificationsToHost {
  ready: { view: ViewName };
  /** Something went wrong inside the view (shown in the log, never silently lost). */
  'log/didWrite': { level: 'info' | 'warn' | 'error'; text: string };
}

export interface HostNotifications {
  init: { version: number; snapshot: Snapshot };
  'view/didChange': { snapshot: Snapshot };
}

// ---------------------------------------------------------------------------------------------
// Envelopes

export type RequestMessage = {
  [M in WebviewRequestMethod]: { kind: 'request'; id: number; method: M; params: WebviewRequests[M]['params'] };
}[WebviewRequestMethod];

export type ToHostNotification = {
  [M in keyof WebviewNotificationsToHost]: { kind: 'notification'; method: M; params: WebviewNotificationsToHost[M] };
}[keyof WebviewNotificationsToHost];

export type WebviewToHost = RequestMessage | ToHostNotification;

export type ResponseMessage =
  { kind: 'response'; id: number; result: unknown } | { kind: 'response'; id: number; error: CodedErrorData };

export type HostNotification = {
  [M in keyof HostNotifications]: { kind: 'notification'; method: M; params: HostNotifications[M] };
}[keyof HostNotifications];

export type HostToWebview = ResponseMessage | HostNotification;

/** Persisted with vscode.setState so a reloaded view restores its UI choices. */
export interface ViewUiState {
  sortKey?: string;
  sortDescending?: boolean;
  filter?: string;
  selected?: number[];
  /** Explorer: the shape the selection belongs to ("normal:64x2112x7168"); another shape clears it. */
  selectionFor?: string;
  shapeText?: string;
  kind?: ExplorerKind;
  /** Explorer: the rejected candidates' list is open. */
  showRejected?: boolean;
  /** Results panel: the run shown, so the serializer can reopen it after a reload. */
  runId?: string;
  /** Register view: the snapshot shown (small), restored after a reload. */
  registers?: RegistersSnapshot;
  /** Accuracy view: which report of the file is shown (key: the file's reports, so another file starts afresh). */
  accuracyPick?: { key: string; index: number };
}
