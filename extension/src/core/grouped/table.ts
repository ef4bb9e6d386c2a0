// The text table of a grouped run (pure): per case the config, accuracy over the valid rows, the
// untouched-rows check, time, TFLOPS (and TB/s), and DeepGEMM measured beside it with our ratio;
// for the BF16 GEMM also cuBLASLt's best algorithm (its columns appear only when a case has it).
import type { GroupedBenchRun, GroupedResult } from '../../../protocol/grouped';
import { caseLabel } from './cases';

const pad = (s: string, w: number) => (s.length >= w ? s : s + ' '.repeat(w - s.length));

function cfg(r: GroupedResult): string {
  const c = r.config;
  return c
    ? `${c.blockM}x${c.blockN}${c.pingpong ? ' pp' : ''} st${c.numStages}${c.clusterM * c.clusterN > 1 ? ` c${c.clusterM}x${c.clusterN}` : ''}${(c.splitK ?? 1) > 1 ? ` sk${c.splitK}` : ''}`
    : '-';
}

/** A peer's cells: its µs and its time over ours (above 1: ours is faster), or why it did not run. */
export function peerCells(r: GroupedResult, id: 'deepgemm' | 'cublaslt'): [string, string] {
  const p = r.peers?.find((x) => x.id === id);
  if (!p) return ['-', '-'];
  if (!p.timing) return ['skipped', '-'];
  return [p.timing.medianUs.toFixed(1), p.timing.ratio.toFixed(2)];
}

/** DeepGEMM's cells (peerCells for 'deepgemm'). */
export const deepGemmCells = (r: GroupedResult): [string, string] => peerCells(r, 'deepgemm');

const hasCublasLt = (results: GroupedResult[]) => results.some((r) => r.peers?.some((p) => p.id === 'cublaslt'));

export function groupedRow(r: GroupedResult, withCublasLt = hasCublasLt([r])): string[] {
  const acc = r.accuracy ? r.accuracy.calcDiff.toExponential(1) : '-';
  const untouched = r.untouched ? (r.untouched.changed === 0 ? 'ok' : `${r.untouched.changed} written`) : '-';
  const t = r.timing;
  const [dgUs, dgRatio] = deepGemmCells(r);
  const status = r.error
    ? `[${r.error.code}]`
    : r.accuracy && !r.accuracy.passed
      ? 'WRONG'
      : t
        ? 'ok'
        : r.accuracy
          ? 'checked'
          : 'compiled';
  return [
    caseLabel(r.case),
    cfg(r),
    acc,
    untouched,
    t ? t.medianUs.toFixed(1) : '-',
    t ? t.tflops.toFixed(0) : '-',
    t ? t.tbps.toFixed(2) : '-',
    ...(withCublasLt ? peerCells(r, 'cublaslt') : []),
    dgUs,
    dgRatio,
    status,
  ];
}

export function groupedTable(run: GroupedBenchRun): string {
  const withCublasLt = hasCublasLt(run.results);
  const head = [
    'case',
    'config',
    'calc_diff',
    'untouched',
    'µs',
    'TFLOPS',
    'TB/s',
    ...(withCublasLt ? ['cuBLASLt µs', 'ratio'] : []),
    'DeepGEMM µs',
    'ratio',
    'status',
  ];
  const rows = [head, ...run.results.map((r) => groupedRow(r, withCublasLt))];
  const widths = head.map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  const lines = rows.map((r) =>
    r
      .map((cell, i) => pad(cell, widths[i]))
      .join('  ')
      .trimEnd(),
  );
  lines.splice(1, 0, widths.map((w) => '-'.repeat(w)).join('  '));
  const errors = run.results
    .filter((r) => r.error)
    .map((r) => `  ${caseLabel(r.case)}: [${r.error!.code}] ${r.error!.message}`);
  const note =
    (run.mode === 'study' ? '\n(study mode: compiled only, no GPU)' : '') +
    (run.peers ?? [])
      .filter((p) => !p.available)
      .map((p) => `\n${p.id === 'cublaslt' ? 'cuBLASLt' : 'DeepGEMM'} column skipped: ${p.reason ?? 'not available'}`)
      .join('') +
    (run.results.some((r) => r.peers?.some((p) => p.timing))
      ? `\nratio = ${withCublasLt ? "the peer's" : 'DeepGEMM'} µs / our µs (above 1: ours is faster), measured in this run on this GPU`
      : '');
  return `${lines.join('\n')}${note}\n${errors.length ? `\nerrors:\n${errors.join('\n')}\n` : ''}`;
}
