// The three-way comparison shown side by side: the design (1x128 A scales, 128x128 B scales,
// promotion into fp32 every K-block) against one scale per tensor and against no promotion (all
// of K accumulated in the tensor-core accumulator). Every figure comes from the GPU's report; this
// only orders, relates and checks them. Pure.

import {
  ACCURACY_VARIANTS,
  type AccuracyReport,
  type AccuracyVariant,
  type AccuracyVariantReport,
} from '../../../protocol/trace';
import { AccuracyFormatError } from './errors';
import { checkHistogram, histogramQuantile } from './histogram';
import { checkTileSums, tileHeatmap, type Heatmap, type HeatMetric } from './heatmap';

/** DeepGEMM's bar for FP8 x FP8: calc_diff below 1e-3. */
export const CALC_DIFF_PASS = 1e-3;

export const VARIANT_TEXT: Record<AccuracyVariant, { label: string; description: string }> = {
  fine: {
    label: 'fine-grained (design)',
    description: '1x128 A scales, 128x128 B scales, promoted into fp32 every K-block of 128',
  },
  perTensor: { label: 'per-tensor scaling', description: 'one fp32 scale for A and one for B, promoted every K-block' },
  noPromotion: {
    label: 'no promotion',
    description:
      'per-tensor scales (the kernel applies them once, at the end), all of K accumulated in the tensor-core accumulator',
  },
};

export interface VariantRow {
  variant: AccuracyVariant;
  label: string;
  description: string;
  calcDiff: number;
  maxAbsError: number;
  maxRelError: number;
  /** Relative error below which 99% of the outputs lie (to histogram-bin precision). */
  p99RelError: number;
  unwritten: number;
  passed: boolean;
  /** calc_diff / the design's calc_diff (1 for the design; undefined without it). */
  vsFine?: number;
  heatmap: Heatmap;
}

export interface AccuracyComparison {
  rows: VariantRow[];
  /** Variants the report lacks (shown as "not run", never invented). */
  missing: AccuracyVariant[];
  /** One scale for every heatmap and histogram so the three read side by side. */
  heatDomain: [number, number];
  histogramMax: number;
  /** One sentence per finding, from the numbers. */
  findings: string[];
}

export function checkAccuracyReport(raw: unknown): AccuracyReport {
  const r = raw as AccuracyReport;
  if (
    typeof raw !== 'object' ||
    raw === null ||
    !Array.isArray(r.variants) ||
    !r.problem ||
    !['normal', 'outliers', 'tiny'].includes(r.input) ||
    !Number.isInteger(r.seed)
  ) {
    throw new AccuracyFormatError(
      'an accuracy report needs problem, config, input (normal | outliers | tiny), a whole-number seed and variants[] (see AccuracyReport in extension/protocol/trace.ts)',
    );
  }
  const seen = new Set<string>();
  for (const v of r.variants) {
    const where = `variant ${String(v?.variant)}`;
    if (!ACCURACY_VARIANTS.includes(v?.variant))
      throw new AccuracyFormatError(`${where}: must be one of ${ACCURACY_VARIANTS.join(', ')}`);
    if (seen.has(v.variant)) throw new AccuracyFormatError(`${where}: appears twice`);
    seen.add(v.variant);
    for (const k of ['calcDiff', 'maxAbsError', 'maxRelError', 'unwritten'] as const) {
      if (typeof v[k] !== 'number' || Number.isNaN(v[k]))
        throw new AccuracyFormatError(`${where}: ${k} must be a number`);
    }
    checkHistogram(v.histogram, where);
    checkTileSums(v.tiles, where);
  }
  return r;
}

export function compareVariants(
  report: AccuracyReport,
  metric: HeatMetric = 'relRms',
  maxCells = 48,
): AccuracyComparison {
  checkAccuracyReport(report);
  const by = new Map<AccuracyVariant, AccuracyVariantReport>(report.variants.map((v) => [v.variant, v]));
  const fine = by.get('fine');
  const rows: VariantRow[] = ACCURACY_VARIANTS.filter((v) => by.has(v)).map((variant) => {
    const v = by.get(variant)!;
    return {
      variant,
      ...VARIANT_TEXT[variant],
      calcDiff: v.calcDiff,
      maxAbsError: v.maxAbsError,
      maxRelError: v.maxRelError,
      p99RelError: histogramQuantile(v.histogram, 0.99),
      unwritten: v.unwritten,
      passed: v.calcDiff < CALC_DIFF_PASS && v.unwritten === 0,
      vsFine: fine && fine.calcDiff > 0 ? v.calcDiff / fine.calcDiff : undefined,
      heatmap: tileHeatmap(v.tiles, metric, maxCells, maxCells),
    };
  });
  const heats = rows.map((r) => r.heatmap);
  const heatDomain: [number, number] = heats.length
    ? [Math.min(...heats.map((h) => h.min)), Math.max(...heats.map((h) => h.max))]
    : [0, 0];
  const histogramMax = Math.max(0, ...report.variants.flatMap((v) => v.histogram.counts));

  const findings: string[] = [];
  for (const r of rows) {
    if (r.unwritten > 0)
      findings.push(
        `${r.label}: ${r.unwritten} output elements were never written — the kernel is wrong, its error figures mean nothing.`,
      );
    else if (!r.passed)
      findings.push(
        `${r.label}: calc_diff ${r.calcDiff.toExponential(2)} fails the FP8 bar of ${CALC_DIFF_PASS.toExponential(0)}.`,
      );
    if (r.variant !== 'fine' && r.vsFine !== undefined) {
      const how =
        r.vsFine >= 1 ? `${r.vsFine.toPrecision(3)}x that of` : `${(1 / r.vsFine).toPrecision(3)}x lower than`;
      findings.push(
        `${r.label}: calc_diff ${r.calcDiff.toExponential(2)}, ${how} the design (${fine!.calcDiff.toExponential(2)}).`,
      );
    }
  }
  const missing = ACCURACY_VARIANTS.filter((v) => !by.has(v));
  return { rows, missing, heatDomain, histogramMax, findings };
}
