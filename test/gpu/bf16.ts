// GPU tests of the BF16 GEMM (kind 'bf16'): bad input rejected before launch with its code (runs
// without a GPU too); then, on a Hopper GPU, calc_diff < 1e-5 (DeepGEMM's BF16 tolerance) on every
// element of D (poisoned with NaN first, so an unwritten element fails) for
//   - the standard list (DeepSeek shapes and 8192³) with the heuristics' configs;
//   - ragged shapes: M and N not multiples of any tile (1, 7, 100, 1000 rows; N = 24, 200, 576, 1000),
//     K not a multiple of the 64-deep K-block (8, 72, 200, 1000, 7176);
//   - every tile family and both multicast directions forced on ragged shapes;
//   - split-K 2 and 4 forced (64x64, 64x128, 128x128; bf16, fp32 and fp32-accumulate D): K-block
//     counts that split unevenly, K below 64 x splitK (ranks with an empty share hand over zeros),
//     ragged M and N, fewer tiles than clusters and many tiles per cluster (the exchange barriers'
//     phases over several tiles);
//   - fp32 output and fp32 accumulation into C;
//   - the M-grouped kinds (bf16-contiguous, bf16-masked): their standard lists and edge cases (an
//     empty group, the psum layout, ragged K), padding rows / rows past masked_m checked untouched;
//   - the K-grouped kind (bf16-kgrouped): its standard list (DeepGEMM's sm90 shapes) and K_g lists
//     with K_g = 64, empty groups first / inside / last, ragged M and N, every tile family forced;
//     D_g = C_g + A_g·B_gᵀ per group against the FP32 reference, and each empty group's D plane
//     bit-identical to C_g (the launch copies C into the poisoned D; the kernel must not touch it);
//   - the ping-pong schedule forced on every kind and output: both tile shapes, a cluster pair each
//     way, one K-block per tile, fewer tiles than CTAs and odd tile counts per CTA (one warpgroup idle
//     or a tile short), masked and padding rows, empty K-groups;
//   - the D slab ring forced (2 and 3 box buffers; bf16, fp32 and fp32-accumulate D; with split-K):
//     ragged M and N (a tile's last boxes past N, rows past M), one K-block per tile, fewer tiles than
//     CTAs and many tiles per CTA (the ring's buffers and store groups carried across tiles).
// `--part=rejections|standard|ragged|forced|outputs|contiguous|masked|kgrouped|pingpong|slabs` runs one part.
import type { GroupedCase, GroupedResult } from '../../extension/protocol/grouped';
import type { Bf16Output } from '../../extension/protocol/worker';
import { completeConfigBf16 } from '../../extension/src/core/bf16/kernelRulesBf16';
import { caseLabel, standardCases } from '../../extension/src/core/grouped/cases';
import { probeEnvironment } from '../../extension/src/worker/environment';
import { benchGrouped, prepareCase } from '../../extension/src/worker/grouped/groupedService';
import { check, done, expectCode, gpuSettings, skip } from './harness';

const settings = gpuSettings();
const part = process.argv.find((a) => a.startsWith('--part='))?.slice('--part='.length);
const from = Number(process.argv.find((a) => a.startsWith('--from='))?.slice('--from='.length) ?? 0);
const options = { timing: false, rounds: 1, seed: 0 };
const BF16_LIMIT = 1e-5;

const kgrouped = (m: number, n: number, layout: number[], extra: Partial<GroupedCase> = {}): GroupedCase => ({
  kind: 'bf16-kgrouped',
  numGroups: layout.length,
  m,
  n,
  k: 64,
  layout,
  ...extra,
});

const bf16 = (m: number, n: number, k: number, extra: Partial<GroupedCase> = {}): GroupedCase => ({
  kind: 'bf16',
  numGroups: 1,
  m,
  n,
  k,
  ...extra,
});

