#!/usr/bin/env node
// `npm run test:gpu`: builds nothing; runs each bundled GPU test (test/dist/gpu/<name>.js) in its
// own process (a fault must not take the others down), echoes their lines, and ends with one line
// `N passed, N failed` (`, N skipped` when any). Exit 1 on any failure or a test that died.
// Needs the bundles (`node extension/build.mjs`) and the addon; on the GPU machine see
// test/gpu/device-pass.sh.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
// [bundle, ...args]: each runs in its own process; the correctness parts restart after a shape that
// took the CUDA context down (GPU-RESUME), so one faulting config does not hide the others.
const TESTS = [
  ['rejections'],
  ['correctness', '--part=generator'],
  ['correctness', '--part=sweep'],
  ['correctness', '--part=distributions'],
  ['correctness', '--part=peer'],
  ['fault'],
  ['workerBench'],
  ['studies'],
  // The grouped / weight-gradient GEMMs, one part per kind (a lost context resumes within it).
  ['grouped', '--part=rejections'],
  ['grouped', '--part=contiguous'],
  ['grouped', '--part=masked'],
  ['grouped', '--part=kgrouped'],
  ['grouped', '--part=wgrad'],
  ['grouped', '--part=cluster'],
  ['grouped', '--part=edge'],
  // The BF16 GEMM: rejections, the standard list, ragged shapes, forced tiles, fp32 outputs.
  ['bf16', '--part=rejections'],
  ['bf16', '--part=standard'],
  ['bf16', '--part=ragged'],
  ['bf16', '--part=forced'],
  ['bf16', '--part=outputs'],
  ['bf16', '--part=contiguous'],
  ['bf16', '--part=masked'],
  ['bf16', '--part=kgrouped'],
  ['bf16', '--part=pingpong'],
  ['bf16', '--part=slabs'],
];
const only = process.argv.slice(2).filter((a) => !a.startsWith('-'));
// `--part=P` keeps only the entries of that part, `--except-part=P` drops them (the BF16 pass runs
// its K-grouped part as a half of its own).
const flag = (name) =>
  process.argv
    .slice(2)
    .filter((a) => a.startsWith(`--${name}=`))
    .map((a) => `--part=${a.slice(name.length + 3)}`);
const [keepParts, dropParts] = [flag('part'), flag('except-part')];
const total = { passed: 0, failed: 0, skipped: 0 };

function runOne(name, args = []) {
  const file = join(root, 'test', 'dist', 'gpu', `${name}.js`);
  return new Promise((resolve) => {
    if (!existsSync(file)) {
      console.log(`FAILED  ${name}: ${file} is missing; run \`node extension/build.mjs\` first`);
      total.failed++;
      return resolve();
    }
    console.log(`== ${[name, ...args].join(' ')}`);
    const child = spawn(process.execPath, ['--enable-source-maps', file, ...args], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let counted = false;
    let resume;
    let buffer = '';
    child.stdout.on('data', (chunk) => {
      buffer += chunk;
      let nl;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        const m = /^GPU-RESULT (\{.*\})$/.exec(line);
        const r = /^GPU-RESUME (\d+)$/.exec(line);
        if (r) {
          resume = Number(r[1]);
        } else if (m) {
          const c = JSON.parse(m[1]);
          total.passed += c.passed;
          total.failed += c.failed;
          total.skipped += c.skipped;
          counted = true;
        } else {
          console.log(line);
        }
      }
    });
    child.on('close', (code, signal) => {
      if (!counted) {
        console.log(`FAILED  ${name}: the test process ended (code ${code}, signal ${signal}) without a result`);
        total.failed++;
      }
      if (resume !== undefined) {
        console.log(`   (the CUDA context was lost; resuming from item ${resume} in a fresh process)`);
        return resolve(runOne(name, [...args.filter((a) => !a.startsWith('--from=')), `--from=${resume}`]));
      }
      resolve();
    });
  });
}

const selected = (only.length ? TESTS.filter(([name]) => only.includes(name)) : TESTS).filter(
  ([, ...args]) =>
    (keepParts.length === 0 || args.some((a) => keepParts.includes(a))) && !args.some((a) => dropParts.includes(a)),
);
for (const [name, ...args] of selected) await runOne(name, args);
console.log(`${total.passed} passed, ${total.failed} failed${total.skipped ? `, ${total.skipped} skipped` : ''}`);
process.exit(total.failed > 0 ? 1 : 0);
