// Run-time checks of every message a webview posts to the host. The webview is the less trusted
// side (it renders data and could be confused by it), so the host accepts only messages that match
// extension/protocol/webview.ts exactly, and only the methods the sending view may use.
// Pure: no vscode, no DOM.

import type { ViewName, WebviewToHost } from '../../protocol/webview';
import { EXPLORER_KINDS, isExplorerKind } from './explorerKinds';

export type GuardResult = { ok: true; message: WebviewToHost } | { ok: false; reason: string };

const MAX_INDICES = 4096;
const MAX_SHAPE_TEXT = 200;
const MAX_LOG_TEXT = 4000;

/** Which requests each view may send (a results panel cannot ask to compile, ...). */
const ALLOWED: Record<ViewName, readonly string[]> = {
  results: ['row/copy', 'registers/show', 'run/export', 'study/open', 'run/compare', 'file/open', 'run/tune'],
  explorer: [
    'configs/list',
    'configs/compile',
    'configs/time',
    'configs/tune',
    'override/keep',
    'job/cancel',
    'registers/show',
    'study/open',
    'explorer/openWide',
    'file/open',
  ],
  registers: [],
  timeline: [],
  accuracy: [],
  sass: ['sass/openSource'],
};

type Check = (params: Record<string, unknown>) => string | undefined;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

const isIndex = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0 && (v as number) < 1_000_000;

function onlyKeys(params: Record<string, unknown>, keys: string[]): string | undefined {
  const extra = Object.keys(params).filter((k) => !keys.includes(k));
  return extra.length ? `unexpected field(s) ${extra.join(', ')}` : undefined;
}

function indexList(v: unknown): string | undefined {
  if (!Array.isArray(v)) return 'indices must be an array of row indices';
  if (v.length === 0) return 'indices must not be empty';
  if (v.length > MAX_INDICES) return `at most ${MAX_INDICES} indices`;
  if (!v.every(isIndex)) return 'indices must be non-negative integers';
  return undefined;
}

const REQUEST_CHECKS: Record<string, Check> = {
  'row/copy': (p) => onlyKeys(p, ['index']) ?? (isIndex(p.index) ? undefined : 'index must be a non-negative integer'),
  'registers/show': (p) => onlyKeys(p, ['indices']) ?? indexList(p.indices),
  'run/export': (p) =>
    onlyKeys(p, ['format']) ??
    (p.format === 'json' || p.format === 'csv' ? undefined : "format must be 'json' or 'csv'"),
  'configs/list': (p) => {
    const extra = onlyKeys(p, ['shape', 'kind', 'follow']);
    if (extra) return extra;
    if (typeof p.shape !== 'string' || p.shape.length > MAX_SHAPE_TEXT)
      return `shape must be a string of at most ${MAX_SHAPE_TEXT} characters`;
    if (!isExplorerKind(p.kind)) return `kind must be one of ${EXPLORER_KINDS.join(', ')}`;
    if (typeof p.follow !== 'boolean') return 'follow must be a boolean';
    return undefined;
  },
  'configs/compile': (p) => onlyKeys(p, ['indices']) ?? indexList(p.indices),
  'configs/time': (p) => onlyKeys(p, ['indices']) ?? indexList(p.indices),
  'override/keep': (p) =>
    onlyKeys(p, ['index']) ??
    (Number.isInteger(p.index) && (p.index as number) >= -1 && (p.index as number) < 1_000_000
      ? undefined
      : 'index must be a candidate index, or -1 to clear'),
  'job/cancel': (p) => onlyKeys(p, []),
  'configs/tune': (p) => onlyKeys(p, []),
  'run/tune': (p) => onlyKeys(p, []),
  'explorer/openWide': (p) => onlyKeys(p, []),
  // A dropped file: a file or remote-workspace URI of a .json file, nothing else (no commands, no web links).
  'file/open': (p) =>
    onlyKeys(p, ['uri']) ??
    (typeof p.uri === 'string' && p.uri.length <= 2000 && /^(file|vscode-remote):\/\/[^\s]*\.json$/i.test(p.uri)
      ? undefined
      : 'uri must be a file: or vscode-remote: URI of a .json file'),
  'run/compare': (p) =>
    onlyKeys(p, ['clear']) ?? (typeof p.clear === 'boolean' ? undefined : 'clear must be a boolean'),
  'study/open': (p) =>
    onlyKeys(p, ['study', 'index']) ??
    (p.study === 'timeline' || p.study === 'accuracy' || p.study === 'sass'
      ? undefined
      : "study must be 'timeline', 'accuracy' or 'sass'") ??
    (isIndex(p.index) ? undefined : 'index must be a non-negative integer'),
  'sass/openSource': (p) =>
    onlyKeys(p, ['file', 'line']) ??
    (typeof p.file === 'string' && p.file.length > 0 && p.file.length <= 1024
      ? undefined
      : 'file must be a path of at most 1024 characters') ??
    (Number.isInteger(p.line) && (p.line as number) >= 1 && (p.line as number) <= 10_000_000
      ? undefined
      : 'line must be a positive integer'),
};

