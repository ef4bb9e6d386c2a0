// A grouped benchmark run (gemm/groupedBench) as a BenchRun, so the results panel, the run store
// and the CSV/JSON exports treat it like any other run. Pure: every figure is copied from the
// grouped run; TB/s becomes GB/s (× 1000) and nothing else is computed. Each row says which FLOP
// and byte convention its TFLOPS and GB/s follow (core/grouped/metrics.ts counts them).

import type { GroupedBenchRun, GroupedKind, GroupedResult } from '../../../protocol/grouped';
import type { BenchRun, GroupedShapeInfo, ShapeResult } from '../../../protocol/worker';
import { caseLabel } from './cases';

const sum = (xs: readonly number[] | undefined) => (xs ?? []).reduce((a, b) => a + b, 0);

/** The convention of a kind's TFLOPS and GB/s, in the words a row's hover and the CSV show. */
export function flopConvention(kind: GroupedKind): string {
  switch (kind) {
    case 'contiguous':
      return "FLOPs 2·ΣM·N·K over the padded rows (DeepGEMM's convention); bytes: A and D over the padded rows, B of every group, scales";
    case 'masked':
      return 'FLOPs 2·Σmasked_m·N·K over the valid rows only; bytes: A and D rows < masked_m, B of every group, scales';
    case 'kgrouped':
      return 'FLOPs 2·M·N·ΣK_g; bytes: A and B over ΣK_g, their scales, C read and D written (FP32) per group';
    case 'wgrad':
      return 'FLOPs 2·M·N·K; bytes: A, B, their scales, C read and D written (FP32)';
    case 'bf16-contiguous':
      return "FLOPs 2·ΣM·N·K over the padded rows (DeepGEMM's convention); bytes: A and D (BF16) over the padded rows, B (BF16) of every group";
    case 'bf16-masked':
      return 'FLOPs 2·Σmasked_m·N·K over the valid rows only; bytes: A and D (BF16) rows < masked_m, B (BF16) of every group';
    case 'bf16-kgrouped':
      return 'FLOPs 2·M·N·ΣK_g; bytes: A and B (BF16) over ΣK_g, C read and D written (FP32) per group';
    case 'bf16':
      return 'FLOPs 2·M·N·K; bytes: A and B (BF16) and D written (BF16 or FP32; with accumulation C read too)';
  }
}

/** True for JSON that is a grouped run as gemm/groupedBench or `fp8lab bench --kernel <grouped>` writes it. */
export function isGroupedBenchRun(v: unknown): v is GroupedBenchRun {
  if (typeof v !== 'object' || v === null) return false;
  const r = v as Record<string, unknown>;
  return (
    typeof r.id === 'string' &&
    typeof r.startedAt === 'string' &&
    (r.mode === 'gpu' || r.mode === 'study') &&
    Array.isArray(r.results) &&
    r.results.length > 0 &&
    r.results.every((x) => {
      const g = x as Partial<GroupedResult> | null;
      return (
        typeof g === 'object' &&
        g !== null &&
        typeof g.case === 'object' &&
        g.case !== null &&
        typeof g.draw === 'object' &&
        typeof g.problem === 'object' &&
        g.problem !== null
      );
    })
  );
}

function groupedInfo(r: GroupedResult): GroupedShapeInfo {
  const info: GroupedShapeInfo = {
    flopsOver:
      r.timing?.flopsOver ?? (r.case.kind === 'contiguous' ? 'padded' : r.case.kind === 'masked' ? 'valid' : 'all'),
    convention: flopConvention(r.case.kind),
  };
  if (r.draw.groupRows) info.validRows = sum(r.draw.groupRows);
  if (r.draw.maskedM) info.validRows = sum(r.draw.maskedM);
  if (r.draw.groupK) info.validK = sum(r.draw.groupK);
  if (r.untouched) info.untouched = r.untouched;
  if (r.deviceFlags !== undefined) info.deviceFlags = r.deviceFlags;
  return info;
}

/** One grouped result as a ShapeResult; undefined when the case failed before a config was chosen. */
export function groupedShapeResult(r: GroupedResult): ShapeResult | undefined {
  if (!r.config) return undefined;
  const out: ShapeResult = {
    // The problem as the kernel sees it: contiguous m = padded ΣM, k-grouped k = ΣK_g.
    problem: { ...r.problem, numGroups: r.problem.numGroups ?? r.case.numGroups },
    config: r.config,
    caseLabel: caseLabel(r.case),
    grouped: groupedInfo(r),
  };
  if (r.registers) out.registers = r.registers;
  if (r.compile) out.compile = r.compile;
  if (r.accuracy) out.accuracy = r.accuracy;
  if (r.timing) {
    const { tbps, flopsOver: _over, ...stats } = r.timing;
    out.timing = { ...stats, gbps: tbps * 1000 };
  }
  if (r.peers) out.peers = r.peers;
  if (r.error) out.error = r.error;
  return out;
}

/** The whole grouped run as a BenchRun (same id, so saving it again overwrites the same file). */
export function groupedToBenchRun(run: GroupedBenchRun & { recorded?: string }): BenchRun {
  const results: ShapeResult[] = [];
  const failedCases: NonNullable<BenchRun['failedCases']> = [];
  for (const r of run.results) {
    const shape = groupedShapeResult(r);
    if (shape) results.push(shape);
    else
      failedCases.push({
        caseLabel: caseLabel(r.case),
        kind: r.case.kind,
        error: r.error ?? {
          code: 'E_INTERNAL',
          message: 'the case has neither a config nor an error (the runtime returned an incomplete result)',
        },
      });
  }
  const out: BenchRun = {
    id: run.id,
    startedAt: run.startedAt,
    mode: run.mode,
    source: 'grouped',
    results,
    options: {
      timing: run.options.timing,
      peer: false,
      rounds: run.options.rounds,
      seed: run.options.seed,
      ...(run.options.pdl !== undefined ? { pdl: run.options.pdl } : {}),
    },
  };
  if (run.finishedAt) out.finishedAt = run.finishedAt;
  if (run.device) out.device = run.device;
  if (run.interrupted) out.interrupted = run.interrupted;
  if (run.recorded) out.recorded = run.recorded;
  if (failedCases.length) out.failedCases = failedCases;
  if (run.peers) out.peers = run.peers;
  return out;
}
