// Builds the language server's facts (protocol/languageServer.ts KernelFacts) from what runs and
// compiles report. Pure: the costs are derived from the problem and config with the kernel's own
// layout (core/kernelRules.ts) and tile arithmetic (core/heuristics/tiles.ts), nothing is guessed.
import type { CompileFacts, ConfigCostFacts, KernelFacts, RunConfigFacts } from '../../../protocol/languageServer';
import type { BenchRun, CompileReport, GemmConfig, GemmProblem } from '../../../protocol/worker';
import { bf16Work } from '../bf16/heuristicsBf16';
import { defaultOutputBf16, isBf16Kind, sharedMemoryLayoutBf16 } from '../bf16/kernelRulesBf16';
import { sharedMemoryLayout } from '../kernelRules';
import { is1d1dKind, sharedMemoryLayout1d1d } from '../kernelRules1d1d';
import { waveInfo, workShape } from '../heuristics/tiles';

export function emptyFacts(now = new Date()): KernelFacts {
  return { version: 1, updatedAt: now.toISOString(), configs: [], compiles: [] };
}

/**
 * Shared memory of one pipeline stage and in total, in the layout of the kernel that runs the
 * problem: the BF16 kernel's stages hold A and B only (no scales), the FP8 1D1D kernel's A, B and
 * both scale slices, the FP8 1D2D kernel's A, B and the A scales.
 */
function stageAndTotal(problem: GemmProblem, config: GemmConfig): { perStage: number; total: number } {
  if (isBf16Kind(problem.kind)) {
    const l = sharedMemoryLayoutBf16(config, problem.output ?? defaultOutputBf16(problem.kind));
    return { perStage: l.aStageBytes + l.bStageBytes, total: l.totalBytes };
  }
  if (is1d1dKind(problem.kind)) {
    const l = sharedMemoryLayout1d1d(config);
    return { perStage: l.aStageBytes + l.bStageBytes + l.sfaStageBytes + l.sfbStageBytes, total: l.totalBytes };
  }
  const l = sharedMemoryLayout(config, problem.k);
  return { perStage: l.aStageBytes + l.bStageBytes + l.sfaStageBytes, total: l.totalBytes };
}

/** Shared memory per stage and in total, tiles and waves of one chosen config. */
export function configCost(problem: GemmProblem, config: GemmConfig): ConfigCostFacts {
  const smem = stageAndTotal(problem, config);
  // The tiles the kernel's scheduler walks (the BF16 kinds count their groups their own way).
  const waves = waveInfo(
    isBf16Kind(problem.kind) ? bf16Work(problem) : workShape(problem),
    config.blockM,
    config.blockN,
    config.numSms,
    config.clusterM * config.clusterN,
  );
  return {
    sharedBytesPerStage: smem.perStage,
    sharedBytesTotal: config.sharedBytes || smem.total,
    tiles: waves.tiles,
    waves: waves.waves,
    lastWaveUtilisation: waves.lastWaveUtilisation,
  };
}

/** Template functions a generated translation unit instantiates (identifiers followed by '<'). */
export function instantiatedFunctions(source: string): string[] {
  const skip = new Set([
    'static_cast',
    'reinterpret_cast',
    'const_cast',
    'dynamic_cast',
    'template',
    'typename',
    'include',
  ]);
  const out = new Set<string>();
  for (const m of source.matchAll(/\b([A-Za-z_][A-Za-z0-9_]*)\s*</g)) {
    if (!skip.has(m[1]) && /[a-z]/.test(m[1])) out.add(m[1]);
  }
  return [...out];
}

/** Optional helper the caller passes to name instantiations (core/kernelSource.ts's gemmKernelSource). */
export type KernelNamer = (
  problem: GemmProblem,
  config: GemmConfig,
) => { kernelName: string; source: string } | undefined;

