// Accuracy toolkit in one import: histogram bins, per-tile heatmaps, the three-way comparison.
export {
  binEdges,
  binOf,
  DEFAULT_HISTOGRAM,
  emptyHistogram,
  histogramOf,
  histogramQuantile,
  histogramTotal,
  relativeError,
  type HistogramSpec,
} from './histogram';
export { checkTileSums, tileHeatmap, type Heatmap, type HeatMetric } from './heatmap';
export {
  CALC_DIFF_PASS,
  checkAccuracyReport,
  compareVariants,
  VARIANT_TEXT,
  type AccuracyComparison,
  type VariantRow,
} from './compare';
export { AccuracyFormatError } from './errors';
