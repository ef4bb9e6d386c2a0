// The picture of a config: its figures come from the kernel's own rules (tiles and waves as the
// heuristics count them, the shared-memory layout the kernel uses, the setmaxnreg split), and its
// layout keeps every mark inside the width, marks the ragged last wave and draws a rejection over
// the part its rule is about. Inputs: the real CLI's candidate list for 4096x7168x2048.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ConfigReport } from '../../../extension/protocol/worker';
import { configPicture, partOfRule, REGISTER_FILE } from '../../../extension/src/core/configPicture';
import { sharedMemoryBytes } from '../../../extension/src/core/kernelRules';
import { completeConfig1d1d, sharedMemoryBytes1d1d } from '../../../extension/src/core/kernelRules1d1d';
import { completeConfigBf16, sharedMemoryBytesBf16 } from '../../../extension/src/core/bf16/kernelRulesBf16';
import { chooseConfigBf16 } from '../../../extension/src/core/bf16/heuristicsBf16';
import { H100_SXM } from '../../../extension/src/core/heuristics/device';
import * as picture from '../../../webview/src/charts/configPicture';
import type { Mark } from '../../../webview/src/charts/marks';
import { repoRoot } from '../repoRoot';

const report = JSON.parse(
  readFileSync(join(repoRoot(), 'test/fixtures/runs/configs-4096x7168x2048.json'), 'utf8'),
) as ConfigReport;
const chosen = report.chosen;

describe('configPicture data', () => {
  it('counts tiles and waves as the heuristics do, with the last wave ragged', () => {
    const d = configPicture(report.problem, chosen);
    const listed = report.candidates.find((c) => !c.rejected && JSON.stringify(c.config) === JSON.stringify(chosen))!;
    assert.equal(d.tiles.total, listed.tiles);
    assert.equal(d.tiles.waves, listed.waves);
    assert.ok(Math.abs(d.tiles.lastWaveUtilisation - listed.lastWaveUtilisation) < 1e-9);
    assert.equal(d.tiles.rows, Math.ceil(report.problem.m / chosen.blockM));
    assert.equal(d.tiles.cols, Math.ceil(report.problem.n / chosen.blockN));
  });
  it("lays out shared memory as the kernel does: the segments add up to the config's bytes, one A/B/scale triple per stage", () => {
    for (const c of report.candidates.filter((x) => !x.rejected).slice(0, 20)) {
      const d = configPicture(report.problem, c.config);
      assert.equal(
        d.smem.segments.reduce((a, s) => a + s.bytes, 0),
        d.smem.total,
      );
      assert.equal(d.smem.total, sharedMemoryBytes(c.config, report.problem));
      assert.equal(d.smem.segments.filter((s) => s.part === 'A').length, c.config.numStages);
      assert.ok(d.smem.total <= d.smem.limit, 'a legal candidate fits');
    }
  });
  it('splits the register file by warpgroup role (setmaxnreg) and names the multicast operand', () => {
    const d = configPicture(report.problem, { ...chosen, numMathWarpgroups: 2, clusterM: 2, clusterN: 1 });
    assert.deepEqual(
      d.registers.roles.map((r) => [r.role, r.total]),
      [
        ['producer', 40 * 128],
        ['math', 232 * 128 * 2],
      ],
    );
    assert.ok(d.registers.total <= REGISTER_FILE);
    assert.equal(d.cluster.multicast, 'B');
    assert.equal(configPicture(report.problem, { ...chosen, clusterM: 1, clusterN: 2 }).cluster.multicast, 'A');
    assert.equal(configPicture(report.problem, { ...chosen, clusterM: 1, clusterN: 1 }).cluster.multicast, 'none');
  });
  it("draws the 1D1D and BF16 kernels' own layouts: fp32 D and B scales per stage; no scales, two staging tiles with ping-pong", () => {
    const wgrad = { kind: 'wgrad' as const, m: 4096, n: 7168, k: 2048 };
    const c1 = completeConfig1d1d({ blockM: 128, blockN: 192, numSms: 132 });
    const d1 = configPicture(wgrad, c1);
    assert.equal(d1.smem.total, sharedMemoryBytes1d1d(c1));
    assert.equal(
      d1.smem.segments.reduce((a, x) => a + x.bytes, 0),
      d1.smem.total,
    );
    assert.equal(d1.smem.segments.filter((x) => x.part === 'SFB').length, c1.numStages);
    assert.equal(d1.smem.segments[0].bytes, 128 * 192 * 4);
    const bf16 = { kind: 'bf16' as const, m: 4096, n: 32768, k: 512 };
    for (const pingpong of [0, 1]) {
      const c = completeConfigBf16({ blockM: 128, blockN: 128, numSms: 132, pingpong });
      const d = configPicture(bf16, c);
      assert.equal(d.smem.total, sharedMemoryBytesBf16(c));
      assert.equal(
        d.smem.segments.reduce((a, x) => a + x.bytes, 0),
        d.smem.total,
      );
      assert.equal(d.smem.segments.filter((x) => x.part === 'SFA' || x.part === 'SFB').length, 0);
      assert.deepEqual(
        d.smem.segments.filter((x) => x.part === 'D').map((x) => x.bytes),
        pingpong ? [32768, 32768] : [32768],
      );
      assert.equal(d.smem.perStage, (128 + 128) * 128);
      // The legend names only what the bar holds: no scales for BF16.
      const texts = picture
        .layout(d, { width: 400, height: 10 })
        .marks.flatMap((m) => (m.type === 'text' ? [m.text] : []));
      assert.ok(!texts.includes('scales') && texts.includes('D staging'), texts.join(' | '));
      assert.match(d.label, pingpong ? /2 math WG ping-pong/ : /2 math WG, cluster/);
    }
  });
  it("counts a BF16 grouped kind's tiles as its planner does (every group's, not one GEMM's)", () => {
    const problem = {
      kind: 'bf16-kgrouped' as const,
      m: 4096,
      n: 7168,
      k: 26368,
      numGroups: 4,
      output: 'fp32-accumulate' as const,
    };
    const report = chooseConfigBf16(problem, H100_SXM);
    const chosen = report.candidates.find((c) => c.config === report.chosen)!;
    const d = configPicture(problem, report.chosen);
    assert.equal(d.tiles.total, chosen.tiles);
    assert.equal(d.tiles.waves, chosen.waves);
    assert.equal(d.tiles.rows, 4 * Math.ceil(4096 / report.chosen.blockM));
  });
  it('places a rejection on the part its rule is about', () => {
    assert.equal(partOfRule('smem'), 'smem');
    assert.equal(partOfRule('registers'), 'registers');
    assert.equal(partOfRule('cluster'), 'cluster');
    assert.equal(partOfRule('scale-b-blocks'), 'tiles');
    const rejected = report.candidates.find((c) => c.rejected)!;
    assert.equal(
      configPicture(report.problem, rejected.config, rejected.rejected).rejected?.part,
      partOfRule(rejected.rejected!.rule),
    );
  });
});

