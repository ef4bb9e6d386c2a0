// GPU correctness in the spirit of DeepGEMM's test generators: every shape of the generator
// (M ∈ {1, 7, 64, 128, 1000, 4096} x the DeepSeek (N, K) pairs + (576, 7168)) with the config the
// heuristic picks, then a sweep of forced configs (tiles, clusters) on odd shapes, then the input
// distributions. Each: output poisoned with NaN first, every element written, calc_diff < 1e-3
// against the FP32 reference of the dequantised inputs.
import type { BenchOptions, GemmProblem, ShapeResult } from '../../extension/protocol/worker';
import { gpuTestShapes } from '../../extension/src/core/deepseekShapes';
import { probeEnvironment } from '../../extension/src/worker/environment';
import type { ConfigOverrides } from '../../extension/src/worker/bench/policy';
import * as service from '../../extension/src/worker/service';
import { check, done, fail, gpuSettings, pass, skip } from './harness';

const settings = gpuSettings();
const checkOnly = (seed: number, extra: Partial<BenchOptions> = {}): BenchOptions => ({
  timing: false,
  peer: false,
  rounds: 1,
  seed,
  ...extra,
});
const label = (p: GemmProblem) => `${p.m}x${p.n}x${p.k}`;

function judge(name: string, r: ShapeResult): void {
  if (r.error) return fail(name, `[${r.error.code}] ${r.error.message}`);
  const a = r.accuracy;
  if (!a) return fail(name, 'no accuracy was measured');
  const detail =
    `calc_diff ${a.calcDiff.toExponential(2)}, max abs ${a.maxAbsError.toExponential(2)}, max rel ${a.maxRelError.toExponential(2)}, ` +
    `unwritten ${a.unwritten}, ${r.config.blockM}x${r.config.blockN} s${r.config.numStages} c${r.config.clusterM}x${r.config.clusterN}`;
  if (a.unwritten !== 0) return fail(name, `${a.unwritten} output elements never written; ${detail}`);
  if (!(a.calcDiff < 1e-3)) return fail(name, detail);
  pass(name, detail);
}

/** A run stopped by a lost context: the runner restarts this part in a fresh process after the shape that broke it. */
function resumeAfter(index: number): void {
  console.log(`GPU-RESUME ${index}`);
}

const part = process.argv.find((a) => a.startsWith('--part='))?.slice('--part='.length) ?? 'generator';
const from = Number(process.argv.find((a) => a.startsWith('--from='))?.slice('--from='.length) ?? 0);

/** Runs `problems[from..]` check-only; judges each result; asks for a restart when the context was lost. */
async function checkAll(
  title: (r: ShapeResult) => string,
  problems: GemmProblem[],
  options: BenchOptions,
): Promise<void> {
  const run = await service.bench(settings, problems.slice(from), options, {
    log: (level, text) => {
      if (level !== 'info') console.log(`${level}: ${text}`);
    },
  });
  run.results.forEach((r) => judge(title(r), r));
  if (run.interrupted) {
    if (run.interrupted.code === 'E_KERNEL_FAULT' || run.interrupted.code === 'E_TIMEOUT') {
      const next = from + run.results.length;
      if (next < problems.length) resumeAfter(next);
    } else {
      fail(`${part} run`, `interrupted: [${run.interrupted.code}] ${run.interrupted.message}`);
    }
  }
}

