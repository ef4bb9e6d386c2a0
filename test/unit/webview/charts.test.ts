import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as bars from '../../../webview/src/charts/tflopsBars';
import * as roof from '../../../webview/src/charts/roofline';
import * as space from '../../../webview/src/charts/candidateSpace';
import * as regs from '../../../webview/src/charts/registersChart';
import type { ChartMarks, Mark } from '../../../webview/src/charts/marks';
import { assertSnapshot, newRoot } from './snapshot';

const size = { width: 480, height: 260 };
const of = (marks: Mark[], type: Mark['type'], cls?: string) => marks.filter((m) => m.type === type && (!cls || m.cls.split(' ').includes(cls)));

// Fixed inputs for layout and snapshot tests (shapes of the DeepSeek-V3 list, round numbers).
const barData: bars.TflopsDatum[] = [
  { label: '64x2112x7168', ours: 200, peer: 150 },
  { label: '128x24576x1536', ours: 400, peer: 500 },
  { label: '4096x7168x16384', ours: 1200 },
];
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
  it('draws one bar per measured value, ours and peer, heights ordered like the values', () => {
    const { marks } = bars.layout(barData, size);
    const ours = of(marks, 'rect', 'ours').filter((m) => m.type === 'rect' && m.title);
    const peer = of(marks, 'rect', 'peer').filter((m) => m.type === 'rect' && m.title);
    assert.equal(ours.length, 3);
    assert.equal(peer.length, 2);
    const h = ours.map((m) => (m as Extract<Mark, { type: 'rect' }>).height);
    assert.ok(h[0] < h[1] && h[1] < h[2], `bar heights ${h}`);
    for (const m of [...ours, ...peer]) assert.ok((m as { y: number }).y >= 0);
  });
  it('names the peer in the legend only when the run has peer bars (grouped runs have none)', () => {
    const legend = (data: typeof barData) => bars.layout(data, size).marks.filter((m) => m.type === 'text' && m.cls === 'legend').map((m) => (m as { text: string }).text);
    assert.deepEqual(legend(barData), ['ours', 'cuBLASLt']);
    const noPeer = barData.map(({ peer: _peer, ...d }) => d);
    assert.deepEqual(legend(noPeer), ['ours']);
    assert.equal(bars.layout(noPeer, size).label, 'TFLOPS per shape');
  });
  it('says there are no timings instead of drawing an empty frame', () => {
    const { marks } = bars.layout([{ label: '64x2112x7168' }], size);
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
    const predicted = of(marks, 'circle', 'predicted').filter((m) => (m as { title?: string }).title) as Extract<Mark, { type: 'circle' }>[];
    assert.equal(predicted.length, 3);
    assert.match(predicted[0].title ?? '', /^#3 /);
    assert.ok(predicted[0].cx < predicted[1].cx);
    assert.equal(of(marks, 'rect', 'chosen-band').length, 1);
    assert.equal(of(marks, 'rect', 'measured').filter((m) => (m as { title?: string }).title).length, 2);
    assert.equal(of(marks, 'line', 'link').length, 2);
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

describe('render() SVG snapshots', () => {
  const cases: [string, () => ChartMarks, typeof bars.render][] = [
    ['tflops-bars', () => bars.layout(barData, size), bars.render],
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