const rects = (marks: Mark[], cls: string) =>
  marks.filter((m): m is Extract<Mark, { type: 'rect' }> => m.type === 'rect' && m.cls.split(' ').includes(cls));

describe('configPicture layout', () => {
  it("draws one cell per tile, the last wave's in their own colour, everything inside the width (side bar and wide)", () => {
    const d = configPicture(report.problem, chosen);
    for (const width of [284, 560]) {
      const { marks, height } = picture.layout(d, { width, height: 10 });
      const tiles = rects(marks, 'tile');
      assert.equal(tiles.length, d.tiles.total);
      assert.equal(tiles.filter((m) => m.cls.includes('wave-last')).length, d.tiles.lastWaveTiles);
      for (const m of marks) {
        if (m.type === 'rect')
          assert.ok(
            m.x >= 0 && m.x + m.width <= width + 0.01 && m.y + m.height <= height,
            `rect ${m.cls} at ${m.x}+${m.width} leaves ${width}x${height}`,
          );
        if (m.type === 'text' && m.anchor !== 'end' && m.anchor !== 'middle')
          assert.ok(m.x + m.text.length * 5.5 <= width + 2, `"${m.text}" runs past ${width} px`);
      }
      // The shared-memory limit line sits right of the bar's end (the config fits).
      const limit = marks.find((m) => m.type === 'line' && m.cls === 'limit') as Extract<Mark, { type: 'line' }>;
      const smem = rects(marks, 'smem');
      assert.ok(smem[smem.length - 1].x + smem[smem.length - 1].width <= limit.x1 + 0.01);
    }
  });
  it('groups tiles into squares when there are too many to draw one by one', () => {
    const big = configPicture({ kind: 'normal', m: 4096, n: 32768, k: 512 }, { ...chosen, blockM: 64, blockN: 16 });
    const { marks } = picture.layout(big, { width: 400, height: 10 });
    assert.ok(rects(marks, 'tile').length <= picture.MAX_CELLS);
    assert.ok(marks.some((m) => m.type === 'text' && /each square: \d+x\d+ tiles/.test(m.text)));
  });
  it("draws a rejected candidate's reason over its band, in words", () => {
    const rejected =
      report.candidates.find((c) => c.rejected && partOfRule(c.rejected.rule) === 'registers') ??
      report.candidates.find((c) => c.rejected)!;
    const { marks } = picture.layout(configPicture(report.problem, rejected.config, rejected.rejected), {
      width: 400,
      height: 10,
    });
    const band = rects(marks, 'rejected-band');
    assert.equal(band.length, 1);
    assert.match(band[0].title ?? '', new RegExp(`rejected \\(${rejected.rejected!.rule}\\)`));
    assert.ok(marks.some((m) => m.type === 'text' && m.cls === 'warn-label' && m.text.startsWith('✕ rejected')));
  });
  it('wraps text at spaces', () => {
    assert.deepEqual(picture.wrap('one two three four', 9), ['one two', 'three', 'four']);
  });
});
