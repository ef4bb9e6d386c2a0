// The SASS view's pure parts: the mix chart's layout on a real kernel's mix (and its SVG snapshot),
// the stored-snapshot checker, the webview message guard for the view's one request, and the
// language server's line hover.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as mixChart from '../../../webview/src/charts/sassMix';
import type { Mark } from '../../../webview/src/charts/marks';
import { functionMix } from '../../../extension/src/core/sass/mix';
import { checkSassSnapshot } from '../../../extension/src/core/sass/check';
import { countByLine } from '../../../extension/src/core/sass/sourceLines';
import { checkWebviewMessage } from '../../../extension/src/core/webviewGuards';
import { sassLineMarkdown, validateSassLines } from '../../../extension/server/hover/sassLineHover';
import { reportFromText } from '../../../extension/src/runtime/sass/disassemble';
import { assertSnapshot, newRoot } from './snapshot';
import { fixture, fixtureText, SASS_FIXTURES as F } from '../core/sass/fixtures';

const size = { width: 640, height: 120 };
const rects = (marks: Mark[]) =>
  marks.filter((m): m is Extract<Mark, { type: 'rect' }> => m.type === 'rect' && m.cls.includes('mix'));

describe('sassMix chart', () => {
  const mix128 = functionMix(fixture(F.nvdisasm128).listing.functions[0]);
  const mix256 = functionMix(fixture(F.nvdisasm256).listing.functions[0]);

  it('one bar per tensor-core shape first, then one per family, lengths proportional to counts', () => {
    const bars = mixChart.mixBars([mix128]);
    assert.equal(bars[0].label, 'QGMMA 64x128x32 F32.E4M3.E4M3');
    assert.deepEqual(bars[0].values, [48]);
    assert.ok(bars.slice(1).every((b) => !b.tensor));
    assert.equal(
      bars.slice(1).reduce((s, b) => s + b.values[0], 0),
      mix128.total - 48,
    );
    const r = rects(mixChart.layout(bars, size).marks);
    assert.equal(r.length, bars.length);
    const unit = r[1].width / bars[1].values[0];
    r.forEach((rect, i) =>
      assert.ok(
        Math.abs(rect.width - bars[i].values[0] * unit) < 0.02 || (bars[i].values[0] > 0 && rect.width === 1),
        `${bars[i].label}`,
      ),
    );
  });

  it('a diff shows two bars per row and the delta', () => {
    const chart = mixChart.layout(mixChart.mixBars([mix128, mix256]), size, ['128x128', '256x128']);
    assert.equal(chart.label, 'Instruction mix: 128x128 vs 256x128');
    assert.ok(chart.marks.some((m) => m.type === 'text' && m.text === '-40'));
    assert.equal(
      rects(chart.marks).filter((m) => m.cls.includes('series-1') && m.title?.startsWith('256x128: QGMMA')).length,
      1,
    );
  });

  it('says so when there is nothing to count', () => {
    assert.match((mixChart.layout([], size).marks[0] as { text: string }).text, /No instructions/);
  });

  it('render() SVG snapshot of the 128x128 vs 256x128 mix', () => {
    const { root } = newRoot();
    mixChart.render(root, mixChart.layout(mixChart.mixBars([mix128, mix256]), size, ['128x128', '256x128']));
    assertSnapshot('sass-mix-diff', root.innerHTML);
  });
});

describe('stored SASS snapshots are checked before they are shown again', () => {
  const report = reportFromText(fixtureText(F.nvdisasm256), 'a.txt');
  it('a listing snapshot round-trips through JSON', () => {
    const snap = { view: 'sass', mode: 'listing', title: 't', source: { kind: 'file', path: '/a.txt' }, report };
    assert.deepEqual(checkSassSnapshot(JSON.parse(JSON.stringify(snap))), JSON.parse(JSON.stringify(snap)));
  });
  it('a hand-edited one is refused with a reason', () => {
    const bad = JSON.parse(
      JSON.stringify({ view: 'sass', mode: 'listing', title: 't', source: { kind: 'file', path: '/a' }, report }),
    );
    bad.report.listing.functions[0].instructions[3].offset = 'x';
    assert.throws(() => checkSassSnapshot(bad), /malformed instruction/);
    assert.throws(
      () => checkSassSnapshot({ view: 'sass', mode: 'diff', title: 't', source: {}, left: report, right: report }),
      /leftLabel/,
    );
    assert.throws(() => checkSassSnapshot({ view: 'registers' }), /needs view 'sass'/);
  });
});

