import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as bars from '../../../webview/src/charts/tflopsBars';
import * as ratios from '../../../webview/src/charts/ratioChart';
import * as roof from '../../../webview/src/charts/roofline';
import * as space from '../../../webview/src/charts/candidateSpace';
import * as regs from '../../../webview/src/charts/registersChart';
import type { ChartMarks, Mark } from '../../../webview/src/charts/marks';
import { assertSnapshot, newRoot } from './snapshot';

const size = { width: 480, height: 260 };
const of = (marks: Mark[], type: Mark['type'], cls?: string) =>
  marks.filter((m) => m.type === type && (!cls || m.cls.split(' ').includes(cls)));

// Fixed inputs for layout and snapshot tests (shapes of the DeepSeek-V3 list, round numbers).
const barData: bars.TflopsDatum[] = [
  { label: '64x2112x7168', values: { ours: 200, cublaslt: 150, deepgemm: 210 } },
  { label: '128x24576x1536', values: { ours: 400, cublaslt: 500 } },
  { label: '4096x7168x16384', values: { ours: 1200, deepgemm: 1300, torch: 1100 } },
];
const series: bars.TflopsSeries[] = [
  { id: 'ours', name: 'ours' },
  { id: 'cublaslt', name: 'cuBLASLt' },
  { id: 'deepgemm', name: 'DeepGEMM' },
  { id: 'torch', name: 'torch._scaled_mm' },
];
const ratioData: ratios.RatioDatum[] = [
  {
    label: '64x2112x7168',
    points: { cublaslt: { ratio: 1.25, spread: 0.03 }, deepgemm: { ratio: 0.9, spread: 0.02 } },
  },
  { label: '128x24576x1536', points: { cublaslt: { ratio: 1.02 } } },
  { label: '4096x7168x16384', points: {} },
];
const ratioOptions = { title: 'peer / ours', axis: 'peer time / ours', above: 'ours faster', below: 'peer faster' };
const rooflineData: roof.RooflineData = {
  points: [
    { label: '64x2112x7168', intensity: 100, tflops: 200 },
    { label: '4096x7168x16384', intensity: 1600, tflops: 1200 },
  ],
  ceilings: { fp8Tflops: 1500, bandwidthGBps: 3000, method: 'test method' },
};
const candidates: space.CandidatePoint[] = [
  { index: 0, label: '64x128 s8 wg1 c1x1', predictedUs: 20, measuredUs: 25, chosen: false },
  { index: 3, label: '64x64 s10 wg1 c1x1', predictedUs: 10, measuredUs: 12, chosen: true },
  { index: 5, label: '128x128 s5 wg2 c1x1', predictedUs: 30, chosen: false },
  { index: 7, label: 'rejected', chosen: false },
];
const regData: regs.RegistersDatum[] = [
  { label: '64x128', registers: 168, producer: 40, math: 232, spillBytes: 0, chosen: true },
  { label: '128x256', registers: 255, producer: 40, math: 232, spillBytes: 96, chosen: false },
];

describe('tflopsBars.layout', () => {
  it('draws one bar per measured value of every series, heights ordered like the values, side by side', () => {
    const { marks } = bars.layout(barData, series, size);
    const bar = (id: string) =>
      of(marks, 'rect', `series-${id}`).filter((m) => m.type === 'rect' && m.title) as Extract<
        Mark,
        { type: 'rect' }
      >[];
    assert.equal(bar('ours').length, 3);
    assert.equal(bar('cublaslt').length, 2);
    assert.equal(bar('deepgemm').length, 2);
    assert.equal(bar('torch').length, 1);
    const h = bar('ours').map((m) => m.height);
    assert.ok(h[0] < h[1] && h[1] < h[2], `bar heights ${h}`);
    // In a group the series keep their order left to right and do not overlap.
    const [o, c, d] = [bar('ours')[0], bar('cublaslt')[0], bar('deepgemm')[0]];
    assert.ok(o.x + o.width <= c.x && c.x + c.width <= d.x, `bars overlap: ${o.x}/${c.x}/${d.x}`);
    for (const m of marks) if (m.type === 'rect') assert.ok(m.y >= 0 && m.x >= 0 && m.x + m.width <= size.width);
  });
  it('names in the legend only the series that have bars (a run without peers shows ours alone)', () => {
    const legend = (data: typeof barData) =>
      bars
        .layout(data, series, size)
        .marks.filter((m) => m.type === 'text' && m.cls === 'legend')
        .map((m) => (m as { text: string }).text);
    assert.deepEqual(legend(barData), ['ours', 'cuBLASLt', 'DeepGEMM', 'torch._scaled_mm']);
    const noPeer = barData.map((d) => ({ label: d.label, values: { ours: d.values.ours } }));
    assert.deepEqual(legend(noPeer), ['ours']);
    assert.equal(bars.layout(noPeer, series, size).label, 'TFLOPS per shape');
    // Legend entries do not overlap each other.
    const swatches = bars.layout(barData, series, size).marks.filter((m) => m.type === 'rect' && !m.title) as Extract<
      Mark,
      { type: 'rect' }
    >[];
    const texts = bars
      .layout(barData, series, size)
      .marks.filter((m) => m.type === 'text' && m.cls === 'legend') as Extract<Mark, { type: 'text' }>[];
    texts.forEach((t, i) => {
      if (swatches[i + 1])
        assert.ok(t.x + t.text.length * 6 <= swatches[i + 1].x, `legend "${t.text}" runs into the next swatch`);
    });
  });
  it('says there are no timings instead of drawing an empty frame', () => {
    const { marks } = bars.layout([{ label: '64x2112x7168', values: {} }], series, size);
    assert.equal(marks.length, 1);
    assert.match((marks[0] as { text: string }).text, /No timings/);
  });
});

