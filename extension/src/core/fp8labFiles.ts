// What an fp8lab JSON file holds, so "Open saved run…" (and a JSON file opened in an editor) can
// show any file the CLI or the extension writes in the view made for it:
//   bench run (`fp8lab bench --json`, a saved run)     -> results panel
//   grouped run (`bench --kernel <grouped> --json`)    -> results panel (converted, core/grouped/benchRun.ts)
//   tune file (`fp8lab tune --json`: { tunings })      -> results panel, one row per timed candidate
//   timeline capture / TimelineRun ({ capture })       -> timeline view
//   accuracy report, or { reports: [...] }             -> accuracy view with a picker over the reports
// Anything else gets one sentence saying what the file is missing. Pure: no vscode, no fs.

import type { AccuracyReport, TraceCapture } from '../../protocol/trace';
import type { BenchRun, DeviceReport, GemmProblem, ShapeResult, TunedCandidate } from '../../protocol/worker';
import { checkAccuracyReport } from './accuracy';
import { groupedToBenchRun, isGroupedBenchRun } from './grouped/benchRun';
import { upgradeRun } from './peers/runPeers';
import { isBenchRun } from './savedRun';
import { formatConfig } from './runRows';
import { checkTraceCapture } from './trace';
import { shapeLabel } from './shapes';

export type Fp8labFile =
  | { kind: 'bench' | 'grouped' | 'tune'; run: BenchRun; summary: string }
  | { kind: 'timeline'; capture: TraceCapture; summary: string }
  | { kind: 'accuracy'; reports: AccuracyReport[]; summary: string };

export type FileKind = Fp8labFile['kind'];

/** A tune file: what `fp8lab tune --json` writes and "Tune these shapes" returns (TuneShapesRun). */
export interface TuneFile {
  /** When the tune started (what `fp8lab tune --json` and the editor's tune write; older files have none). */
  startedAt?: string;
  device?: DeviceReport;
  method?: string;
  recorded?: string;
  tunings: Array<{
    problem: GemmProblem;
    candidates: Array<Omit<TunedCandidate, 'chosen'> & { chosen?: boolean }>;
    best?: Pick<TunedCandidate, 'config'>;
    regret?: number;
    method?: string;
  }>;
}

function isTuneFile(v: unknown): v is TuneFile {
  const t = v as TuneFile;
  return (
    typeof v === 'object' &&
    v !== null &&
    Array.isArray(t.tunings) &&
    t.tunings.every(
      (x) =>
        typeof x === 'object' &&
        x !== null &&
        typeof x.problem === 'object' &&
        x.problem !== null &&
        Array.isArray(x.candidates),
    )
  );
}

/**
 * A tune file as a run: one row per candidate that was timed, its median as the row's time. A tune
 * file keeps only the median per candidate, so spread and min/max are not known (shown as —).
 */
export function tuneToBenchRun(t: TuneFile, name: string): BenchRun {
  const results: ShapeResult[] = [];
  for (const tuning of t.tunings) {
    const p = tuning.problem;
    for (const c of tuning.candidates) {
      const r: ShapeResult = { problem: { ...p, config: undefined }, config: c.config };
      delete r.problem.config;
      const us = c.measuredUs;
      if (us !== undefined && us > 0 && !c.error) {
        const flops = 2 * p.m * p.n * p.k;
        r.timing = {
          medianUs: us,
          minUs: Number.NaN,
          maxUs: Number.NaN,
          spread: Number.NaN,
          samples: 0,
          tflops: flops / us / 1e6,
          gbps: Number.NaN,
          flops,
          bytes: Number.NaN,
        };
      }
      if (c.error) r.error = { code: 'E_WRONG_RESULT', message: c.error };
      const role = [
        c.chosen ? "heuristic's choice" : '',
        tuning.best && formatConfig(tuning.best.config) === formatConfig(c.config) ? 'fastest measured' : '',
      ]
        .filter(Boolean)
        .join(', ');
      r.timingNote = `tune file: median of the candidate's rounds only (no spread recorded)${role ? `; ${role}` : ''}${c.predictedUs !== undefined ? `; predicted ${c.predictedUs.toFixed(2)} µs` : ''}`;
      results.push(r);
    }
  }
  return {
    id: `tune-${name}`,
    startedAt: t.startedAt ?? '',
    mode: 'gpu',
    device: t.device,
    results,
    recorded: t.recorded ?? `tune file ${name}${t.method ? ` (${t.method})` : ''}`,
  };
}

const count = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;

/**
 * Classifies a parsed fp8lab JSON file (name: the file's base name, for ids and titles). Throws an
 * Error whose message says what the file is and what an fp8lab file would need.
 */
export function classifyFp8labJson(raw: unknown, name: string): Fp8labFile {
  if (typeof raw !== 'object' || raw === null)
    throw new Error(`${name} is not an fp8lab file: it holds ${raw === null ? 'null' : typeof raw}, not a JSON object`);
  if (isGroupedBenchRun(raw)) {
    const run = upgradeRun(groupedToBenchRun(raw));
    return { kind: 'grouped', run, summary: `grouped run, ${count(run.results.length, 'case')}` };
  }
  if (isBenchRun(raw)) {
    const run = upgradeRun(raw);
    return {
      kind: 'bench',
      run,
      summary: `benchmark run, ${count(run.results.length, 'shape')}${run.device ? ` on ${run.device.name}` : ''}`,
    };
  }
  if (isTuneFile(raw)) {
    const run = tuneToBenchRun(raw, name);
    return {
      kind: 'tune',
      run,
      summary: `tune file, ${count(raw.tunings.length, 'shape')}, ${count(run.results.length, 'candidate')}`,
    };
  }
  const r = raw as Record<string, unknown>;
  if ('bufferBase64' in r || ('capture' in r && typeof r.capture === 'object')) {
    const capture = checkTraceCapture('capture' in r ? r.capture : raw);
    return { kind: 'timeline', capture, summary: `timeline capture, ${shapeLabel(capture.problem)}` };
  }
  if (Array.isArray(r.reports) || 'variants' in r) {
    const list = Array.isArray(r.reports) ? r.reports : [raw];
    if (list.length === 0) throw new Error(`${name} has an empty "reports" list: no accuracy report to show`);
    // device-pass.sh puts the recording note once, beside the list: each report shows it.
    const note = typeof r.recorded === 'string' ? r.recorded : undefined;
    const reports = list.map((x) =>
      checkAccuracyReport(
        note && typeof x === 'object' && x !== null && !('recorded' in x) ? { ...x, recorded: note } : x,
      ),
    );
    return {
      kind: 'accuracy',
      reports,
      summary: `accuracy, ${count(reports.length, 'report')} (${reports.map((x) => x.input).join(', ')})`,
    };
  }
  throw new Error(
    `${name} is not an fp8lab file: expected a benchmark or grouped run (id, startedAt, mode, results), a tune file (tunings), a timeline capture (bufferBase64 or capture) or an accuracy report (variants or reports)`,
  );
}

/** A cheap look at a file's first characters: could it be an fp8lab file (worth parsing for a code lens)? */
export function looksLikeFp8labJson(head: string): boolean {
  return /^\s*\{/.test(head) && /"(startedAt|tunings|bufferBase64|capture|reports|variants|format)"\s*:/.test(head);
}
