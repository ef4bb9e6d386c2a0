// Pure parts of the benchmark command: the custom-shape input (one or several shapes, validated
// with the runtime's own parser and messages) and the plain sentence saying why kernels cannot be
// timed on this machine. No vscode, no DOM.

import type { EnvironmentReport, GemmProblem } from '../../protocol/worker';
import { parseShape } from './shapes';

/** Parses one or more shapes separated by ';' with the runtime's own validation and messages. */
export function parseShapeList(text: string): { ok: true; problems: GemmProblem[] } | { ok: false; message: string } {
  const parts = text
    .split(';')
    .map((s) => s.trim())
    .filter(Boolean);
  if (parts.length === 0) {
    const r = parseShape(text);
    return r.ok ? { ok: true, problems: [r.problem] } : { ok: false, message: r.message };
  }
  const problems: GemmProblem[] = [];
  for (const [i, part] of parts.entries()) {
    const r = parseShape(part);
    if (!r.ok) return { ok: false, message: parts.length > 1 ? `shape ${i + 1}: ${r.message}` : r.message };
    problems.push(r.problem);
  }
  return { ok: true, problems };
}

/** Why kernels cannot be timed here, in one sentence built from the environment report. */
export function whyCannotRun(env: EnvironmentReport): string {
  if (!env.driver.ok) return `no usable CUDA driver (${env.driver.code}: ${firstClause(env.driver.message)})`;
  if (env.devices.length === 0) return 'the CUDA driver reports no GPU';
  if (!env.devices.some((d) => d.isHopper))
    return `no Hopper GPU (found ${env.devices.map((d) => `${d.name} sm_${d.computeCapability.join('')}`).join(', ')}; the kernels need sm_90a)`;
  if (!env.toolkit.usable) return `no usable CUDA toolkit (${firstClause(env.toolkit.problem ?? 'nvcc not found')})`;
  return env.summary;
}

/** The first clause of a long coded message (the paths tried etc. are in the environment report). */
export function firstClause(message: string, max = 120): string {
  const first = message.split(/;\s|\.\s|\n/)[0].trim();
  return first.length > max ? `${first.slice(0, max - 1)}…` : first;
}
