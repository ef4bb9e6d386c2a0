// `fp8lab tuning export FILE` and `fp8lab tuning import FILE`: a device's records (and its device
// profile) as one JSON file (core/tuning/exchange.ts), so a team tunes its GPUs of one kind once.
import { promises as fs } from 'node:fs';
import { resolve } from 'node:path';
import { deviceMatcher, exportBundle, newRecords, parseExport } from '../core/tuning/exchange';
import { profileFor } from '../core/tuning/calibration';
import { deviceKey, viewFor, type DeviceIdentity } from '../core/tuning/tuningRecord';
import { probeEnvironment } from '../worker/environment';
import { tuningProvenance, tuningStoreFor } from '../worker/tuningSave';
import { tuningDirOf } from '../worker/choiceContext';
import { writeFileAtomic } from '../storage/atomicWrite';
import { readProfiles, writeProfile } from '../storage/deviceProfiles';
import { kernelSourceHash } from '../storage/kernelSourceHash';
import { warningText } from '../storage/tuningStore';
import type { CliIo } from './io';
import { cliSettings, reportError, VERB_EXIT } from './verbSupport';

interface ExchangeArgs {
  file: string;
  db?: string;
  device?: string;
  all: boolean;
}

function parse(verb: 'export' | 'import', args: string[]): ExchangeArgs | string {
  const out: Partial<ExchangeArgs> & { all: boolean } = { all: false };
  for (let i = 0; i < args.length; i++) {
    const value = args[i + 1] && !args[i + 1].startsWith('--') ? args[i + 1] : undefined;
    if (args[i] === '--db' && value) {
      out.db = value;
      i++;
    } else if (verb === 'export' && args[i] === '--device' && value) {
      out.device = value;
      i++;
    } else if (verb === 'export' && args[i] === '--all') out.all = true;
    else if (!args[i].startsWith('--') && out.file === undefined) out.file = args[i];
    else return `unexpected ${JSON.stringify(args[i])}`;
  }
  if (!out.file) return `${verb} needs a FILE`;
  if (out.all && out.device) return '--all and --device exclude each other';
  return out as ExchangeArgs;
}

/** This machine's device identity and kernel hash, or undefined without a Hopper GPU. */
async function here(
  settings: ReturnType<typeof cliSettings>,
): Promise<{ device?: DeviceIdentity; kernelHash: string }> {
  const env = await probeEnvironment(settings);
  const gpu = env.devices.find((d) => d.isHopper);
  const kernelHash = await kernelSourceHash(settings.kernelsDir, settings.jitDefines);
  return gpu ? { device: (await tuningProvenance(settings, env, gpu)).device, kernelHash } : { kernelHash };
}

export async function exchange(verb: 'export' | 'import', args: string[], io: CliIo): Promise<number> {
  const parsed = parse(verb, args);
  if (typeof parsed === 'string') {
    io.err(`fp8lab tuning ${verb}: ${parsed} (fp8lab tuning --help)\n`);
    return VERB_EXIT.usage;
  }
  try {
    const settings = { ...cliSettings(io), ...(parsed.db ? { tuningDbPath: resolve(parsed.db) } : {}) };
    const store = tuningStoreFor(settings);
    const dir = tuningDirOf(settings);
    const file = resolve(parsed.file);
    return verb === 'export'
      ? await exportTo(file, parsed, settings, store, dir, io)
      : await importFrom(file, settings, store, dir, io);
  } catch (err) {
    return reportError(`tuning ${verb}`, err, io);
  }
}

async function exportTo(
  file: string,
  a: ExchangeArgs,
  settings: ReturnType<typeof cliSettings>,
  store: ReturnType<typeof tuningStoreFor>,
  dir: string,
  io: CliIo,
): Promise<number> {
  let keep: (d: DeviceIdentity) => boolean;
  let selection: string;
  if (a.all) {
    keep = () => true;
    selection = 'every device';
  } else if (a.device) {
    keep = deviceMatcher(a.device);
    selection = `devices matching "${a.device}"`;
  } else {
    const { device } = await here(settings);
    if (!device) {
      io.err('fp8lab tuning export: no Hopper GPU here to name this device: use --device TEXT or --all\n');
      return VERB_EXIT.usage;
    }
    const key = deviceKey(device);
    keep = (d) => deviceKey(d) === key;
    selection = key;
  }
  const { records, warnings } = await store.read();
  for (const w of warnings) io.err(`warning: ${warningText(w)}\n`);
  const profiles = await readProfiles(dir);
  for (const w of profiles.warnings) io.err(`warning: ${w}\n`);
  const bundle = exportBundle(records, profiles.profiles, keep, selection, new Date().toISOString());
  await writeFileAtomic(file, JSON.stringify(bundle, null, 1) + '\n');
  io.out(
    `exported ${bundle.records.length} record(s) and ${bundle.profiles.length} device profile(s) of ${selection} to ${file}\n`,
  );
  return VERB_EXIT.ok;
}

async function importFrom(
  file: string,
  settings: ReturnType<typeof cliSettings>,
  store: ReturnType<typeof tuningStoreFor>,
  dir: string,
  io: CliIo,
): Promise<number> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    io.err(`fp8lab tuning import: cannot read ${file}: ${(err as Error).message}\n`);
    return VERB_EXIT.usage;
  }
  const parsed = parseExport(text);
  if (!parsed.ok) {
    io.err(`fp8lab tuning import: ${file}: ${parsed.message}\n`);
    return VERB_EXIT.usage;
  }
  for (const r of parsed.value.rejected) io.err(`warning: ${file}: left out ${r}\n`);
  const existing = await store.read();
  const { fresh, duplicates } = newRecords(existing.records, parsed.value.records);
  if (fresh.length) await store.append(fresh);
  const stored = await readProfiles(dir);
  let profilesWritten = 0;
  for (const p of parsed.value.profiles) {
    const mine = profileFor(stored.profiles, p.device);
    if (!mine || mine.measuredAt < p.measuredAt) {
      await writeProfile(dir, p);
      profilesWritten++;
    }
  }
  io.out(
    `imported ${fresh.length} record(s) (${duplicates} already in the store) and ${profilesWritten} device profile(s) into ${store.dir}\n`,
  );
  const { device, kernelHash } = await here(settings);
  if (device) {
    const view = viewFor(fresh, device, kernelHash);
    io.out(
      `here (${deviceKey(device)}): ${view.usable.length} apply (this GPU, this kernel source); ` +
        `${view.otherKernel.length} for another kernel source and ${view.otherDevice.length} for another device are kept but not used\n`,
    );
  } else {
    const same = fresh.filter((r) => r.kernelHash === kernelHash).length;
    io.out(
      `no Hopper GPU here: ${same} record(s) for this kernel source, ${fresh.length - same} for another (not used); which GPU they apply to is decided where they run\n`,
    );
  }
  return parsed.value.rejected.length ? VERB_EXIT.failed : VERB_EXIT.ok;
}