const NOTIFICATION_CHECKS: Record<string, (p: Record<string, unknown>, view: ViewName) => string | undefined> = {
  ready: (p, view) => onlyKeys(p, ['view']) ?? (p.view === view ? undefined : `ready must name this view ('${view}')`),
  'log/didWrite': (p) =>
    onlyKeys(p, ['level', 'text']) ??
    (['info', 'warn', 'error'].includes(p.level as string) ? undefined : "level must be 'info', 'warn' or 'error'") ??
    (typeof p.text === 'string' && p.text.length <= MAX_LOG_TEXT
      ? undefined
      : `text must be a string of at most ${MAX_LOG_TEXT} characters`),
};

/**
 * table[key] only when the table itself defines key: a method named "hasOwnProperty", "__proto__"
 * or "constructor" must find nothing, not a function inherited from Object.prototype.
 */
function ownEntry<T>(table: Record<string, T>, key: string): T | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}

/** A name from the webview, quoted and cut short for a reason string. */
function quoted(name: string): string {
  return `'${name.length > 80 ? `${name.slice(0, 80)}…` : name}'`;
}

/** Accepts a message from the given view, or says exactly why it was rejected. */
export function checkWebviewMessage(raw: unknown, view: ViewName): GuardResult {
  if (!isRecord(raw)) return { ok: false, reason: 'message is not an object' };
  const { kind, method, params } = raw;
  if (typeof method !== 'string') return { ok: false, reason: 'method must be a string' };
  if (!isRecord(params)) return { ok: false, reason: `${method}: params must be an object` };
  if (kind === 'request') {
    if (!Object.keys(raw).every((k) => ['kind', 'id', 'method', 'params'].includes(k)))
      return { ok: false, reason: `${method}: unexpected envelope field` };
    if (!Number.isSafeInteger(raw.id) || (raw.id as number) < 0)
      return { ok: false, reason: `${method}: id must be a non-negative integer` };
    const check = ownEntry(REQUEST_CHECKS, method);
    if (!check) return { ok: false, reason: `unknown request ${quoted(method)}` };
    if (!(ownEntry(ALLOWED, view) ?? []).includes(method))
      return { ok: false, reason: `the ${view} view may not send '${method}'` };
    const problem = check(params);
    return problem ? { ok: false, reason: `${method}: ${problem}` } : { ok: true, message: raw as WebviewToHost };
  }
  if (kind === 'notification') {
    if (!Object.keys(raw).every((k) => ['kind', 'method', 'params'].includes(k)))
      return { ok: false, reason: `${method}: unexpected envelope field` };
    const check = ownEntry(NOTIFICATION_CHECKS, method);
    if (!check) return { ok: false, reason: `unknown notification ${quoted(method)}` };
    const problem = check(params, view);
    return problem ? { ok: false, reason: `${method}: ${problem}` } : { ok: true, message: raw as WebviewToHost };
  }
  return { ok: false, reason: "kind must be 'request' or 'notification'" };
}

/**
 * A register-view snapshot restored from webview state after a reload (the webview wrote it, so it
 * is checked like any other message before it is shown again).
 */
export function isRegistersSnapshot(v: unknown): v is import('../../protocol/webview').RegistersSnapshot {
  if (
    !isRecord(v) ||
    v.view !== 'registers' ||
    typeof v.title !== 'string' ||
    typeof v.source !== 'string' ||
    !Array.isArray(v.entries)
  )
    return false;
  if (v.entries.length > MAX_INDICES) return false;
  return v.entries.every(
    (e) =>
      isRecord(e) &&
      typeof e.label === 'string' &&
      typeof e.chosen === 'boolean' &&
      isRecord(e.config) &&
      isRecord(e.registers) &&
      [
        'registers',
        'spillStoresBytes',
        'spillLoadsBytes',
        'stackFrameBytes',
        'staticSharedBytes',
        'producerRegisters',
        'mathRegisters',
        'dynamicSharedBytes',
        'occupancyCtasPerSm',
      ].every((k) => typeof (e.registers as Record<string, unknown>)[k] === 'number'),
  );
}

/** The run id a results panel saved in its state, if it is a plausible one. */
export function restoredRunId(state: unknown): string | undefined {
  return isRecord(state) && typeof state.runId === 'string' && state.runId.length > 0 && state.runId.length <= 200
    ? state.runId
    : undefined;
}
