// `fp8lab calibrate [--db DIR] [--json FILE]`: measures this GPU's device terms (FP8 rate on the SMs
// in use, clock and power under that load, memory roof, L2 size, power limit; worker/calibrate.ts)
// and stores them as its device profile beside the tuning store. From then on the cost model plans
// with them wherever no tuned record answers.
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { H100_DEFAULT_MODEL } from '../core/heuristics/costModel';
import { modelFromProfile, modelSummary } from '../core/tuning/calibration';
import { deviceKey } from '../core/tuning/tuningRecord';
import { calibrate } from '../worker/calibrate';
import type { CliIo } from './io';
import { cliSettings, logToStderr, reportError, VERB_EXIT } from './verbSupport';

export const CALIBRATE_HELP = `Usage: fp8lab calibrate [--db DIR] [--json FILE]

Measures the device terms of the cost model on the local Hopper GPU, once (seconds): our FP8
GEMM's rate at 8192x8192x8192 on the SMs in use (FP8LAB_NUM_SMS, else all), the SM clock and power
draw under that load (nvidia-smi), the memory roof, the L2 size and the power limit. Stores them as
this GPU's device profile in the tuning store's folder; the config choice then uses a model
calibrated on this GPU wherever no tuned record answers. Needs a GPU.
  --db DIR     the tuning store's folder (default: fp8lab.tuning.dbPath / FP8LAB_TUNING_DB, else
               beside the JIT cache)
  --json FILE  also write the profile as JSON
`;

export async function run(args: string[], io: CliIo): Promise<number> {
  let db: string | undefined;
  let json: string | undefined;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--help' || args[i] === '-h') {
      io.out(CALIBRATE_HELP);
      return VERB_EXIT.ok;
    }
    if ((args[i] === '--db' || args[i] === '--json') && args[i + 1] && !args[i + 1].startsWith('--')) {
      if (args[i] === '--db') db = args[++i];
      else json = args[++i];
    } else {
      io.err(`fp8lab calibrate: unexpected ${JSON.stringify(args[i])}\n\n${CALIBRATE_HELP}`);
      return VERB_EXIT.usage;
    }
  }
  try {
    const settings = { ...cliSettings(io), ...(db ? { tuningDbPath: resolve(db) } : {}) };
    const { profile, file } = await calibrate(settings, logToStderr(io));
    const c = profile.clock;
    io.out(`device: ${deviceKey(profile.device)}\n`);
    io.out(
      `FP8 GEMM: ${profile.fp8Tflops.toFixed(0)} TFLOPS on ${profile.device.smsInUse} SMs; memory roof ${profile.bandwidthGBps.toFixed(0)} GB/s; ` +
        `L2 ${(profile.l2CacheBytes / 2 ** 20).toFixed(0)} MiB\n`,
    );
    io.out(
      c
        ? `under FP8 load: SM clock ${c.underLoadMHz.toFixed(0)} of ${c.maxMHz.toFixed(0)} MHz, ${c.powerW.toFixed(0)} of ${c.powerLimitW.toFixed(0)} W (${c.samples} samples)\n`
        : 'under FP8 load: clock not sampled (nvidia-smi gave nothing)\n',
    );
    io.out(
      `calibrated: ${modelSummary(modelFromProfile(profile))}\nH100 defaults: ${modelSummary(H100_DEFAULT_MODEL)}\n`,
    );
    io.out(`method: ${profile.method}\nsaved: ${file}\n`);
    if (json) await writeFile(resolve(json), JSON.stringify(profile, null, 1) + '\n');
    return VERB_EXIT.ok;
  } catch (err) {
    return reportError('calibrate', err, io);
  }
}
