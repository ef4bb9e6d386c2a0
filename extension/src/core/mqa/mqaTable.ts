// The text table of an MQA-logits run (pure): per case the kernel's registers, accuracy (calc_diff,
// class mismatches), time, TFLOPS and TB/s, and DeepGEMM measured beside it with its time over ours.
import type { MqaBenchRun, MqaResult } from '../../../protocol/mqa';
import { mqaCaseLabel } from './mqaShapes';

const pad = (s: string, w: number) => (s.length >= w ? s : s + ' '.repeat(w - s.length));

export function mqaRow(r: MqaResult): string[] {
  const acc = r.accuracy ? r.accuracy.calcDiff.toExponential(1) : '-';
  const t = r.timing;
  const dg = r.peers?.find((p) => p.id === 'deepgemm');
  const dgUs = dg ? (dg.timing ? dg.timing.medianUs.toFixed(1) : 'skipped') : '-';
  const ratio = dg?.timing ? dg.timing.ratio.toFixed(2) : '-';
  const regs = r.registers
    ? `${r.registers.registers}${r.registers.spillStoresBytes + r.registers.spillLoadsBytes > 0 ? ' SPILLS' : ''}`
    : '-';
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
    mqaCaseLabel(r.case),
    regs,
    acc,
    t ? t.medianUs.toFixed(1) : '-',
    t ? t.tflops.toFixed(0) : '-',
    t ? t.tbps.toFixed(2) : '-',
    dgUs,
    ratio,
    status,
  ];
}

export function mqaTable(run: MqaBenchRun): string {
  const head = ['case', 'regs', 'calc_diff', 'µs', 'TFLOPS', 'TB/s', 'DeepGEMM µs', 'ratio', 'status'];
  const rows = [head, ...run.results.map(mqaRow)];
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
    .map((r) => `  ${mqaCaseLabel(r.case)}: [${r.error!.code}] ${r.error!.message}`);
  const note =
    (run.mode === 'study' ? '\n(study mode: compiled only, no GPU)' : '') +
    (run.peerNote ? `\nDeepGEMM column skipped: ${run.peerNote}` : '') +
    (run.results.some((r) => r.peers?.some((p) => p.timing))
      ? '\nratio = DeepGEMM µs / our µs (above 1: ours is faster), measured in this run on this GPU'
      : '');
  return `${lines.join('\n')}${note}\n${errors.length ? `\nerrors:\n${errors.join('\n')}\n` : ''}`;
}