async function main(): Promise<void> {
  const env = await probeEnvironment(settings);
  if (!env.canRunKernels) {
    skip(`GPU correctness (${part})`, `no Hopper GPU and toolkit here: ${env.summary}`);
    return done();
  }
  switch (part) {
    case 'generator':
      // The generator's shapes with the heuristic's configs (one bench call: compiles overlap the GPU work).
      await checkAll((r) => `generator ${label(r.problem)}`, gpuTestShapes(), checkOnly(7));
      break;
    case 'sweep': {
      // Forced configs on shapes with partial tiles (odd M, N = 576 / 2112): tile sizes, both
      // multicast directions. Configs the rules reject are reported as skipped, with the rule.
      const sweepShapes: GemmProblem[] = [
        { kind: 'normal', m: 1000, n: 2112, k: 7168 },
        { kind: 'normal', m: 4096, n: 576, k: 7168 },
      ];
      const sweep = [
        { blockM: 64, blockN: 16 },
        { blockM: 64, blockN: 112 },
        { blockM: 64, blockN: 160 },
        { blockM: 128, blockN: 112 },
        { blockM: 128, blockN: 160 },
        { blockM: 128, blockN: 192 },
        { blockM: 256, blockN: 128, clusterM: 2 },
        { blockM: 128, blockN: 128, clusterN: 2 },
        { blockM: 128, blockN: 128, clusterM: 2 },
      ];
      // Split-K with fewer K-blocks than ranks: some ranks own no K-block and must not wait for a stage.
      const emptyShares: Array<[GemmProblem, ConfigOverrides]> = [
        [
          { kind: 'normal', m: 64, n: 576, k: 256 },
          { blockM: 64, blockN: 32, splitK: 4 },
        ],
        [
          { kind: 'normal', m: 128, n: 2112, k: 128 },
          { blockM: 64, blockN: 32, splitK: 2 },
        ],
      ];
      // Overlap across tiles with few K-blocks per tile (several tiles per CTA): K = 128 issues one
      // K-block of the next tile ahead; K = 256, 384, 640 issue two and end the tile on each tail of the loop.
      const shortK: Array<[GemmProblem, ConfigOverrides]> = [128, 256, 384, 640].map((k) => [
        { kind: 'normal', m: 1000, n: 4096, k },
        { blockM: 128, blockN: 128 },
      ]);
      const forced: GemmProblem[] = [];
      const pairs = [
        ...sweepShapes.flatMap((q) => sweep.map((o): [GemmProblem, ConfigOverrides] => [q, o])),
        ...emptyShares,
        ...shortK,
      ];
      for (const [p, o] of pairs) {
        try {
          forced.push(...(await service.completeConfigs(settings, [p], o)));
        } catch (err) {
          const e = err as { code?: string; message?: string };
          if (from === 0) skip(`forced ${label(p)} ${JSON.stringify(o)}`, `${e.code}: ${e.message}`);
        }
      }
      await checkAll(
        (r) =>
          `forced ${label(r.problem)} ${r.config.blockM}x${r.config.blockN} s${r.config.numStages} c${r.config.clusterM}x${r.config.clusterN}` +
          `${(r.config.splitK ?? 1) > 1 ? ` split-K ${r.config.splitK}` : ''}`,
        forced,
        checkOnly(11),
      );
      break;
    }
    case 'distributions': {
      // Heavy-tailed outlier rows/columns, and values under the amax clamp (near e4m3's underflow).
      const shapes: GemmProblem[] = [
        { kind: 'normal', m: 128, n: 2112, k: 7168 },
        { kind: 'normal', m: 1000, n: 576, k: 7168 },
        { kind: 'normal', m: 4096, n: 7168, k: 2048 },
      ];
      const both = [...shapes, ...shapes];
      const dist = (i: number) => (i < shapes.length ? 'outliers' : 'tiny');
      // One bench per distribution; `from` counts over both lists.
      for (const [d, list, offset] of [
        ['outliers', shapes, 0],
        ['tiny', shapes, shapes.length],
      ] as const) {
        if (from >= offset + list.length) continue;
        const start = Math.max(0, from - offset);
        const run = await service.bench(settings, list.slice(start), checkOnly(13, { distribution: d }));
        run.results.forEach((r) => judge(`${d} ${label(r.problem)}`, r));
        if (run.interrupted) {
          const next = offset + start + run.results.length;
          if (
            (run.interrupted.code === 'E_KERNEL_FAULT' || run.interrupted.code === 'E_TIMEOUT') &&
            next < both.length
          ) {
            resumeAfter(next);
            return done();
          }
          fail(`distributions (${dist(next)})`, `interrupted: [${run.interrupted.code}] ${run.interrupted.message}`);
        }
      }
      break;
    }
    case 'peer': {
      // cuBLASLt on the same inputs must agree with the reference too (else its times mean nothing).
      if (!env.cublasLt.available) {
        skip('cuBLASLt agreement', env.cublasLt.problem ?? 'cuBLASLt not available');
        break;
      }
      const r = await service.bench(
        settings,
        [
          { kind: 'normal', m: 128, n: 2112, k: 7168 },
          { kind: 'normal', m: 4096, n: 7168, k: 2048 },
        ],
        checkOnly(17, { peer: true }),
      );
      for (const x of r.results) {
        await check(`cuBLASLt agrees with the reference at ${label(x.problem)}`, () => {
          if (x.error) throw new Error(`[${x.error.code}] ${x.error.message}`);
          const cublas = x.peers?.find((p) => p.id === 'cublaslt');
          if (!cublas) throw new Error('the run has no cuBLASLt entry');
          if (cublas.skipped) throw new Error(cublas.skipped);
          const a = cublas.accuracy;
          if (!a) throw new Error('the peer was not checked');
          if (!a.passed) throw new Error(`calc_diff ${a.calcDiff}, unwritten ${a.unwritten}`);
          return `calc_diff ${a.calcDiff.toExponential(2)}, unwritten ${a.unwritten}, ${cublas.config ?? ''}`;
        });
      }
      break;
    }
    default:
      fail('correctness', `unknown --part=${part}; use generator, sweep, distributions or peer`);
  }
  done();
}

main().catch((err) => {
  fail('GPU correctness', err?.stack ?? String(err));
  done();
});