function verdict(r: GroupedResult): string {
  if (r.error) throw Object.assign(new Error(r.error.message), { code: r.error.code });
  const acc = r.accuracy;
  if (!acc) throw new Error('no accuracy was measured');
  if (!acc.passed || !(acc.calcDiff < BF16_LIMIT) || acc.unwritten !== 0)
    throw new Error(`calc_diff ${acc.calcDiff}, unwritten ${acc.unwritten}`);
  if (r.untouched && r.untouched.changed !== 0)
    throw new Error(`${r.untouched.changed} of ${r.untouched.words} words that must stay untouched were written`);
  if (r.deviceFlags) throw new Error(`the kernel raised device flags ${r.deviceFlags} on valid input`);
  if (r.case.kind === 'bf16-kgrouped') {
    // Every empty group's plane was compared with C_g word for word (and none differed, above).
    const empty = (r.draw.groupK ?? []).filter((k) => k === 0).length;
    const want = empty * r.case.m * r.case.n;
    if (!r.untouched || r.untouched.words !== want)
      throw new Error(
        `the empty groups' D planes were not checked against C: ${r.untouched?.words ?? 0} words, want ${want}`,
      );
  }
  const c = r.config!;
  return `${r.untouched ? `${r.untouched.words} untouched words ok, ` : ''}calc_diff ${acc.calcDiff.toExponential(2)}, ${c.blockM}x${c.blockN} st${c.numStages} cluster ${c.clusterM}x${c.clusterN}`;
}

async function rejections(env: Awaited<ReturnType<typeof probeEnvironment>>): Promise<void> {
  await check('bf16: K not a multiple of 8 -> E_SHAPE_ALIGNMENT', () =>
    expectCode(() => prepareCase(bf16(128, 256, 100), 0, settings, env), 'E_SHAPE_ALIGNMENT'),
  );
  await check('bf16: N not a multiple of 8 (bf16 rows) -> E_SHAPE_ALIGNMENT', () =>
    expectCode(() => prepareCase(bf16(128, 252, 64), 0, settings, env), 'E_SHAPE_ALIGNMENT'),
  );
  await check('bf16 fp32 output: N = 252 (a multiple of 4) is accepted', () => {
    prepareCase(bf16(128, 252, 64, { output: 'fp32' }), 0, settings, env);
    return 'ok';
  });
  await check('bf16-contiguous: K not a multiple of 8 -> E_SHAPE_ALIGNMENT', () =>
    expectCode(
      () => prepareCase({ kind: 'bf16-contiguous', numGroups: 2, m: 256, n: 4096, k: 1004 }, 0, settings, env),
      'E_SHAPE_ALIGNMENT',
    ),
  );
  await check('bf16-masked: an fp32 output -> E_INVALID_SHAPE (the M-grouped kinds write bf16)', () =>
    expectCode(
      () =>
        prepareCase(
          { kind: 'bf16-masked', numGroups: 2, m: 256, n: 4096, k: 1024, expectedM: 100, output: 'fp32' },
          0,
          settings,
          env,
        ),
      'E_INVALID_SHAPE',
    ),
  );
  await check('bf16-masked: masked_m[g] > Mmax -> E_BAD_ARGUMENT', () =>
    expectCode(
      () =>
        prepareCase(
          { kind: 'bf16-masked', numGroups: 2, m: 256, n: 4096, k: 1024, expectedM: 100, layout: [10, 257] },
          0,
          settings,
          env,
        ),
      'E_BAD_ARGUMENT',
    ),
  );
  await check('bf16: two groups -> E_INVALID_SHAPE', () =>
    expectCode(() => prepareCase(bf16(128, 256, 64, { numGroups: 2 }), 0, settings, env), 'E_INVALID_SHAPE'),
  );
  await check('output on an FP8 kind -> E_INVALID_SHAPE', () =>
    expectCode(
      () => prepareCase({ kind: 'wgrad', numGroups: 1, m: 128, n: 256, k: 256, output: 'fp32' }, 0, settings, env),
      'E_INVALID_SHAPE',
    ),
  );
  await check(
    'bf16-kgrouped: K_g = 96 (not a multiple of the 64-deep K-block) -> E_SHAPE_ALIGNMENT before launch',
    async () => {
      const msg = await expectCode(
        () => prepareCase(kgrouped(256, 1000, [64, 96, 128]), 0, settings, env),
        'E_SHAPE_ALIGNMENT',
      );
      if (!/K of group 1 is 96; every K_g must be a multiple of 64/.test(msg))
        throw new Error(`message does not say what works: ${msg}`);
      return msg;
    },
  );
  await check('bf16-kgrouped: N not a multiple of 4 (fp32 rows) -> E_SHAPE_ALIGNMENT', () =>
    expectCode(() => prepareCase(kgrouped(256, 1002, [64, 128]), 0, settings, env), 'E_SHAPE_ALIGNMENT'),
  );
  await check('bf16-kgrouped: every group empty -> E_INVALID_SHAPE', () =>
    expectCode(() => prepareCase(kgrouped(256, 1000, [0, 0]), 0, settings, env), 'E_INVALID_SHAPE'),
  );
  await check('bf16-kgrouped: an output choice -> E_INVALID_SHAPE (D is fp32 = C + A·Bᵀ)', () =>
    expectCode(() => prepareCase(kgrouped(256, 1000, [64], { output: 'fp32' }), 0, settings, env), 'E_INVALID_SHAPE'),
  );
  const pair = completeConfigBf16({ blockM: 128, blockN: 128, clusterM: 2, numSms: 132 }, 'fp32-accumulate');
  await check('bf16-kgrouped: a forced cluster pair -> E_INVALID_CONFIG [kgrouped-cluster]', async () => {
    const msg = await expectCode(
      () => prepareCase(kgrouped(256, 1000, [64], { config: pair }), 0, settings, env),
      'E_INVALID_CONFIG',
    );
    if (!/kgrouped-cluster/.test(msg)) throw new Error(`message does not name the rule: ${msg}`);
    return msg;
  });
  const tooWide = completeConfigBf16({ blockM: 256, blockN: 256, numSms: 132, numStages: 2 });
  await check('bf16: forced 256x256 (256 accumulator registers) -> E_INVALID_CONFIG [registers]', async () => {
    const msg = await expectCode(
      () => prepareCase(bf16(4096, 4096, 4096, { config: tooWide }), 0, settings, env),
      'E_INVALID_CONFIG',
    );
    if (!/registers/.test(msg)) throw new Error(`message does not name the rule: ${msg}`);
    return msg;
  });
  const fp8Config = { ...completeConfigBf16({ blockM: 128, blockN: 128, numSms: 132 }), blockK: 128 };
  await check('bf16: forced blockK 128 (an FP8 config) -> E_INVALID_CONFIG [block-k]', () =>
    expectCode(() => prepareCase(bf16(256, 256, 256, { config: fp8Config }), 0, settings, env), 'E_INVALID_CONFIG'),
  );
  const splitMasked = completeConfigBf16({ blockM: 64, blockN: 128, numSms: 132, splitK: 2 });
  await check('bf16-masked: forced split-K -> E_INVALID_CONFIG [split-k] (kind bf16 only)', async () => {
    const masked = { kind: 'bf16-masked' as const, numGroups: 2, m: 256, n: 4096, k: 1024, expectedM: 100 };
    const msg = await expectCode(
      () => prepareCase({ ...masked, config: splitMasked }, 0, settings, env),
      'E_INVALID_CONFIG',
    );
    if (!/split-k/.test(msg)) throw new Error(`message does not name the rule: ${msg}`);
    return msg;
  });
}