/** Facts after a benchmark run: its chosen configs replace the previous run's; compiles are merged. */
export function factsFromRun(
  run: BenchRun,
  previous: KernelFacts | undefined,
  namer?: KernelNamer,
  now = new Date(),
): KernelFacts {
  const configs: RunConfigFacts[] = [];
  const compiles: CompileFacts[] = [];
  for (const r of run.results) {
    if (!r.config) continue;
    const named = safeName(namer, r.problem, r.config);
    configs.push({
      problem: r.problem,
      config: r.config,
      cost: configCost(r.problem, r.config),
      kernelName: named?.kernelName,
      medianUs: r.timing?.medianUs,
      tflops: r.timing?.tflops,
      ...(r.configOrigin ? { origin: r.configOrigin.text } : {}),
    });
    if (named && r.registers && !r.error) {
      compiles.push({
        kernelName: named.kernelName,
        functions: instantiatedFunctions(named.source),
        kind: r.problem.kind,
        config: r.config,
        registers: r.registers.registers,
        spillStoresBytes: r.registers.spillStoresBytes,
        spillLoadsBytes: r.registers.spillLoadsBytes,
        stackFrameBytes: r.registers.stackFrameBytes,
        staticSharedBytes: r.registers.staticSharedBytes,
        dynamicSharedBytes: r.registers.dynamicSharedBytes || r.config.sharedBytes,
        compiledAt: run.finishedAt ?? run.startedAt,
        origin: 'run',
      });
    }
  }
  const device = run.device ? ` on ${run.device.name}` : '';
  const label = `${run.mode === 'gpu' ? 'run' : 'study-mode run'} ${run.startedAt}${device}${run.recorded ? ` (${run.recorded})` : ''}`;
  return {
    version: 1,
    updatedAt: now.toISOString(),
    runLabel: label,
    configs,
    compiles: mergeCompiles(previous?.compiles ?? [], compiles),
  };
}

/** Facts after one compile (config explorer, runtime): the entry's record is replaced. */
export function factsFromCompile(
  report: CompileReport,
  previous: KernelFacts | undefined,
  namer?: KernelNamer,
  now = new Date(),
): KernelFacts {
  const named = safeName(namer, report.problem, report.config);
  const fact: CompileFacts = {
    kernelName: report.kernelName,
    functions: named ? instantiatedFunctions(named.source) : [],
    kind: report.problem.kind,
    config: report.config,
    registers: report.registers.registers,
    spillStoresBytes: report.registers.spillStoresBytes,
    spillLoadsBytes: report.registers.spillLoadsBytes,
    stackFrameBytes: report.registers.stackFrameBytes,
    staticSharedBytes: report.registers.staticSharedBytes,
    dynamicSharedBytes: report.registers.dynamicSharedBytes || report.config.sharedBytes,
    compiledAt: now.toISOString(),
    origin: 'explorer',
  };
  const base = previous ?? emptyFacts(now);
  return { ...base, updatedAt: now.toISOString(), compiles: mergeCompiles(base.compiles, [fact]) };
}

/** Later records replace earlier ones with the same entry name; order: newest last. */
export function mergeCompiles(older: CompileFacts[], newer: CompileFacts[]): CompileFacts[] {
  const names = new Set(newer.map((c) => c.kernelName));
  return [...older.filter((c) => !names.has(c.kernelName)), ...newer];
}

/** Checks a value received over the wire or read from disk is usable facts; returns null if not. */
export function validateFacts(value: unknown): KernelFacts | null {
  if (!value || typeof value !== 'object') return null;
  const v = value as Partial<KernelFacts>;
  if (v.version !== 1 || !Array.isArray(v.configs) || !Array.isArray(v.compiles) || typeof v.updatedAt !== 'string')
    return null;
  const configsOk = v.configs.every(
    (c) =>
      c &&
      typeof c === 'object' &&
      c.problem &&
      c.config &&
      c.cost &&
      typeof c.config.blockM === 'number' &&
      typeof c.cost.sharedBytesPerStage === 'number',
  );
  const compilesOk = v.compiles.every(
    (c) => c && typeof c.kernelName === 'string' && Array.isArray(c.functions) && typeof c.registers === 'number',
  );
  return configsOk && compilesOk ? (v as KernelFacts) : null;
}

function safeName(namer: KernelNamer | undefined, problem: GemmProblem, config: GemmConfig) {
  if (!namer) return undefined;
  try {
    return namer(problem, config);
  } catch {
    return undefined;
  }
}
