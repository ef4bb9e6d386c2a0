// The grouped bench pipeline (worker/grouped) against the recording fake addon: what it allocates,
// launches and checks per kind — one reference per non-empty group over its valid rows, calc_diff
// over exactly those rows, the poisoned rows counted, masked launched with m = Mmax and masked_m,
// the 1D1D kinds checked with C distinct from D and timed in place — and that a kernel that
// writes rows it must not is reported wrong and not timed. The fake's numbers are inputs, not
// measurements.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { GroupedCase } from '../../../../extension/protocol/grouped';
import { GroupedKernel } from '../../../../extension/src/core/grouped/groupedUtilsSource';
import { DIFF_WORDS, DiffWord } from '../../../../extension/src/core/utilsSource';
import type { AddonModule } from '../../../../extension/src/worker/addon';
import { benchGrouped } from '../../../../extension/src/worker/grouped/groupedService';
import type * as Native from '../../../../native/index';
import { FakeAddon } from '../fakeAddon';
import { environment, testSettings } from '../fakeEnvironment';

/** FakeAddon plus upload, with downloads answered for the grouped helpers: good accuracy words, `changed` poisoned words, 0 flags. */
class GroupedFake extends FakeAddon {
  uploads: ArrayBufferView[] = [];
  specs: Native.GemmLaunchSpec[] = [];
  constructor(readonly changed = 0) {
    super({});
  }
  upload = (_dst: Native.DeviceBuffer, src: ArrayBufferView) => {
    this.uploads.push(src);
  };
  download = (_src: Native.DeviceBuffer, bytes?: number): ArrayBuffer => {
    const buf = new ArrayBuffer(bytes ?? DIFF_WORDS * 8);
    const v = new DataView(buf);
    if (bytes === 8) v.setBigUint64(0, BigInt(this.changed), true);
    if (bytes === DIFF_WORDS * 8) {
      v.setFloat64(DiffWord.sumXY * 8, 1000, true);
      v.setFloat64(DiffWord.sumXXYY * 8, 2000 * (1 + 1e-6), true);
      v.setFloat64(DiffWord.sumYY * 8, 1000, true);
    }
    return buf;
  };
  createGemmLaunch = (spec: Native.GemmLaunchSpec): Native.GemmLaunch => {
    this.specs.push(spec);
    const h = {
      spec,
      run: () => {
        this.runs.ours++;
      },
      dispose: () => {},
    };
    return h as unknown as Native.GemmLaunch;
  };
  named(name: string) {
    return this.launches.filter((l) => l.name === name);
  }
}

const run = (fake: GroupedFake, cases: GroupedCase[], timing = true) =>
  benchGrouped(
    testSettings('/tmp/fp8lab-grouped-test'),
    cases,
    { timing, rounds: 3, seed: 1 },
    {},
    { addon: () => fake as unknown as AddonModule, probe: async () => environment(true) },
  );

test('contiguous: a reference per non-empty expert, calc_diff over valid rows, padding rows counted, then timed', async () => {
  const fake = new GroupedFake();
  const c: GroupedCase = { kind: 'contiguous', numGroups: 4, m: 300, n: 512, k: 256, emptyGroup: 1 };
  const out = await run(fake, [c]);
  const r = out.results[0];
  assert.equal(r.error, undefined, JSON.stringify(r.error));
  const rows = r.draw.groupRows!;
  assert.equal(rows[1], 0);
  const refs = fake.named(GroupedKernel.reference);
  assert.equal(refs.length, 3, 'no reference launch for the empty expert');
  const valid = rows.filter((x) => x > 0).map((x) => x * 512);
  const diffs = fake.named(GroupedKernel.calcDiffBf16).map((l) => Number((l.args[2] as { u64: bigint }).u64));
  assert.deepEqual(diffs.sort(), valid.sort());
  const padded = r.draw.totalRows! - rows.reduce((a, b) => a + b, 0);
  assert.equal(r.untouched?.words, (padded * 512 * 2) / 4);
  assert.equal(r.untouched?.changed, 0);
  const spec = fake.specs[0];
  assert.equal(spec.kind, 'contiguous');
  assert.equal(spec.m, r.draw.totalRows);
  assert.ok(spec.groupedLayout && spec.flags);
  const layout = fake.uploads[0] as Int32Array;
  assert.equal(layout.length, r.draw.totalRows);
  assert.ok(r.timing && r.timing.flopsOver === 'padded');
  assert.equal(r.timing.flops, 2 * r.draw.totalRows! * 512 * 256);
  // Every round's time, in the order the rounds ran (as the peers keep theirs): the clock can change mid-run.
  assert.equal(r.timing.roundsUs?.length, 3);
  assert.equal(r.timing.medianUs, [...r.timing.roundsUs!].sort((a, b) => a - b)[1]);
  assert.ok(r.accuracy?.passed);
});