const RAGGED: Array<[number, number, number]> = [
  [1, 576, 7168],
  [7, 2112, 7168],
  [100, 24, 72],
  [1000, 200, 200],
  [129, 1000, 1000],
  [4096, 576, 8],
  [64, 7168, 7176],
  [4000, 4000, 4000],
  [300, 3000, 2056],
  [1, 8, 8],
  [257, 136, 520],
  [2048, 24576, 1536],
];

function forcedCases(sms: number): GroupedCase[] {
  const tiles: Array<[number, number, number, number]> = [
    [64, 16, 1, 1],
    [64, 112, 1, 1],
    [64, 256, 1, 1],
    [128, 64, 1, 1],
    [128, 144, 1, 1],
    [128, 256, 1, 1],
    [256, 64, 1, 1],
    [256, 128, 1, 1],
    [256, 128, 2, 1],
    [128, 256, 1, 2],
    [128, 128, 2, 1],
    [64, 128, 1, 2],
  ];
  const shapes: Array<[number, number, number]> = [
    [1000, 1000, 1000],
    [513, 4104, 2056],
  ];
  const out: GroupedCase[] = [];
  for (const [blockM, blockN, clusterM, clusterN] of tiles) {
    const config = completeConfigBf16({ blockM, blockN, clusterM, clusterN, numSms: sms });
    for (const [m, n, k] of shapes) out.push(bf16(m, n, k, { config }));
  }
  return [...out, ...splitKCases(sms)];
}

