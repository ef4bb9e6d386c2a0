// `fp8lab tuning show [--db DIR] [--json]`: what the tuning store holds, as this machine sees it:
// records for this GPU and this kernel source (used), for this GPU and an older or newer kernel
// source (stale), and for other devices; skipped lines with the reason. `export` and `import` move
// records between stores as one JSON file (cli/tuningExchange.ts).
import { resolve } from 'node:path';
import { compactConfig } from '../core/heuristics';
import { deviceKey, shapeKey, viewFor, type TuningRecord } from '../core/tuning/tuningRecord';
import { textTable } from '../worker/bench/table';
import { probeEnvironment } from '../worker/environment';
import { tuningProvenance, tuningStoreFor } from '../worker/tuningSave';
import { kernelSourceHash } from '../storage/kernelSourceHash';
import { warningText } from '../storage/tuningStore';
import type { CliIo } from './io';
import { exchange } from './tuningExchange';
import { modelFromProfile, modelSummary, type DeviceProfile } from '../core/tuning/calibration';
import { tuningDirOf } from '../worker/choiceContext';
import { readProfiles } from '../storage/deviceProfiles';
import { cliSettings, reportError, VERB_EXIT } from './verbSupport';
import { shapeLabel } from '../core/shapes';

export const TUNING_HELP = `Usage: fp8lab tuning show [--db DIR] [--json]
       fp8lab tuning export FILE [--device TEXT | --all] [--db DIR]
       fp8lab tuning import FILE [--db DIR]

Lists the tuning store's records: each shape's winner and its measured time, the device identity and
kernel-source hash it was measured with, and whether it applies here ("this GPU", "other kernel
source": measured on this GPU with different kernels, not used; "other device"). Lines that are cut
short or fail their checksum are skipped with a warning. Device profiles (fp8lab calibrate) are listed
with the model terms they give.
  --db DIR   the store's folder (default: fp8lab.tuning.dbPath / FP8LAB_TUNING_DB, else beside the JIT cache)
  --json     the records and the warnings as JSON

export writes the records (and device profiles) of this GPU's identity, of the device identities
whose description contains TEXT (--device H20), or of every device (--all) to FILE as JSON.
import adds a file's records and profiles to the store (records it already holds are skipped) and
says which apply here; records of another device or kernel source are kept but never used.
`;

export async function run(args: string[], io: CliIo): Promise<number> {
  if (args[0] === '--help' || args[0] === '-h' || args.length === 0) {
    io.out(TUNING_HELP);
    return args.length ? VERB_EXIT.ok : VERB_EXIT.usage;
  }
  if (args[0] === 'export' || args[0] === 'import') return exchange(args[0], args.slice(1), io);
  if (args[0] !== 'show') {
    io.err(`fp8lab tuning: unknown command "${args[0]}"; use show, export or import\n\n${TUNING_HELP}`);
    return VERB_EXIT.usage;
  }
  let db: string | undefined;
  let json = false;
  for (let i = 1; i < args.length; i++) {
    if (args[i] === '--json') json = true;
    else if (args[i] === '--db' && args[i + 1] && !args[i + 1].startsWith('--')) db = args[++i];
    else {
      io.err(`fp8lab tuning show: unexpected ${JSON.stringify(args[i])}\n\n${TUNING_HELP}`);
      return VERB_EXIT.usage;
    }
  }
  try {
    const settings = { ...cliSettings(io), ...(db ? { tuningDbPath: resolve(db) } : {}) };
    const store = tuningStoreFor(settings);
    const { records, warnings } = await store.read();
    for (const w of warnings) io.err(`warning: ${warningText(w)}\n`);
    const env = await probeEnvironment(settings);
    const gpu = env.devices.find((d) => d.isHopper);
    const kernelHash = await kernelSourceHash(settings.kernelsDir, settings.jitDefines);
    const here = gpu ? (await tuningProvenance(settings, env, gpu)).device : undefined;
    const view = here ? viewFor(records, here, kernelHash) : undefined;
    const standing = (r: TuningRecord) =>
      !view
        ? r.kernelHash === kernelHash
          ? 'this kernel source (no GPU here)'
          : 'other kernel source'
        : view.usable.includes(r)
          ? 'this GPU'
          : view.otherKernel.includes(r)
            ? 'other kernel source'
            : view.otherDevice.includes(r)
              ? 'other device'
              : 'superseded';
    const profiles = await readProfiles(tuningDirOf(settings));
    for (const w of profiles.warnings) io.err(`warning: ${w}\n`);
    const profileStanding = (p: DeviceProfile) =>
      here && deviceKey(p.device) === deviceKey(here) ? 'this GPU' : here ? 'other device' : 'no GPU here';
    if (json) {
      io.out(
        JSON.stringify(
          {
            dir: store.dir,
            kernelHash,
            ...(here ? { device: here } : {}),
            records: records.map((r) => ({ standing: standing(r), record: r })),
            warnings,
            profiles: profiles.profiles.map((p) => ({ standing: profileStanding(p), profile: p })),
          },
          null,
          1,
        ) + '\n',
      );
      return VERB_EXIT.ok;
    }
    io.out(
      `tuning store ${store.dir}: ${records.length} record(s)${warnings.length ? `, ${warnings.length} line(s) skipped` : ''}\n`,
    );
    io.out(`here: ${here ? deviceKey(here) : 'no Hopper GPU'}; kernel source ${kernelHash.slice(0, 12)}\n`);
    for (const p of profiles.profiles) {
      io.out(
        `device profile (${profileStanding(p)}, calibrated ${p.measuredAt.replace('T', ' ').slice(0, 16)}): ${deviceKey(p.device)}: ` +
          `${p.fp8Tflops.toFixed(0)} FP8 TFLOPS, ${p.bandwidthGBps.toFixed(0)} GB/s; ${modelSummary(modelFromProfile(p))}\n`,
      );
    }
    if (records.length === 0) return VERB_EXIT.ok;
    const rows = [...records]
      .sort(
        (a, b) => shapeKey(a.problem).localeCompare(shapeKey(b.problem)) || a.measuredAt.localeCompare(b.measuredAt),
      )
      .map((r) => [
        `${shapeLabel(r.problem)}`,
        r.winner ? compactConfig(r.winner.config) : '-',
        r.winner ? r.winner.us.toFixed(1) : '-',
        r.regret !== undefined ? r.regret.toFixed(3) : '-',
        String(r.ranking.length),
        standing(r),
        r.device.name.replace(/^NVIDIA /, '') + ` ${r.device.smsInUse} SMs`,
        r.kernelHash.slice(0, 12),
        r.measuredAt.replace('T', ' ').slice(0, 19),
        r.origin.by + (r.origin.sweepId ? ` ${r.origin.sweepId}#${r.origin.task}` : ''),
      ]);
    io.out(
      textTable(
        ['shape', 'winner', 'µs', 'regret', 'timed', 'applies to', 'device', 'kernels', 'measured', 'by'],
        rows,
        [false, false, true, true, true, false, false, false, false, false],
      ),
    );
    return VERB_EXIT.ok;
  } catch (err) {
    return reportError('tuning', err, io);
  }
}