test('masked: launched with m = Mmax and masked_m; rows past masked_m counted; the psum layout passes psum', async () => {
  const fake = new GroupedFake();
  const c: GroupedCase = { kind: 'masked', numGroups: 3, m: 512, n: 256, k: 256, expectedM: 100, emptyGroup: 2 };
  const r = (await run(fake, [c], false)).results[0];
  assert.equal(r.error, undefined, JSON.stringify(r.error));
  const spec = fake.specs[0];
  assert.deepEqual([spec.kind, spec.m, spec.numGroups], ['masked', 512, 3]);
  assert.deepEqual(Array.from(fake.uploads[0] as Int32Array), r.draw.maskedM);
  const untouchedRows = r.draw.maskedM!.reduce((a, mm) => a + 512 - mm, 0);
  assert.equal(r.untouched?.words, (untouchedRows * 256 * 2) / 4);
  assert.equal(r.timing, undefined);

  const psumFake = new GroupedFake();
  const p = (await run(psumFake, [{ kind: 'contiguous', numGroups: 2, m: 200, n: 256, k: 256, psum: true }], false))
    .results[0];
  assert.equal(p.error, undefined);
  assert.equal(psumFake.specs[0].psumLayout, true);
  assert.equal((psumFake.uploads[0] as Int32Array).length, 2);
});

test('wgrad / kgrouped: checked with C distinct from D, timed in place (D aliases C); empty group referenced as C', async () => {
  const fake = new GroupedFake();
  const r = (await run(fake, [{ kind: 'kgrouped', numGroups: 3, m: 256, n: 512, k: 512, emptyGroup: 0 }])).results[0];
  assert.equal(r.error, undefined, JSON.stringify(r.error));
  const check = fake.specs[0];
  assert.notEqual(check.c, check.d);
  const timed = fake.specs.at(-1)!;
  assert.equal(timed.c, timed.d);
  const refs = fake.named(GroupedKernel.reference);
  assert.equal(refs.length, 3);
  assert.equal((refs[0].args[14] as { u32: number }).u32, 0, 'the empty group is referenced with K = 0 (ref = C)');
  assert.equal(fake.named(GroupedKernel.calcDiffF32).length, 1);
  assert.equal(r.untouched, undefined);
  assert.equal(
    check.k,
    r.draw.groupK!.reduce((a, b) => a + b, 0),
  );
});

test('a kernel that writes poisoned rows is reported wrong and not timed', async () => {
  const fake = new GroupedFake(7);
  const r = (await run(fake, [{ kind: 'masked', numGroups: 2, m: 256, n: 256, k: 256, expectedM: 50 }])).results[0];
  assert.equal(r.error?.code, 'E_WRONG_RESULT');
  assert.match(r.error!.message, /7 of \d+ words of rows the kernel must not write \(rows ≥ masked_m\)/);
  assert.equal(r.timing, undefined);
  assert.equal(fake.timeCalls.length, 0);
});

test('bad layouts fail alone with their codes; the next case still runs', async () => {
  const fake = new GroupedFake();
  const out = await run(
    fake,
    [
      { kind: 'masked', numGroups: 2, m: 256, n: 256, k: 256, expectedM: 50, layout: [10, 300] },
      { kind: 'kgrouped', numGroups: 2, m: 256, n: 256, k: 256, layout: [128, 64] },
      { kind: 'wgrad', numGroups: 1, m: 256, n: 256, k: 256 },
    ],
    false,
  );
  assert.deepEqual(
    out.results.map((r) => r.error?.code),
    ['E_BAD_ARGUMENT', 'E_SHAPE_ALIGNMENT', undefined],
  );
  assert.equal(fake.specs.length, 1);
});

test('a forced config with more SMs than the GPU fails its case E_INVALID_CONFIG before any compile; the next case runs', async () => {
  const fake = new GroupedFake();
  const base = {
    blockM: 128,
    blockN: 128,
    blockK: 128,
    numStages: 4,
    numMathWarpgroups: 2,
    clusterM: 1,
    clusterN: 1,
    swizzleA: 128,
    swizzleB: 128,
    swizzleD: 128,
    sharedBytes: 0,
    numThreads: 384,
  };
  const out = await run(
    fake,
    [
      { kind: 'masked', numGroups: 2, m: 256, n: 256, k: 256, expectedM: 50, config: { ...base, numSms: 4096 } },
      { kind: 'wgrad', numGroups: 1, m: 256, n: 256, k: 256 },
    ],
    false,
  );
  assert.equal(out.results[0].error?.code, 'E_INVALID_CONFIG');
  assert.match(
    out.results[0].error?.message ?? '',
    /\[num-sms-device\] numSms 4096 exceeds the \d+ SMs of .*use at most \d+/,
  );
  assert.equal(out.results[1].error, undefined);
  assert.equal(fake.specs.length, 1, 'only the sound case was launched');
});

