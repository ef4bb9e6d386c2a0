// "Run FP8 GEMM benchmark" end to end minus the UI: the extension's own RuntimeClient forks the real
// worker, which runs the deepseek shapes on the GPU with progress notifications, exactly as the
// command does; the results panel's rows (core/runRows, what the webview shows) must carry the
// worker's numbers unchanged. A second job is cancelled after its first measured shape and must
// keep what it measured. The BenchRun is written to FP8LAB_WORKER_BENCH_JSON when set.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JobProgress, ShapeResult } from '../../extension/protocol/worker';
import { deepseekShapes } from '../../extension/src/core/deepseekShapes';
import { runRows } from '../../extension/src/core/runRows';
import { createRuntimeClient } from '../../extension/src/runtime/client';
import { probeEnvironment } from '../../extension/src/worker/environment';
import { check, done, fail, gpuSettings, root, skip } from './harness';

const settings = gpuSettings();

async function main(): Promise<void> {
  const env = await probeEnvironment(settings);
  if (!env.canRunKernels) {
    skip('benchmark through the worker', `no Hopper GPU here: ${env.summary}`);
    return done();
  }
  const client = createRuntimeClient({
    workerPath: join(root, 'extension', 'dist', 'worker.js'),
    execPath: process.execPath,
    env: process.env,
    requestTimeoutMs: () => 300_000,
    log: () => {},
  });
  try {
    const progress: JobProgress[] = [];
    const measured: ShapeResult[] = [];
    const subs = [
      client.onNotification('job/didProgress', (p) => progress.push(p)),
      client.onNotification('job/didMeasure', (m) => measured.push(m.result)),
    ];
    const problems = deepseekShapes();
    const run = await client.request('gemm/bench', {
      settings,
      jobId: 'deepseek',
      problems,
      options: { timing: true, peer: true, rounds: 10, seed: 0 },
    });
    for (const s of subs) s.dispose();
    if (process.env.FP8LAB_WORKER_BENCH_JSON)
      writeFileSync(process.env.FP8LAB_WORKER_BENCH_JSON, JSON.stringify(run, null, 1) + '\n');

    await check('every deepseek shape measured through the worker, correct and timed', () => {
      const bad = run.results.filter((r) => r.error || !r.accuracy?.passed || !r.timing);
      if (run.results.length !== problems.length || bad.length) {
        throw new Error(
          `${run.results.length}/${problems.length} results; bad: ${bad.map((r) => `${r.problem.m}x${r.problem.n}x${r.problem.k} ${r.error?.code ?? 'inaccurate/untimed'}`).join(', ')}`,
        );
      }
      return `${run.results.length} shapes on ${run.device?.name}`;
    });
    await check('registers: cuFuncGetAttribute on the loaded kernel agrees with ptxas for every shape', () => {
      for (const r of run.results) {
        const d = r.registers?.driver;
        if (!d) throw new Error(`${r.problem.m}x${r.problem.n}x${r.problem.k}: no driver figures`);
        if (d.numRegs !== r.registers!.registers)
          throw new Error(
            `${r.problem.m}x${r.problem.n}x${r.problem.k}: driver ${d.numRegs} vs ptxas ${r.registers!.registers}`,
          );
        if (d.localSizeBytes !== 0)
          throw new Error(`${r.problem.m}x${r.problem.n}x${r.problem.k}: ${d.localSizeBytes} B of local memory`);
      }
      return `${run.results.length} kernels agree`;
    });
    await check('progress went through compiling, checking and timing for every shape', () => {
      for (let i = 0; i < problems.length; i++) {
        const phases = new Set(progress.filter((p) => p.index === i).map((p) => p.phase));
        for (const phase of ['compiling', 'checking', 'timing'] as const)
          if (!phases.has(phase)) throw new Error(`shape ${i}: no '${phase}' progress`);
      }
      return `${progress.length} progress notifications`;
    });
    await check('job/didMeasure delivered each result as it was measured, equal to the final run', () => {
      if (measured.length !== run.results.length)
        throw new Error(`${measured.length} notifications for ${run.results.length} results`);
      measured.forEach((m, i) => {
        if (JSON.stringify(m) !== JSON.stringify(run.results[i]))
          throw new Error(`shape ${i} differs between the notification and the run`);
      });
      return 'identical';
    });
    await check("the results panel's rows carry the worker's figures unchanged", () => {
      const rows = runRows(run);
      if (rows.length !== run.results.length) throw new Error(`${rows.length} rows for ${run.results.length} results`);
      rows.forEach((row, i) => {
        const r = run.results[i];
        const t = r.timing!;
        const same = (a: unknown, b: unknown, what: string) => {
          if (a !== b) throw new Error(`row ${i} ${what}: ${String(a)} vs ${String(b)}`);
        };
        same(row.m, r.problem.m, 'M');
        same(row.n, r.problem.n, 'N');
        same(row.k, r.problem.k, 'K');
        same(row.us, t.medianUs, 'µs');
        same(row.tflops, t.tflops, 'TFLOPS');
        same(row.gbps, t.gbps, 'GB/s');
        same(row.calcDiff, r.accuracy!.calcDiff, 'calc_diff');
        for (const p of r.peers ?? [])
          if (p.timing) {
            same(row.peers[p.id]?.us, p.timing.medianUs, `${p.name} µs`);
            same(row.peers[p.id]?.ratio, p.timing.ratio, `${p.name} ratio`);
          }
      });
      return `${rows.length} rows`;
    });
    await check('cancelling a job keeps the shapes measured before the cancel', async () => {
      const cts = new (await import('vscode-jsonrpc')).CancellationTokenSource();
      let seen = 0;
      const sub = client.onNotification('job/didMeasure', () => {
        if (++seen === 1) cts.cancel();
      });
      try {
        const partial = await client
          .request(
            'gemm/bench',
            {
              settings,
              jobId: 'cancel-me',
              problems: problems.slice(0, 6),
              options: { timing: true, peer: false, rounds: 5, seed: 1 },
            },
            cts.token,
          )
          .catch((err) => err);
        const kept = 'results' in partial ? partial : undefined;
        if (!kept) throw new Error(`the cancelled job returned no run: ${(partial as Error).message}`);
        if (kept.interrupted?.code !== 'E_CANCELLED')
          throw new Error(`interrupted = ${JSON.stringify(kept.interrupted)}`);
        if (kept.results.length < 1 || kept.results.length >= 6) throw new Error(`${kept.results.length} results kept`);
        return `${kept.results.length} of 6 kept, interrupted E_CANCELLED`;
      } finally {
        sub.dispose();
      }
    });
    await check(
      '"Tune this shape" through the worker: ranked, saved to a fresh tuning store, then the choice',
      async () => {
        const store = mkdtempSync(join(tmpdir(), 'fp8lab-tune-job-'));
        const tuneSettings = { ...settings, tuningDbPath: store };
        const problem = { kind: 'normal' as const, m: 128, n: 2112, k: 7168 };
        const tuned = await client.request('gemm/tuneShapes', {
          settings: tuneSettings,
          jobId: 'tune-one',
          problems: [problem],
          options: { top: 4, rounds: 5, save: true },
        });
        const t = tuned.tunings[0];
        if (!t?.best || tuned.saved !== 1 || !tuned.savedTo)
          throw new Error(
            `tunings ${tuned.tunings.length}, saved ${tuned.saved}: ${JSON.stringify(t?.candidates?.map((c) => c.error ?? c.measuredUs))}`,
          );
        const report = await client.request('gemm/configs', { settings: tuneSettings, problem });
        if (report.configOrigin?.kind !== 'tuned' || !/^Tuned on this GPU on \d{4}-\d\d-\d\d/.test(report.why))
          throw new Error(`after the tune the choice is ${report.configOrigin?.kind}: ${report.why}`);
        return `${t.candidates.length} candidates, winner ${t.best.measuredUs?.toFixed(1)} µs; configs now "${report.why.slice(0, 40)}…"`;
      },
    );
  } catch (err) {
    fail('benchmark through the worker', (err as Error).stack ?? String(err));
  } finally {
    await client.dispose();
  }
  done();
}

main().catch((err) => {
  fail('benchmark through the worker', err?.stack ?? String(err));
  done();
});
