// The device's measured ceilings (FP8 TFLOPS, copy GB/s), measured once per device and kept as JSON
// in the cache folder with the text of how they were measured. Tables show figures as a share of
// these, so they must be measured, never taken from a datasheet.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DeviceInfo } from '../../../../native/index';
import type { DeviceCeilings, ShapeResult } from '../../../protocol/worker';
import type { AddonModule } from '../addon';
import { DeviceScope } from './buffers';
import type { UtilKernels } from './utilKernels';
import { shapeLabel } from '../../core/shapes';

export const CEILING_GEMM = { m: 8192, n: 8192, k: 8192 } as const;
const COPY_BYTES = 512 * 2 ** 20;
const COPY_LAUNCHES = 20;

export function ceilingsFile(cacheDir: string, device: Pick<DeviceInfo, 'name' | 'smCount'>): string {
  const slug = device.name.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'device';
  return join(cacheDir, 'ceilings', `${slug}-${device.smCount}sm.json`);
}

export function isCeilings(v: unknown): v is DeviceCeilings {
  const c = v as DeviceCeilings;
  return (
    !!c &&
    typeof c === 'object' &&
    c.fp8Tflops > 0 &&
    c.bandwidthGBps > 0 &&
    typeof c.method === 'string' &&
    typeof c.measuredAt === 'string'
  );
}

export async function readCeilings(file: string): Promise<DeviceCeilings | undefined> {
  try {
    const parsed: unknown = JSON.parse(await readFile(file, 'utf8'));
    return isCeilings(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

export async function writeCeilings(file: string, ceilings: DeviceCeilings): Promise<void> {
  await mkdir(join(file, '..'), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, JSON.stringify(ceilings, null, 2) + '\n');
  await rename(tmp, file); // atomic: a reader sees the old file or the new one
}

/**
 * Memory bandwidth: the faster of a device-to-device copy (bytes read + written) and a streaming
 * read (GEMMs mostly read, and a read-only stream runs faster than a copy on HBM), each
 * COPY_LAUNCHES launches over COPY_BYTES timed on the host around two synchronizes (the round trip
 * is under 1% of the ~7 ms), best of three runs each.
 */
export async function measureMemoryGBps(
  addon: AddonModule,
  utils: UtilKernels,
  device: DeviceInfo,
): Promise<{ gbps: number; method: string }> {
  const scope = new DeviceScope(addon);
  try {
    const src = scope.alloc(COPY_BYTES);
    const dst = scope.alloc(COPY_BYTES);
    const sink = scope.alloc(4);
    addon.fill32(src, 0x3f800000, COPY_BYTES);
    const blocks = device.smCount * 8;
    const best = async (launch: () => void, bytesPerLaunch: number): Promise<number> => {
      launch(); // warm-up
      await addon.synchronize(60_000);
      let top = 0;
      for (let run = 0; run < 3; run++) {
        const start = process.hrtime.bigint();
        for (let i = 0; i < COPY_LAUNCHES; i++) launch();
        await addon.synchronize(60_000);
        const seconds = Number(process.hrtime.bigint() - start) / 1e9;
        top = Math.max(top, (bytesPerLaunch * COPY_LAUNCHES) / seconds / 1e9);
      }
      return top;
    };
    const copy = await best(() => utils.copy(src, dst, COPY_BYTES, blocks), 2 * COPY_BYTES);
    const read = await best(() => utils.read(src, COPY_BYTES, sink, blocks), COPY_BYTES);
    return {
      gbps: Math.max(copy, read),
      method:
        `memory: the faster of a device-to-device copy (${copy.toFixed(0)} GB/s, bytes read + written) and a streaming read ` +
        `(${read.toFixed(0)} GB/s), ${COPY_LAUNCHES} launches of ${COPY_BYTES / 2 ** 20} MiB each by fp8lab_copy_16b / fp8lab_read_16b ` +
        `(${blocks} blocks x 256 threads, 16-byte words, 4 loads in flight), timed on the host around synchronize, best of 3`,
    };
  } finally {
    scope.dispose();
  }
}

/**
 * The roofs are the fastest rates this device has been seen to sustain: when a timed kernel of a
 * run (ours or the cuBLASLt peer) beat the microbenchmarks, the roof is raised to it and the method
 * says so, so no share of a ceiling reads above 100%. Pure: returns the same object when nothing
 * was faster.
 */
export function raiseToObserved(ceilings: DeviceCeilings, results: ShapeResult[]): DeviceCeilings {
  let out = ceilings;
  for (const r of results) {
    const label = `${shapeLabel(r.problem)}`;
    const peer = r.peer && !('skipped' in r.peer) ? r.peer : undefined;
    const rates: Array<[who: string, tflops: number, gbps: number]> = [];
    if (r.timing && r.accuracy?.passed) rates.push([`our GEMM at ${label}`, r.timing.tflops, r.timing.gbps]);
    if (peer && r.timing && r.peerAccuracy?.passed)
      rates.push([`cuBLASLt at ${label}`, peer.tflops, (r.timing.gbps * r.timing.medianUs) / peer.medianUs]);
    for (const [who, tflops, gbps] of rates) {
      if (tflops > out.fp8Tflops)
        out = {
          ...out,
          fp8Tflops: tflops,
          method: `${out.method} FP8 roof raised to ${tflops.toFixed(0)} TFLOPS by ${who}.`,
        };
      if (gbps > out.bandwidthGBps)
        out = {
          ...out,
          bandwidthGBps: gbps,
          method: `${out.method} Memory roof raised to ${gbps.toFixed(0)} GB/s by ${who}.`,
        };
    }
  }
  return out;
}