describe('the SASS view may ask only to open a source line', () => {
  const req = (params: unknown) => ({ kind: 'request', id: 1, method: 'sass/openSource', params });
  it('accepts a file and a positive line', () => {
    assert.equal(
      checkWebviewMessage(req({ file: '/work/main/kernels/include/fp8lab/ptx/wgmma.cuh', line: 52 }), 'sass').ok,
      true,
    );
  });
  it('refuses bad params and other views', () => {
    assert.equal(checkWebviewMessage(req({ file: '', line: 52 }), 'sass').ok, false);
    assert.equal(checkWebviewMessage(req({ file: '/a', line: 0 }), 'sass').ok, false);
    assert.equal(checkWebviewMessage(req({ file: '/a', line: 1, extra: 1 }), 'sass').ok, false);
    assert.equal(checkWebviewMessage(req({ file: '/a', line: 1 }), 'registers').ok, false);
    assert.equal(
      checkWebviewMessage({ kind: 'request', id: 1, method: 'configs/compile', params: { indices: [0] } }, 'sass').ok,
      false,
    );
  });
  it("the results panel and the explorer may open a row's SASS view", () => {
    for (const view of ['results', 'explorer'] as const)
      assert.equal(
        checkWebviewMessage({ kind: 'request', id: 2, method: 'study/open', params: { study: 'sass', index: 0 } }, view)
          .ok,
        true,
      );
    assert.equal(
      checkWebviewMessage(
        { kind: 'request', id: 2, method: 'study/open', params: { study: 'ptx', index: 0 } },
        'results',
      ).ok,
      false,
    );
  });
});

describe('the kernel-source hover line from the last SASS listing', () => {
  const facts = { label: '4096x7168x2048 128x128', counts: countByLine(fixture(F.nvdisasm128).listing.functions) };
  it('counts the line under the cursor (0-based line in, 1-based line table)', () => {
    const md = sassLineMarkdown(facts, '/home/me/project/kernels/include/fp8lab/ptx/wgmma.cuh', 51);
    const c = facts.counts['kernels/include/fp8lab/ptx/wgmma.cuh'][52];
    assert.equal(
      md,
      `**SASS**: this line became ${c.direct} SASS instructions (${c.directTensor} tensor-core) — in 4096x7168x2048 128x128`,
    );
    assert.equal(sassLineMarkdown(facts, '/home/me/project/kernels/include/fp8lab/ptx/wgmma.cuh', 0), null);
    assert.equal(sassLineMarkdown(undefined, '/x/kernels/include/fp8lab/ptx/wgmma.cuh', 51), null);
  });
  it('validates the notification', () => {
    assert.ok(validateSassLines(JSON.parse(JSON.stringify(facts))));
    assert.equal(
      validateSassLines({
        label: 'x',
        counts: { 'a.cuh': { x: { direct: 1, directTensor: 0, inlined: 0, inlinedTensor: 0 } } },
      }),
      undefined,
    );
    assert.equal(
      validateSassLines({
        label: 'x',
        counts: { 'a.cuh': { 3: { direct: -1, directTensor: 0, inlined: 0, inlinedTensor: 0 } } },
      }),
      undefined,
    );
    assert.equal(validateSassLines(null), undefined);
  });
});

describe('the "SASS of …" code lens over a kernel the last run used', () => {
  it("runs Show SASS with that run's shape and config", async () => {
    const { sassLensesFor } = await import('../../../extension/server/hover/sassLens');
    const config = { blockM: 128, blockN: 128 } as never;
    const problem = { kind: 'normal', m: 4096, n: 7168, k: 2048 } as const;
    const facts = {
      version: 1,
      updatedAt: '',
      compiles: [],
      configs: [
        { problem, config, kernelName: 'k1', cost: {} as never },
        { problem: { ...problem, m: 64 }, config, kernelName: 'k2', cost: {} as never },
      ],
    } as never;
    const lenses = sassLensesFor([{ kernelName: 'k1' } as never], facts);
    assert.deepEqual(lenses, [
      {
        title: 'SASS of 4096x7168x2048 (128x128)',
        command: 'fp8lab.showSass',
        arguments: [{ problem: { ...problem, config } }],
      },
    ]);
  });
});
