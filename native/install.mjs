// npm `install` script. Builds the addon with node-gyp unless an up-to-date build is already there,
// and links the `fp8lab` bin into node_modules/.bin so `npx fp8lab` runs this checkout's CLI.
// Idempotent on purpose: `npx fp8lab` inside the repo makes npm run this script again, and a
// rebuild there would delete the addon out from under a running worker.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync, symlinkSync, lstatSync, unlinkSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const nativeDir = dirname(fileURLToPath(import.meta.url));
const root = join(nativeDir, '..');
const addon = join(nativeDir, 'build', 'Release', 'fp8lab.node');

function newestSource() {
  const inputs = [join(nativeDir, 'binding.gyp'), join(root, 'kernels', 'include', 'fp8lab', 'gemm_args.h')];
  for (const name of readdirSync(join(nativeDir, 'src'))) inputs.push(join(nativeDir, 'src', name));
  return Math.max(...inputs.map((p) => statSync(p).mtimeMs));
}

const upToDate = existsSync(addon) && statSync(addon).mtimeMs >= newestSource();
if (upToDate && !process.argv.includes('--force')) {
  console.log(`fp8lab: addon up to date (${relative(root, addon)})`);
} else {
  const gyp = join(root, 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
  // Build against the running Node's own headers when it ships them (Debian's /usr/include/node,
  // an official tarball's include/node): these machines cannot download headers. npm passes its
  // `nodedir` setting as npm_config_nodedir, which node-gyp reads itself.
  const prefix = dirname(dirname(process.execPath));
  const localHeaders = existsSync(join(prefix, 'include', 'node', 'node_api.h'));
  const nodedir = !process.env.npm_config_nodedir && localHeaders ? [`--nodedir=${prefix}`] : [];
  const r = spawnSync(process.execPath, [gyp, 'rebuild', '--directory', nativeDir, ...nodedir], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

// node_modules/.bin/fp8lab -> ../../extension/dist/cli.js (the bundle `npm run build` writes).
const binDir = join(root, 'node_modules', '.bin');
if (existsSync(join(root, 'node_modules'))) {
  mkdirSync(binDir, { recursive: true });
  const link = join(binDir, 'fp8lab');
  try {
    if (lstatSync(link)) unlinkSync(link);
  } catch {
    /* absent */
  }
  symlinkSync(relative(binDir, join(root, 'extension', 'dist', 'cli.js')), link);
}