describe('roofline.layout', () => {
  it('computes the attainable roof as min(compute, bandwidth x intensity)', () => {
    assert.equal(roof.attainable(100, { fp8Tflops: 1500, bandwidthGBps: 3000 }), 300);
    assert.equal(roof.attainable(1000, { fp8Tflops: 1500, bandwidthGBps: 3000 }), 1500);
  });
  it('places points under a two-segment roof with the ridge at compute/bandwidth', () => {
    const { marks } = roof.layout(rooflineData, size);
    const roofPath = of(marks, 'path', 'roof')[0] as Extract<Mark, { type: 'path' }>;
    assert.ok(roofPath, 'roof drawn');
    assert.equal(roofPath.d.split('L').length, 3);
    const pts = of(marks, 'circle', 'point') as Extract<Mark, { type: 'circle' }>[];
    assert.equal(pts.length, 2);
    assert.ok(pts[0].cx < pts[1].cx && pts[0].cy > pts[1].cy, 'higher intensity and throughput go right and up');
    assert.match(pts[0].title ?? '', /% of the roof/);
  });
  it('draws no roof when the ceilings were not measured, and says so', () => {
    const { marks } = roof.layout({ points: rooflineData.points }, size);
    assert.equal(of(marks, 'path', 'roof').length, 0);
    assert.ok(marks.some((m) => m.type === 'text' && /not measured/.test(m.text)));
  });
  it('drops points that cannot sit on log axes', () => {
    const { marks } = roof.layout({ points: [{ label: 'x', intensity: 0, tflops: 1 }] }, size);
    assert.equal(marks.length, 1);
  });
});

