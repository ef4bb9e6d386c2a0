// Device profiles (`fp8lab calibrate`) on disk: one JSON file per device identity in the tuning
// store's `profiles` folder, written atomically (a reader sees the old profile or the new one). A
// file that does not read as a profile is reported and skipped.
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { crc32Hex } from '../core/checksum';
import { profileFor, profileProblem, type DeviceProfile } from '../core/tuning/calibration';
import { deviceKey, type DeviceIdentity } from '../core/tuning/tuningRecord';
import { TEMP_SUFFIX, writeFileAtomic } from './atomicWrite';

export function profilesDir(tuningDir: string): string {
  return join(tuningDir, 'profiles');
}

/** "NVIDIA-H100-80GB-HBM3-78sm-1a2b3c4d.json": readable, and one per device identity. */
export function profileFileName(device: DeviceIdentity): string {
  const slug =
    device.name
      .replace(/[^A-Za-z0-9]+/g, '-')
      .replace(/^-|-$/g, '')
      .slice(0, 60) || 'device';
  return `${slug}-${device.smsInUse}sm-${crc32Hex(deviceKey(device))}.json`;
}

export async function writeProfile(tuningDir: string, profile: DeviceProfile): Promise<string> {
  const dir = profilesDir(tuningDir);
  await fs.mkdir(dir, { recursive: true });
  const file = join(dir, profileFileName(profile.device));
  await writeFileAtomic(file, JSON.stringify(profile, null, 2) + '\n');
  return file;
}

export interface ProfilesRead {
  profiles: DeviceProfile[];
  warnings: string[];
}

/** Every profile in the store; a missing folder is none. */
export async function readProfiles(tuningDir: string): Promise<ProfilesRead> {
  const dir = profilesDir(tuningDir);
  let names: string[];
  try {
    names = (await fs.readdir(dir)).filter((n) => n.endsWith('.json') && !n.endsWith(TEMP_SUFFIX)).sort();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { profiles: [], warnings: [] };
    throw err;
  }
  const out: ProfilesRead = { profiles: [], warnings: [] };
  for (const name of names) {
    const file = join(dir, name);
    try {
      const value: unknown = JSON.parse(await fs.readFile(file, 'utf8'));
      const problem = profileProblem(value);
      if (problem) out.warnings.push(`device profile ${file} skipped: ${problem}`);
      else out.profiles.push(value as DeviceProfile);
    } catch (err) {
      out.warnings.push(`device profile ${file} skipped: ${(err as Error).message}`);
    }
  }
  return out;
}

/** This device identity's profile, if it was calibrated. */
export async function readProfileFor(
  tuningDir: string,
  device: DeviceIdentity,
): Promise<{ profile?: DeviceProfile; warnings: string[] }> {
  const { profiles, warnings } = await readProfiles(tuningDir);
  const profile = profileFor(profiles, device);
  return { ...(profile ? { profile } : {}), warnings };
}