test('the DeepGEMM problem of each kind: grouped kinds carry the drawn sizes; wgrad is its 1D1D GEMM, not a one-group K-grouped one', async () => {
  const { peerProblem } = await import('../../../../extension/src/worker/grouped/caseBench');
  assert.deepEqual(peerProblem({ kind: 'wgrad', numGroups: 1, m: 4096, n: 7168, k: 2048 }, { seed: 0 }), {
    kind: 'wgrad',
    m: 4096,
    n: 7168,
    k: 2048,
  });
  assert.deepEqual(
    peerProblem({ kind: 'kgrouped', numGroups: 2, m: 256, n: 512, k: 1024 }, { seed: 0, groupK: [384, 640] }),
    { kind: 'kgrouped', m: 256, n: 512, k: 1024, groupK: [384, 640] },
  );
  assert.deepEqual(
    peerProblem(
      { kind: 'contiguous', numGroups: 2, m: 256, n: 512, k: 1024 },
      { seed: 0, totalRows: 384, groupRows: [100, 200] },
    ),
    { kind: 'contiguous', m: 384, n: 512, k: 1024, groupRows: [100, 200] },
  );
  assert.match(
    String(peerProblem({ kind: 'kgrouped', numGroups: 2, m: 256, n: 512, k: 1024, layout: [512, 512] }, { seed: 0 })),
    /caller-given/,
  );
});

test('bf16-kgrouped: a BF16 reference per group over its K columns (ld = ΣK_g, K_g = 0 referenced as C), fp32 D launched with the K_g list, C distinct then in place, the empty plane compared with C', async () => {
  const fake = new GroupedFake();
  const c: GroupedCase = { kind: 'bf16-kgrouped', numGroups: 3, m: 256, n: 512, k: 64, layout: [64, 0, 192] };
  const r = (await run(fake, [c])).results[0];
  assert.equal(r.error, undefined, JSON.stringify(r.error));
  assert.deepEqual(r.draw.groupK, [64, 0, 192]);
  assert.deepEqual(Array.from(fake.uploads[0] as Int32Array), [64, 0, 192]);
  const refs = fake.named(GroupedKernel.referenceBf16);
  assert.equal(refs.length, 3, 'one reference per group, the empty one too (its plane is C)');
  const arg = (l: (typeof refs)[number], i: number) => l.args[i] as { ptr?: bigint; u32?: number; u64?: bigint };
  assert.deepEqual(
    refs.map((l) => [arg(l, 4).u32, arg(l, 5).u32, arg(l, 6).u32, Number(arg(l, 7).u64)]),
    [
      [256, 512, 64, 256],
      [256, 512, 0, 256],
      [256, 512, 192, 256],
    ],
    'M, N, K_g and the row stride ΣK_g',
  );
  // Group g's A and B start at its K offset (bf16: 2 bytes), its C and reference at its plane.
  assert.deepEqual(
    refs.map((l) => [arg(l, 0).ptr! - arg(refs[0], 0).ptr!, arg(l, 1).ptr! - arg(refs[0], 1).ptr!]),
    [
      [0n, 0n],
      [128n, 128n],
      [128n, 128n],
    ],
  );
  assert.deepEqual(
    refs.map((l) => arg(l, 3).ptr! - arg(refs[0], 3).ptr!),
    [0n, BigInt(256 * 512 * 4), BigInt(2 * 256 * 512 * 4)],
  );
  const diffs = fake.named(GroupedKernel.calcDiffF32).map((l) => Number((l.args[2] as { u64: bigint }).u64));
  assert.deepEqual(diffs, [3 * 256 * 512], 'calc_diff over every plane');
  const same = fake.named(GroupedKernel.countDiffering);
  assert.equal(same.length, 1, 'the empty group plane compared word for word with C');
  assert.equal(Number((same[0].args[2] as { u64: bigint }).u64), 256 * 512);
  assert.deepEqual(r.untouched, { words: 256 * 512, changed: 0 });
  const check = fake.specs[0];
  assert.deepEqual(
    [check.kind, check.m, check.n, check.k, check.numGroups, check.dType],
    ['bf16-kgrouped', 256, 512, 256, 3, 'fp32'],
  );
  assert.ok(check.groupedLayout && check.c && check.c !== check.d);
  assert.equal(check.flags, undefined, 'no device flags: the K-grouped kernel raises none');
  assert.equal(check.sfa, undefined);
  const timed = fake.specs.at(-1)!;
  assert.equal(timed.c, timed.d, 'timed in place');
  assert.equal(r.timing?.flops, 2 * 256 * 512 * 256);
  assert.match(r.kernelName!, /^fp8lab_sm90_bf16_gemm_kgrouped_oacc_/);
});

test('bf16-kgrouped: an empty group whose D plane is no longer C is reported wrong and not timed', async () => {
  const fake = new GroupedFake(3);
  const c: GroupedCase = { kind: 'bf16-kgrouped', numGroups: 2, m: 128, n: 256, k: 64, layout: [0, 128] };
  const r = (await run(fake, [c])).results[0];
  assert.equal(r.error?.code, 'E_WRONG_RESULT');
  assert.match(r.error!.message, /3 of 32768 words of the empty groups' D planes differ from C/);
  assert.equal(r.timing, undefined);
  assert.equal(fake.timeCalls.length, 0);
});
