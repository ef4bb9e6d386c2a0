// `fp8lab tune [--shapes ...] [--top N] [--json FILE] [--rounds N]`: time the cost model's best
// legal candidates of each shape on the GPU (service.tune: inputs made once, every candidate
// checked first, then all correct ones timed together in interleaved CUDA-graph rounds, so a
// sagging clock does not decide the ranking) and show the measured ranking next to the predicted
// one, with the heuristic's regret (its choice's time over the fastest).
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { compactConfig } from '../core/heuristics';
import type { ShapeTuning } from '../core/tuneRanking';
import { tuneShapes } from '../worker/bench/tuneShapes';
import { TUNE_DEFAULTS } from '../core/tuning/tuneAxes';
import type { TuneShapesRun } from '../../protocol/worker';
import { geomean } from '../core/stats';
import { textTable } from '../worker/bench/table';
import type { CliIo } from './io';
import { parseBenchArgs } from './verbArgs';
import { cliSettings, reportError, VERB_EXIT, usageError } from './verbSupport';

export const TUNE_HELP = `Usage: fp8lab tune [--shapes deepseek | M,N,K ...] [--top N] [--rounds N] [--json FILE] [--save [--db DIR]]

Times the N best legal candidate configs of each shape (by the cost model; the heuristic's choice
always included), and the model's best of each sweep axis that matters where tensor throughput is
scarce (split-K, each BLOCK_M, each BLOCK_N wider than the model's best, the least padded tile,
fewer SMs for the same waves), on the local Hopper GPU: inputs made once, each candidate checked
for correctness first, then all correct ones timed together in interleaved CUDA-graph rounds (A B C ... A B C ...;
median per candidate). Prints the measured ranking next to the prediction. Needs a GPU.
  --top N      candidates per shape (default 12)
  --rounds N   interleaved timed rounds (default 10)
  --json FILE  write every shape's ranking as JSON
  --save       record each shape's ranking and winner in the tuning store (as each shape finishes),
               keyed by this GPU's identity (name, SMs in use, compute capability, driver, power
               limit) and the kernel-source hash; bench and configs then use the winners here
  --db DIR     the tuning store's folder (default: fp8lab.tuning.dbPath / FP8LAB_TUNING_DB, else
               beside the JIT cache)
`;

/** Interleaved rounds per shape unless --rounds says otherwise. */
export const DEFAULT_ROUNDS = TUNE_DEFAULTS.rounds;

export async function run(args: string[], io: CliIo): Promise<number> {
  let top: number = TUNE_DEFAULTS.top;
  let save = false;
  let db: string | undefined;
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--save') save = true;
    else if (args[i] === '--db') {
      db = args[++i];
      if (!db || db.startsWith('--')) {
        io.err(`fp8lab tune: --db needs a folder\n\n${TUNE_HELP}`);
        return VERB_EXIT.usage;
      }
    } else if (args[i] === '--top') {
      top = Number(args[++i]);
      if (!Number.isInteger(top) || top < 1) {
        io.err(`fp8lab tune: --top needs a whole number ≥ 1\n\n${TUNE_HELP}`);
        return VERB_EXIT.usage;
      }
    } else rest.push(args[i]);
  }
  if (!rest.includes('--rounds')) rest.push('--rounds', String(DEFAULT_ROUNDS));
  const parsed = parseBenchArgs(rest);
  if (parsed.ok === 'help') {
    io.out(TUNE_HELP);
    return VERB_EXIT.ok;
  }
  if (parsed.ok === false) return usageError('tune', parsed, TUNE_HELP, io);
  try {
    const settings = { ...cliSettings(io), ...(db ? { tuningDbPath: resolve(db) } : {}) };
    const method = `interleaved CUDA-graph rounds, median of ${parsed.value.options.rounds} (per shape: see each tuning's method)`;
    const jsonFile = parsed.value.jsonFile;
    const writeJson = async (r: TuneShapesRun) => {
      if (jsonFile) await writeFile(resolve(jsonFile), JSON.stringify({ ...r, method }, null, 1) + '\n');
    };
    const run = await tuneShapes(
      settings,
      parsed.value.problems,
      { top, rounds: parsed.value.options.rounds, save },
      {
        // Each shape as it finishes: its table, and the JSON rewritten so a stopped tune leaves the
        // shapes it finished (with --save their records are already in the store).
        shapeDone: async (tuning, soFar) => {
          io.out(shapeTable(tuning) + `method: ${tuning.method}\n\n`);
          await writeJson(soFar);
        },
      },
    );
    await writeJson(run);
    if (run.interrupted) io.err(`fp8lab tune: ${run.interrupted.message}\n`);
    if (save) io.err(`saved ${run.saved} shape ranking(s) to the tuning store: ${run.savedTo ?? '(none measured)'}\n`);
    const regrets = run.tunings.flatMap((t) => (t.regret ? [t.regret] : []));
    if (regrets.length)
      io.out(
        `heuristic regret (chosen / fastest): geomean ${geomean(regrets).toFixed(3)}, worst ${Math.max(...regrets).toFixed(3)} over ${regrets.length} shape(s)\n`,
      );

    return run.tunings.length === parsed.value.problems.length ? VERB_EXIT.ok : VERB_EXIT.failed;
  } catch (err) {
    return reportError('tune', err, io);
  }
}

function shapeTable(t: ShapeTuning): string {
  const fullGrid = Math.max(...t.candidates.map((c) => c.config.numSms));
  const rows = t.candidates.map((c) => [
    compactConfig(c.config) + (c.config.numSms < fullGrid ? ` sms${c.config.numSms}` : ''),
    c.measuredUs?.toFixed(1) ?? '-',
    c.predictedUs?.toFixed(1) ?? '-',
    c.chosen ? 'chosen' : '',
    c === t.best ? 'fastest' : '',
    c.error ?? '',
  ]);
  const head = `${t.problem.m}x${t.problem.n}x${t.problem.k}${t.regret ? `  (regret ${t.regret.toFixed(3)})` : ''}\n`;
  return (
    head +
    textTable(['config', 'measured µs', 'predicted µs', '', '', 'error'], rows, [
      false,
      true,
      true,
      false,
      false,
      false,
    ])
  );
}