/**
 * Split-K forced on kind 'bf16'. K-blocks (64 deep) per tile: 112 (even shares), 17 (shares of 8/9
 * and 4/4/4/5), 1 and 2 and 3 (fewer than the ranks: some shares are empty), 33 and 16. Tiles per
 * cluster: 64x2112 at 64x64 is 33 tiles (one per cluster at split 4 on 132 SMs), 100x1000 fewer than
 * the clusters, 1000x1000 and 513x4104 several per cluster (the exchange barriers change phase).
 */
function splitKCases(sms: number): GroupedCase[] {
  // The grid is whole clusters of splitK CTAs (sms is already even).
  const sk = (blockM: number, blockN: number, splitK: number, output: Bf16Output = 'bf16') =>
    completeConfigBf16({ blockM, blockN, splitK, numSms: Math.floor(sms / splitK) * splitK }, output);
  const shapes: Array<[number, number, number]> = [
    [64, 2112, 7168],
    [100, 1000, 1032],
    [1, 8, 8],
    [129, 200, 72],
    [300, 3000, 136],
    [1000, 1000, 2056],
    [513, 4104, 1000],
  ];
  const out: GroupedCase[] = [];
  for (const config of [sk(64, 64, 2), sk(64, 64, 4), sk(64, 128, 4), sk(128, 128, 2)])
    for (const [m, n, k] of shapes) out.push(bf16(m, n, k, { config }));
  // fp32 D and fp32 accumulation into C: an uneven split, empty shares, several tiles per cluster.
  for (const output of ['fp32', 'fp32-accumulate'] as Bf16Output[])
    for (const config of [sk(64, 64, 4, output), sk(64, 128, 4, output), sk(128, 128, 2, output)])
      for (const [m, n, k] of [shapes[1], shapes[3], shapes[5]]) out.push(bf16(m, n, k, { output, config }));
  // The split-K config the planner would offer once these pass (few tiles, long K: 64x32 split 2).
  out.push(bf16(64, 2112, 16384, { config: sk(64, 32, 2) }));
  return out;
}

function outputCases(sms: number): GroupedCase[] {
  const out: GroupedCase[] = [];
  for (const output of ['fp32', 'fp32-accumulate'] as Bf16Output[]) {
    for (const [m, n, k] of [
      [4096, 7168, 2048],
      [100, 252, 200],
      [64, 2112, 7168],
      [1000, 1004, 1000],
    ])
      out.push(bf16(m, n, k, { output }));
    out.push(
      bf16(1000, 1000, 1000, {
        output,
        config: completeConfigBf16({ blockM: 128, blockN: 128, clusterM: 2, numSms: sms }, output),
      }),
    );
  }
  return out;
}

/** The M-grouped BF16 cases: the standard list of the kind plus its edge cases. */
function groupedCases(kind: 'bf16-contiguous' | 'bf16-masked'): GroupedCase[] {
  const edges: GroupedCase[] =
    kind === 'bf16-contiguous'
      ? [
          { kind, numGroups: 4, m: 1024, n: 4096, k: 2048, emptyGroup: 1 },
          { kind, numGroups: 4, m: 1024, n: 4096, k: 2048, emptyGroup: 2, psum: true },
          { kind, numGroups: 3, m: 300, n: 1000, k: 1000 },
        ]
      : [
          { kind, numGroups: 6, m: 1024, n: 4096, k: 2048, expectedM: 200, emptyGroup: 0 },
          { kind, numGroups: 4, m: 256, n: 1000, k: 1000, expectedM: 100 },
        ];
  return [...standardCases(kind), ...edges];
}

/**
 * The K-grouped cases: the standard list, the drawn edge case (an empty group), caller-given K_g lists
 * (K_g = 64, odd K-block counts, empty groups first / inside / last, one group, ragged M and N), and
 * every tile family forced on a ragged list.
 */
function kgroupedCases(sms: number): GroupedCase[] {
  const lists: GroupedCase[] = [
    { kind: 'bf16-kgrouped', numGroups: 4, m: 4096, n: 2048, k: 2048, emptyGroup: 2 },
    kgrouped(300, 1000, [64, 0, 128, 64]),
    kgrouped(1, 8, [0, 192, 64]),
    kgrouped(129, 1004, [64]),
    kgrouped(1000, 4096, [4096, 0, 0, 2112]),
    kgrouped(4096, 7168, [2048, 1856, 0, 2240]),
    kgrouped(777, 2052, [128, 256, 0]),
  ];
  const forced: GroupedCase[] = (
    [
      [64, 128],
      [64, 256],
      [128, 128],
      [128, 192],
      [256, 64],
      [256, 128],
    ] as const
  ).map(([blockM, blockN]) =>
    kgrouped(1000, 1000, [64, 0, 320, 1024], {
      config: completeConfigBf16({ blockM, blockN, numSms: sms }, 'fp32-accumulate'),
    }),
  );
  return [...standardCases('bf16-kgrouped'), ...lists, ...forced];
}