describe('candidateSpace.layout', () => {
  it('orders candidates by prediction, skips ones with nothing to show, marks the choice', () => {
    const { marks } = space.layout(candidates, size);
    const predicted = of(marks, 'circle', 'predicted').filter((m) => (m as { title?: string }).title) as Extract<
      Mark,
      { type: 'circle' }
    >[];
    assert.equal(predicted.length, 3);
    assert.match(predicted[0].title ?? '', /^#3 /);
    assert.ok(predicted[0].cx < predicted[1].cx);
    assert.equal(of(marks, 'rect', 'chosen-band').length, 1);
    assert.equal(of(marks, 'rect', 'measured').filter((m) => (m as { title?: string }).title).length, 2);
    assert.equal(of(marks, 'line', 'link').length, 2);
  });
});

describe('ratioChart.layout', () => {
  it('puts each ratio on a log axis around the line at 1, above it when ours is faster, with its spread as a whisker', () => {
    const { marks } = ratios.layout(ratioData, series.slice(1), size, ratioOptions);
    const unity = marks.find((m) => m.type === 'line' && m.cls === 'unity') as Extract<Mark, { type: 'line' }>;
    assert.ok(unity, 'a line at 1');
    const dot = (id: string) => of(marks, 'circle', `series-${id}`) as Extract<Mark, { type: 'circle' }>[];
    assert.equal(dot('cublaslt').length, 2);
    assert.equal(dot('deepgemm').length, 1);
    assert.ok(dot('cublaslt')[0].cy < unity.y1, '1.25x is above the line');
    assert.ok(dot('deepgemm')[0].cy > unity.y1, '0.9x is below the line');
    const whiskers = of(marks, 'line', 'whisker') as Extract<Mark, { type: 'line' }>[];
    assert.equal(whiskers.length, 2, 'only the points with a spread get a whisker');
    assert.ok(whiskers[0].y1 < dot('cublaslt')[0].cy && whiskers[0].y2 > dot('cublaslt')[0].cy);
    assert.match(dot('deepgemm')[0].title ?? '', /0\.900x ± 2\.0%/);
    // The shape without a ratio is left out rather than drawn empty.
    assert.equal(marks.filter((m) => m.type === 'text' && m.cls === 'tick' && m.text === '4096x7168x16384').length, 0);
  });
  it('has round ticks either side of 1', () => {
    assert.deepEqual(ratios.ratioTicks(0.85, 1.3), [0.9, 1, 1.1, 1.2, 1.3]);
    assert.ok(ratios.ratioTicks(0.99, 1.01).includes(1));
  });
  it('says so when nothing has a ratio', () => {
    assert.match((ratios.layout([], series, size, ratioOptions).marks[0] as { text: string }).text, /No ratios/);
  });
});

describe('registersChart.layout', () => {
  it('draws a bar per candidate, setmaxnreg ticks and a spill label', () => {
    const { marks } = regs.layout(regData, size);
    const bars2 = of(marks, 'rect', 'regs') as Extract<Mark, { type: 'rect' }>[];
    assert.equal(bars2.length, 2);
    assert.ok(bars2[1].height > bars2[0].height);
    assert.ok(bars2[1].cls.includes('spilling'));
    assert.equal(of(marks, 'line', 'producer').filter((m) => (m as { title?: string }).title).length, 2);
    assert.ok(marks.some((m) => m.type === 'text' && m.text === '96 B spill'));
  });
  it('asks for a compile when there is nothing to show', () => {
    assert.match((regs.layout([], size).marks[0] as { text: string }).text, /compile/i);
  });
});

describe('slanted x labels', () => {
  // A grouped run's case labels are long; the first one used to reach past the chart's left edge.
  const long = ['masked 32g m~192 6144x7168', 'masked 6g m~1024 4096x2048', 'masked 32g m~20 7168x3072'];
  const rad = (35 * Math.PI) / 180;
  const slanted = (marks: Mark[]) =>
    marks.filter((m): m is Extract<Mark, { type: 'text' }> => m.type === 'text' && m.rotate === -35);
  const charts: [string, () => ChartMarks][] = [
    [
      'tflopsBars',
      () =>
        bars.layout(
          long.map((label, i) => ({ label, values: { ours: 100 + i, deepgemm: 90 } })),
          series,
          size,
        ),
    ],
    [
      'ratioChart',
      () =>
        ratios.layout(
          long.map((label) => ({ label, points: { deepgemm: { ratio: 1.02 } } })),
          series.slice(2),
          size,
          ratioOptions,
        ),
    ],
    [
      'registersChart',
      () =>
        regs.layout(
          long.map((label, i) => ({ label, registers: 168, producer: 40, math: 232, spillBytes: 0, chosen: i === 0 })),
          size,
        ),
    ],
  ];
  for (const [name, make] of charts) {
    it(`${name}: every label's box stays inside the chart`, () => {
      const chart = make();
      const labels = slanted(chart.marks);
      assert.equal(labels.length, long.length);
      for (const t of labels) {
        // The label's box: its length along the slant, one 11 px line across it.
        const left = t.x - t.text.length * 6.2 * Math.cos(rad) - 11 * Math.sin(rad);
        const bottom = t.y + t.text.length * 6.2 * Math.sin(rad) + 11 * Math.cos(rad);
        assert.ok(left >= 0, `${name}: "${t.text}" reaches ${left.toFixed(0)} px`);
        assert.ok(bottom <= chart.height, `${name}: "${t.text}" ends ${(bottom - chart.height).toFixed(0)} px below`);
      }
    });
  }
  it('short labels under wide bands keep the charts’ usual left margin', () => {
    const axis = bars.layout(barData, series, size).marks.find((m) => m.type === 'line' && m.cls === 'axis');
    assert.equal((axis as Extract<Mark, { type: 'line' }>).x1, 48);
  });
});

describe('render() SVG snapshots', () => {
  const cases: [string, () => ChartMarks, typeof bars.render][] = [
    ['tflops-bars', () => bars.layout(barData, series, size), bars.render],
    ['peer-ratios', () => ratios.layout(ratioData, series.slice(1), size, ratioOptions), ratios.render],
    ['roofline', () => roof.layout(rooflineData, size), roof.render],
    ['roofline-no-ceilings', () => roof.layout({ points: rooflineData.points }, size), roof.render],
    ['candidate-space', () => space.layout(candidates, size), space.render],
    ['registers', () => regs.layout(regData, size), regs.render],
  ];
  for (const [name, make, render] of cases) {
    it(name, () => {
      const { root } = newRoot();
      const svg = render(root, make());
      assert.equal(svg.ownerDocument, root.ownerDocument, 'drawn into the injected document');
      assert.equal(root.children.length, 1);
      assertSnapshot(name, root.innerHTML);
    });
  }
});
