// Error per output tile, from the per-tile sums the GPU computes (TileErrorSums), aggregated to at
// most maxRows x maxCols cells so a 4096 x 7168 output (32 x 56 tiles, or far more with small
// tiles) stays readable. A cell's relative RMS error is sqrt(Σ err² / Σ ref²) over its tiles; its
// max abs error is the max over them. Pure.

import type { TileErrorSums } from '../../../protocol/trace';
import { AccuracyFormatError } from './errors';

export type HeatMetric = 'relRms' | 'maxAbs';

export interface Heatmap {
  metric: HeatMetric;
  rows: number;
  cols: number;
  /** Output tiles per cell along M and N. */
  tilesPerRow: number;
  tilesPerCol: number;
  /** [row * cols + col]; NaN where the cell has no reference energy (relRms of an all-zero block). */
  values: Float64Array;
  min: number;
  max: number;
  /** The worst single tile (not cell). */
  worst: { tileM: number; tileN: number; value: number };
}

export function checkTileSums(t: TileErrorSums, where: string): void {
  const n = t.tilesM * t.tilesN;
  if (!(Number.isInteger(t.tilesM) && t.tilesM > 0 && Number.isInteger(t.tilesN) && t.tilesN > 0)) {
    throw new AccuracyFormatError(
      `${where}: tilesM and tilesN must be positive whole numbers; got ${t.tilesM} x ${t.tilesN}`,
    );
  }
  for (const key of ['maxAbs', 'sumSqErr', 'sumSqRef'] as const) {
    const a = t[key];
    if (!Array.isArray(a) || a.length !== n)
      throw new AccuracyFormatError(
        `${where}: ${key} must hold tilesM x tilesN = ${n} values (row-major); got ${Array.isArray(a) ? a.length : typeof a}`,
      );
    if (a.some((v) => typeof v !== 'number' || v < 0 || Number.isNaN(v)))
      throw new AccuracyFormatError(`${where}: ${key} values must be non-negative numbers`);
  }
}

const tileValue = (t: TileErrorSums, i: number, metric: HeatMetric): number =>
  metric === 'maxAbs' ? t.maxAbs[i] : t.sumSqRef[i] > 0 ? Math.sqrt(t.sumSqErr[i] / t.sumSqRef[i]) : NaN;

export function tileHeatmap(t: TileErrorSums, metric: HeatMetric, maxRows = 64, maxCols = 64): Heatmap {
  checkTileSums(t, 'tile error sums');
  const tilesPerRow = Math.ceil(t.tilesM / maxRows);
  const tilesPerCol = Math.ceil(t.tilesN / maxCols);
  const rows = Math.ceil(t.tilesM / tilesPerRow);
  const cols = Math.ceil(t.tilesN / tilesPerCol);
  const err = new Float64Array(rows * cols),
    ref = new Float64Array(rows * cols),
    mx = new Float64Array(rows * cols);
  let worst = { tileM: 0, tileN: 0, value: -Infinity };
  for (let m = 0; m < t.tilesM; m++) {
    for (let n = 0; n < t.tilesN; n++) {
      const i = m * t.tilesN + n;
      const c = Math.floor(m / tilesPerRow) * cols + Math.floor(n / tilesPerCol);
      err[c] += t.sumSqErr[i];
      ref[c] += t.sumSqRef[i];
      if (t.maxAbs[i] > mx[c]) mx[c] = t.maxAbs[i];
      const v = tileValue(t, i, metric);
      if (v > worst.value) worst = { tileM: m, tileN: n, value: v };
    }
  }
  const values = new Float64Array(rows * cols);
  let min = Infinity,
    max = -Infinity;
  for (let c = 0; c < values.length; c++) {
    const v = metric === 'maxAbs' ? mx[c] : ref[c] > 0 ? Math.sqrt(err[c] / ref[c]) : NaN;
    values[c] = v;
    if (Number.isFinite(v)) {
      if (v < min) min = v;
      if (v > max) max = v;
    }
  }
  if (!Number.isFinite(min)) {
    min = 0;
    max = 0;
  }
  return { metric, rows, cols, tilesPerRow, tilesPerCol, values, min, max, worst };
}