/**
 * Shapes for a schedule's tests: ragged ones; K = 64 (one K-block per tile); 3 tiles in all (fewer
 * than CTAs); 1000³ (tens of tiles) and 4096x7168x512 (many tiles per CTA).
 */
const SCHEDULE_SHAPES: ReadonlyArray<readonly [number, number, number]> = [
  [1000, 1000, 1000],
  [513, 4104, 2056],
  [300, 400, 64],
  [129, 200, 8],
  [4096, 7168, 512],
];

/** The ping-pong schedule on every kind: the two warpgroups' alternate tiles, skips and staging tiles. */
function pingpongCases(sms: number): GroupedCase[] {
  const pp = (
    blockM: number,
    blockN: number,
    output: Bf16Output = 'bf16',
    cluster: { clusterM?: number; clusterN?: number } = {},
  ) => completeConfigBf16({ blockM, blockN, pingpong: 1, numSms: sms, ...cluster }, output);
  const out: GroupedCase[] = [];
  // Normal: ragged shapes; K = 64 (one K-block per tile); 3 tiles in all (fewer than CTAs); 1000³ at
  // 64x256 (16 x 4 = 64 tiles) and 128x128 (8 x 8); 4096x7168x512 (many tiles per CTA).
  const shapes = SCHEDULE_SHAPES;
  // 128x176 and 128x160: two waves past 128 accumulators per thread.
  for (const config of [pp(128, 128), pp(64, 256), pp(64, 16), pp(128, 64), pp(128, 176), pp(128, 160)])
    for (const [m, n, k] of shapes) out.push(bf16(m, n, k, { config }));
  for (const cluster of [{ clusterM: 2 }, { clusterN: 2 }])
    for (const [m, n, k] of [shapes[0], shapes[1], shapes[4]])
      out.push(bf16(m, n, k, { config: pp(128, 128, 'bf16', cluster) }));
  for (const output of ['fp32', 'fp32-accumulate'] as Bf16Output[])
    for (const [m, n, k] of [shapes[0], shapes[3]]) out.push(bf16(m, n, k, { output, config: pp(128, 128, output) }));
  // M-grouped: masked rows and padding rows go through the row-by-row store of one warpgroup.
  for (const kind of ['bf16-contiguous', 'bf16-masked'] as const)
    for (const c of groupedCases(kind).slice(-2))
      for (const config of [pp(128, 128), pp(64, 256)]) out.push({ ...c, config });
  // K-grouped: tiles of different K-block counts (the skipped tile's count moves the ring), empty groups.
  for (const config of [pp(128, 128, 'fp32-accumulate'), pp(64, 256, 'fp32-accumulate')]) {
    out.push(kgrouped(1000, 1000, [64, 0, 320, 1024], { config }));
    out.push(kgrouped(300, 1000, [64, 0, 128, 64], { config }));
    out.push(kgrouped(4096, 7168, [2048, 1856, 0, 2240], { config }));
  }
  return out;
}

