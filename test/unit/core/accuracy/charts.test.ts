import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { histogramOf, tileHeatmap } from '../../../../extension/src/core/accuracy';
import { heatLevel, heatmapLayout, histogramLayout } from '../../../../webview/src/charts/accuracyCharts';
import { renderMarks, type Mark } from '../../../../webview/src/charts/marks';
import { assertSnapshot, newRoot } from '../../webview/snapshot';

const rects = (marks: Mark[], cls: string) =>
  marks.filter((m): m is Extract<Mark, { type: 'rect' }> => m.type === 'rect' && m.cls.split(' ').includes(cls));

const hist = histogramOf([0, 2e-9, 1e-4, 1.1e-4, 3e-3, 3e-3, 3e-3, 0.5, 50, NaN]);
const sums = {
  blockM: 128,
  blockN: 128,
  tilesM: 2,
  tilesN: 3,
  maxAbs: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6],
  sumSqErr: [1e-6, 1e-4, 1e-2, 0, 1e-4, 1],
  sumSqRef: [1, 1, 1, 0, 1, 1],
};

describe('histogramLayout', () => {
  const chart = histogramLayout(hist, { width: 320, height: 180 }, 'fine-grained');
  it('draws one bar per non-empty column: below-range, each bin, above-range, NaN', () => {
    const bars = rects(chart.marks, 'hist');
    assert.equal(bars.length, 6); // ≤1e-8 (2), [1e-4, 1.78e-4) (2), [2.37e-3, 3.16e-3) (3), [0.316, 0.562) (1), ≥10 (1), NaN (1)
    assert.deepEqual(
      bars.map((b) => b.title?.split(':')[0]),
      ['2 outputs', '2 outputs', '3 outputs', '1 outputs', '1 outputs', '1 outputs'],
    );
    assert.match(bars[0].title ?? '', /below 1e-8 \(1 exactly zero\)/);
    assert.ok(bars[2].height > bars[1].height, 'taller bar for more outputs');
    assert.equal(rects(chart.marks, 'nonfinite').length, 1);
  });
  it('uses the shared maximum so variants compare by height', () => {
    const own = rects(histogramLayout(hist, { width: 320, height: 180 }, 'x').marks, 'hist')[2].height;
    const shared = rects(histogramLayout(hist, { width: 320, height: 180 }, 'x', 30).marks, 'hist')[2].height;
    assert.ok(shared < own / 5, `${shared} vs ${own}`);
  });
  it('renders to a stable SVG', () => {
    const { root } = newRoot();
    assertSnapshot('accuracy-histogram', renderMarks(root, chart).outerHTML);
  });
});

describe('heatmapLayout', () => {
  const hm = tileHeatmap(sums, 'relRms');
  const chart = heatmapLayout(hm, { width: 240, height: 240 }, 'fine-grained', [hm.min, hm.max], 128, 128);
  it('maps tiles to log-scaled levels, marks tiles without reference energy apart', () => {
    const cells = rects(chart.marks, 'heat');
    assert.equal(cells.length, 6);
    assert.deepEqual(
      cells.map((c) => c.cls),
      ['heat h0', 'heat h3', 'heat h5', 'heat none', 'heat h3', 'heat h8'],
    );
    assert.match(cells[5].title ?? '', /^tile m 1, n 2 \(rows 128\.\., cols 256\.\.\): 1\.00e\+0$/);
    assert.equal(heatLevel(NaN, [1e-3, 1]), -1);
    assert.equal(heatLevel(1e-3, [1e-3, 1]), 0);
    assert.equal(heatLevel(1, [1e-3, 1]), 8);
  });
  it('renders to a stable SVG', () => {
    const { root } = newRoot();
    assertSnapshot('accuracy-heatmap', renderMarks(root, chart).outerHTML);
  });
});
