// The code lens "SASS of MxNxK (config)" over a kernel that the last run used: it runs the
// extension's "Show SASS of a config" command for that shape and config. Pure.
import type { CompileFacts, KernelFacts } from '../../protocol/languageServer';
import { shapeLabel } from '../../src/core/shapes';

export interface SassLens {
  title: string;
  command: string;
  arguments: unknown[];
}

export function sassLensesFor(compiles: CompileFacts[], facts: KernelFacts, max = 3): SassLens[] {
  const names = new Set(compiles.map((c) => c.kernelName));
  return facts.configs
    .filter((rc) => rc.kernelName !== undefined && names.has(rc.kernelName))
    .slice(0, max)
    .map((rc) => ({
      title: `SASS of ${shapeLabel(rc.problem)} (${rc.config.blockM}x${rc.config.blockN})`,
      command: 'fp8lab.showSass',
      arguments: [{ problem: { ...rc.problem, config: rc.config } }],
    }));
}