/** The D slab ring: each box through a ring of 2 or 3 buffers, stores still reading while the next box is staged. */
function slabCases(sms: number): GroupedCase[] {
  const ring = (
    blockM: number,
    blockN: number,
    dSlabs: number,
    output: Bf16Output = 'bf16',
    extra: { splitK?: number; swizzleD?: number } = {},
  ) => {
    const splitK = extra.splitK ?? 1;
    return completeConfigBf16({ blockM, blockN, dSlabs, numSms: Math.floor(sms / splitK) * splitK, ...extra }, output);
  };
  const shapes = SCHEDULE_SHAPES;
  const out: GroupedCase[] = [];
  // One wave per warpgroup (128x256, 128x192, 64x256) and two (256x128, 64-column boxes at swizzle 64).
  const tiles = [
    ring(128, 256, 2),
    ring(128, 256, 3),
    ring(128, 192, 2),
    ring(64, 256, 2),
    ring(256, 128, 2, 'bf16', { swizzleD: 64 }),
  ];
  for (const config of tiles) for (const [m, n, k] of shapes) out.push(bf16(m, n, k, { config }));
  for (const output of ['fp32', 'fp32-accumulate'] as Bf16Output[])
    for (const config of [ring(128, 128, 2, output), ring(64, 256, 3, output)])
      for (const [m, n, k] of [shapes[0], shapes[1], shapes[3]]) out.push(bf16(m, n, k, { output, config }));
  // Ping-pong: a ring per warpgroup, each its own issuer and barrier; 11 boxes of 16 columns at 128x176.
  const ppRing = (
    blockN: number,
    dSlabs: number,
    output: Bf16Output = 'bf16',
    extra: { swizzleD?: number; clusterM?: number } = {},
  ) => completeConfigBf16({ blockM: 128, blockN, dSlabs, pingpong: 1, numSms: sms, ...extra }, output);
  for (const config of [ppRing(176, 2), ppRing(176, 3), ppRing(160, 2), ppRing(128, 2, 'bf16', { swizzleD: 64 })])
    for (const [m, n, k] of shapes) out.push(bf16(m, n, k, { config }));
  for (const [m, n, k] of [shapes[0], shapes[1], shapes[3]])
    out.push(bf16(m, n, k, { output: 'fp32-accumulate', config: ppRing(128, 2, 'fp32-accumulate') }));
  // Ping-pong rings in 2x1 clusters: B multicast to the pair, stages released by both CTAs' warpgroup.
  for (const [m, n, k] of [shapes[0], shapes[1], shapes[4]])
    out.push(bf16(m, n, k, { config: ppRing(176, 2, 'bf16', { clusterM: 2 }) }));
  // Split-K: rank 0 alone stages and stores the summed tile through the ring.
  for (const [m, n, k] of [shapes[0], shapes[1], [72, 520, 2056] as [number, number, number]]) {
    out.push(bf16(m, n, k, { config: ring(64, 192, 2, 'bf16', { splitK: 2 }) }));
    out.push(bf16(m, n, k, { output: 'fp32-accumulate', config: ring(128, 128, 2, 'fp32-accumulate', { splitK: 2 }) }));
  }
  return out;
}

async function runCases(name: string, cases: GroupedCase[]): Promise<boolean> {
  const run = await benchGrouped(settings, cases.slice(from), options);
  for (const [j, r] of run.results.entries()) {
    await check(`bf16 ${name} ${from + j}: ${caseLabel(r.case)}${r.case.config ? ' (forced)' : ''}`, () => verdict(r));
  }
  if (run.interrupted && run.interrupted.code !== 'E_CANCELLED') {
    if (run.results.length === 0)
      await check(`bf16 ${name} ${from}`, () => {
        throw new Error(run.interrupted!.message);
      });
    console.log(`GPU-RESUME ${from + Math.max(1, run.results.length)}`);
    return false;
  }
  return true;
}

async function main(): Promise<void> {
  const env = await probeEnvironment(settings);
  if (!part || part === 'rejections') await rejections(env);
  if (!env.canRunKernels) {
    skip('BF16 GEMMs on the GPU', `no Hopper GPU here: ${env.summary}`);
    return done();
  }
  // Forced configs use the whole GPU, rounded down to whole clusters of 2.
  const sms = Math.floor((settings.numSms ?? env.devices.find((d) => d.isHopper)?.smCount ?? 132) / 2) * 2;
  const parts: Array<[string, () => GroupedCase[]]> = [
    ['standard', () => standardCases('bf16')],
    ['ragged', () => RAGGED.map(([m, n, k]) => bf16(m, n, k))],
    ['forced', () => forcedCases(sms)],
    ['outputs', () => outputCases(sms)],
    ['contiguous', () => groupedCases('bf16-contiguous')],
    ['masked', () => groupedCases('bf16-masked')],
    ['kgrouped', () => kgroupedCases(sms)],
    ['pingpong', () => pingpongCases(sms)],
    ['slabs', () => slabCases(sms)],
  ];
  for (const [name, cases] of parts) {
    if (part && part !== name) continue;
    if (!(await runCases(name, cases()))) return done();
  }
  done();
}

main().catch((err) => {
  console.log(`FAILED  bf16: ${(err as Error).stack ?? String(err)}`);
  done();
  process.exitCode = 1;
});
