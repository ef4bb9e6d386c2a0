// The text table of a grouped run (pure): per case the config, accuracy over the valid rows, the
// untouched-rows check, time, TFLOPS (and TB/s), and DeepGEMM's figure with our ratio to it.
import type { GroupedBenchRun, GroupedResult } from '../../../protocol/grouped';
import { caseLabel } from './cases';
import { TARGET_FRACTION } from './metrics';

const pad = (s: string, w: number) => (s.length >= w ? s : s + ' '.repeat(w - s.length));

function cfg(r: GroupedResult): string {
  const c = r.config;
  return c ? `${c.blockM}x${c.blockN} st${c.numStages}${c.clusterM * c.clusterN > 1 ? ` c${c.clusterM}x${c.clusterN}` : ''}` : '-';
}

/** Our figure against DeepGEMM's: TB/s where PERF.md gives bandwidth, else TFLOPS. */
export function versusDeepGemm(r: GroupedResult): { ratio: number; meets: boolean; text: string } | undefined {
  const ref = r.reference;
  const t = r.timing;
  if (!ref || !t) return undefined;
  const ratio = ref.tbps !== undefined ? t.tbps / ref.tbps : ref.tflops !== undefined ? t.tflops / ref.tflops : NaN;
  if (!Number.isFinite(ratio)) return undefined;
  const what = ref.tbps !== undefined ? `${ref.tbps} TB/s` : `${ref.tflops} TFLOPS`;
  return { ratio, meets: ratio >= TARGET_FRACTION, text: `${what} (${ratio.toFixed(2)}x${ratio >= TARGET_FRACTION ? '' : ' < 0.9'})` };
}

export function groupedRow(r: GroupedResult): string[] {
  const acc = r.accuracy ? r.accuracy.calcDiff.toExponential(1) : '-';
  const untouched = r.untouched ? (r.untouched.changed === 0 ? 'ok' : `${r.untouched.changed} written`) : '-';
  const t = r.timing;
  const vs = versusDeepGemm(r);
  const status = r.error ? `[${r.error.code}]` : r.accuracy && !r.accuracy.passed ? 'WRONG' : t ? 'ok' : r.accuracy ? 'checked' : 'compiled';
  return [caseLabel(r.case), cfg(r), acc, untouched, t ? t.medianUs.toFixed(1) : '-', t ? t.tflops.toFixed(0) : '-',
    t ? t.tbps.toFixed(2) : '-', vs ? vs.text : '-', status];
}

export function groupedTable(run: GroupedBenchRun): string {
  const head = ['case', 'config', 'calc_diff', 'untouched', 'µs', 'TFLOPS', 'TB/s', 'DeepGEMM', 'status'];
  const rows = [head, ...run.results.map(groupedRow)];
  const widths = head.map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  const lines = rows.map((r) => r.map((cell, i) => pad(cell, widths[i])).join('  ').trimEnd());
  lines.splice(1, 0, widths.map((w) => '-'.repeat(w)).join('  '));
  const errors = run.results.filter((r) => r.error).map((r) => `  ${caseLabel(r.case)}: [${r.error!.code}] ${r.error!.message}`);
  const note = run.mode === 'study' ? '\n(study mode: compiled only, no GPU)' : '';
  return `${lines.join('\n')}${note}\n${errors.length ? `\nerrors:\n${errors.join('\n')}\n` : ''}`;
}
