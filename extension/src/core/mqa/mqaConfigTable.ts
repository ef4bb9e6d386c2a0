// Text form of an MQA-logits config report (`fp8lab configs --kernel mqa-logits|paged-mqa-logits`):
// a header, the runtime's config with why, then one line per candidate, the runtime's marked '*'.
import type { MqaCandidate, MqaConfigReport } from '../../../protocol/mqa';
import { mqaConfigLabel } from './mqaCandidates';
import { mqaCaseLabel } from './mqaShapes';

const padLeft = (s: string, n: number) => (s.length >= n ? s : ' '.repeat(n - s.length) + s);

function line(c: MqaCandidate, chosen: boolean): string {
  const cfg = c.config;
  const fields = [
    chosen ? '*' : ' ',
    mqaConfigLabel(cfg).padEnd(14),
    `keys/step ${padLeft(String(c.keysPerStep), 3)}`,
    `smem ${padLeft(`${(cfg.sharedBytes / 1024).toFixed(1)}KB`, 8)}`,
    `threads ${padLeft(String(cfg.threads), 3)}`,
    `regs ${c.producerRegisters}/${c.mathRegisters}`,
  ];
  const tail = c.rejected ? `rejected ${c.rejected.rule}: ${c.rejected.reason}` : chosen ? 'runtime default' : 'legal';
  return `${fields.join('  ')}  ${tail}`;
}

export function formatMqaConfigReport(report: MqaConfigReport, opts: { legalOnly?: boolean } = {}): string {
  const legal = report.candidates.filter((c) => !c.rejected).length;
  const c = report.case;
  const lines = [
    `FP8LAB configs: ${c.kind} ${mqaCaseLabel(c)} — ${report.candidates.length} kernel configs, ${legal} legal`,
    `chosen: ${mqaConfigLabel(report.chosen)} — ${report.why}`,
  ];
  report.candidates.forEach((cand, i) => {
    if (opts.legalOnly && cand.rejected) return;
    lines.push(line(cand, i === report.chosenIndex));
  });
  return `${lines.join('\n')}\n`;
}
