// The kernel-source hash a tuning record is keyed by: sha256 over every file under kernels/include/
// (the headers the JIT compiles; path and bytes, in sorted order), the extra kernel macros
// (FP8LAB_JIT_DEFINES) and the host's launch rule (core/launchPolicy.ts). Edit one header and the
// hash changes, so rankings measured on the old source are shown as stale instead of used; the
// kernels' README and host-side check tools are not compiled into a kernel and do not count.
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { LAUNCH_POLICY_ID } from '../core/launchPolicy';

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await filesUnder(p)));
    else if (entry.isFile()) out.push(p);
  }
  return out;
}

export async function kernelSourceHash(
  kernelsDir: string,
  jitDefines: readonly string[] = [],
  launchRule: string = LAUNCH_POLICY_ID,
): Promise<string> {
  const hash = createHash('sha256');
  const compiled = join(kernelsDir, 'include');
  const files = (await filesUnder(compiled)).map((f) => relative(compiled, f).split(sep).join('/')).sort();
  for (const rel of files) {
    const bytes = await fs.readFile(join(compiled, rel));
    hash.update(`${rel}\0${bytes.length}\0`).update(bytes);
  }
  hash.update(`defines\0${[...jitDefines].sort().join(' ')}`);
  hash.update(`launch\0${launchRule}`);
  return hash.digest('hex');
}
