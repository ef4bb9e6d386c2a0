// Hover text built from live facts: a template parameter's value in the last run (and what it
// costs), and a kernel's registers/spills/stack/shared memory from its last compiles.
import type { CompileFacts, KernelFacts, RunConfigFacts } from '../../protocol/languageServer';
import type { GemmConfig } from '../../protocol/worker';
import type { ConfigField, TemplateParamEntry } from '../knowledge/types';
import { bytes, cell, code, percent } from './markdown';

const MAX_ROWS = 12;

export function configValue(config: GemmConfig, field: ConfigField): number {
  switch (field) {
    case 'numMathThreads':
      return 128 * config.numMathWarpgroups;
    default:
      return config[field];
  }
}

function shape(r: RunConfigFacts): string {
  const p = r.problem;
  const groups = p.numGroups && p.numGroups > 1 ? ` ×${p.numGroups} groups` : '';
  return `${p.m}×${p.n}×${p.k} ${p.kind}${groups}`;
}

function tile(c: GemmConfig): string {
  const cluster = c.clusterM * c.clusterN > 1 ? `, cluster ${c.clusterM}×${c.clusterN}` : '';
  return `${c.blockM}×${c.blockN}×${c.blockK}, ${c.numStages} stages${cluster}`;
}

export function templateParamMarkdown(
  identifier: string,
  entry: TemplateParamEntry,
  facts: KernelFacts | undefined,
): string {
  const lines = [`**${code(identifier)}** — ${entry.title} (kernel template parameter)`, '', entry.body];
  const field = entry.field;
  // MQA parameters carry no GemmConfig field: the runtime sets them per case (no per-shape table).
  if (!field) return lines.join('\n');
  lines.push('');
  const runs = facts?.configs ?? [];
  if (!runs.length) {
    lines.push(
      '_No run recorded yet: run **FP8 GEMM: Run FP8 GEMM benchmark** (study mode works without a GPU) to see the value the heuristic chose for each shape and what it costs._',
    );
    return lines.join('\n');
  }
  const values = [...new Set(runs.map((r) => configValue(r.config, field)))];
  lines.push(
    `**Last run**${facts?.runLabel ? ` (${cell(facts.runLabel)})` : ''}: ${code(identifier)} = ${values.map(String).join(', ')}`,
  );
  lines.push('');
  lines.push(`| shape (M×N×K) | ${cell(identifier)} | config | smem / stage | smem total | tiles | waves |`);
  lines.push('|---|---|---|---|---|---|---|');
  for (const r of runs.slice(0, MAX_ROWS)) {
    const c = r.cost;
    const waves = `${c.waves} (last ${percent(c.lastWaveUtilisation)} full)`;
    lines.push(
      `| ${shape(r)} | **${configValue(r.config, field)}** | ${tile(r.config)}${r.origin ? ` (${cell(r.origin)})` : ''} | ${bytes(c.sharedBytesPerStage)} | ${bytes(c.sharedBytesTotal)} | ${c.tiles} | ${waves} |`,
    );
  }
  if (runs.length > MAX_ROWS) lines.push(`\n…and ${runs.length - MAX_ROWS} more shapes.`);
  if (field === 'numStages') {
    const r = runs[0];
    lines.push('');
    lines.push(
      `Example: ${shape(r)} keeps ${r.config.numStages} × ${bytes(r.cost.sharedBytesPerStage)} = ${bytes(r.config.numStages * r.cost.sharedBytesPerStage)} of stages in flight, of ${bytes(r.cost.sharedBytesTotal)} dynamic shared memory.`,
    );
  }
  return lines.join('\n');
}

/** Compile records that belong to a source-level name: the entry itself or a function it instantiates. */
export function compilesFor(name: string, facts: KernelFacts | undefined): CompileFacts[] {
  return (facts?.compiles ?? []).filter((c) => c.kernelName === name || c.functions.includes(name));
}

export function kernelMarkdown(name: string, compiles: CompileFacts[], isGlobal: boolean): string {
  const lines = [`**${code(name)}** — ${isGlobal ? 'kernel' : 'kernel body'}: last compile of each instantiation`, ''];
  if (!compiles.length) {
    lines.push(
      '_No compile recorded yet: save a file under kernels/ (trusted workspace) or run a benchmark to see registers, spills, stack and shared memory from ptxas._',
    );
    return lines.join('\n');
  }
  lines.push('| instantiation | config | registers | spills (st/ld) | stack | smem static / dynamic | compiled |');
  lines.push('|---|---|---|---|---|---|---|');
  for (const c of compiles.slice(0, MAX_ROWS)) {
    const spills = `${c.spillStoresBytes} / ${c.spillLoadsBytes} B`;
    const dyn = c.dynamicSharedBytes !== undefined ? bytes(c.dynamicSharedBytes) : '—';
    const cfg = c.config ? tile(c.config) : '—';
    const bad = c.spillStoresBytes + c.spillLoadsBytes + c.stackFrameBytes > 0 ? ' ⚠' : '';
    lines.push(
      `| ${code(c.kernelName)} | ${cfg} | **${c.registers}**${bad} | ${spills} | ${c.stackFrameBytes} B | ${bytes(c.staticSharedBytes)} / ${dyn} | ${c.origin}, ${c.compiledAt} |`,
    );
  }
  if (compiles.length > MAX_ROWS) lines.push(`\n…and ${compiles.length - MAX_ROWS} more instantiations.`);
  lines.push('');
  lines.push(
    'Registers are per thread as ptxas allocated them for the launch bound; `setmaxnreg` then moves registers from the producer warpgroup to the math warpgroups at run time. Any spill or stack byte means local-memory traffic in the hot loop.',
  );
  return lines.join('\n');
}

/** One line for a code lens above a kernel. */
export function kernelLensTitle(compiles: CompileFacts[]): string {
  if (!compiles.length) return '';
  const regs = compiles.map((c) => c.registers);
  const lo = Math.min(...regs);
  const hi = Math.max(...regs);
  const spills = compiles.reduce((s, c) => s + c.spillStoresBytes + c.spillLoadsBytes, 0);
  const stack = Math.max(...compiles.map((c) => c.stackFrameBytes));
  const range = lo === hi ? `${lo}` : `${lo}–${hi}`;
  const n = compiles.length;
  const spillText = spills ? `⚠ ${spills} B spilled` : '0 spills';
  return `ptxas: ${range} registers · ${spillText} · ${stack} B stack (${n} instantiation${n === 1 ? '' : 's'})`;
}
