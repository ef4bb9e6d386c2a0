// The addon's exports against the hand-written contract, native/index.d.ts: every declared function
// is exported as a function, every export is declared, each rejects missing arguments with a coded
// error from the ErrorCode union (never a crash or a plain TypeError), and the types line up.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import type * as Addon from '../../../native/index';
import { codedError, declaredErrorCodes, loadAddon, repoRoot } from './loadAddon';

interface Declared {
  name: string;
  required: number;
  total: number;
}

/** `export function name(a: T, b?: U): R;` declarations, with their required/total parameter counts. */
function declaredFunctions(): Declared[] {
  const dts = fs.readFileSync(path.join(repoRoot(), 'native', 'index.d.ts'), 'utf8');
  const out: Declared[] = [];
  for (const m of dts.matchAll(/export function (\w+)\(([^)]*(?:\([^)]*\)[^)]*)*)\)/g)) {
    // Split the parameter list on top-level commas only (types may hold braces and generics).
    const params: string[] = [];
    let depth = 0;
    let cur = '';
    for (const ch of m[2]) {
      if ('{<(['.includes(ch)) depth++;
      if ('}>)]'.includes(ch)) depth--;
      if (ch === ',' && depth === 0) {
        params.push(cur);
        cur = '';
      } else cur += ch;
    }
    if (cur.trim()) params.push(cur);
    const names = params.map((p) => p.trim().split(':')[0].trim());
    out.push({ name: m[1], total: names.length, required: names.filter((n) => !n.endsWith('?')).length });
  }
  return out;
}

const addon = loadAddon();
const declared = declaredFunctions();
const codes = declaredErrorCodes();

test('index.d.ts declares (at least) the runtime functions, as parsed here', () => {
  const names = new Set(declared.map((d) => d.name));
  for (const name of [
    'alloc',
    'buildInfo',
    'cacheKey',
    'compile',
    'createCublasLtLaunch',
    'createGemmLaunch',
    'cublasLtInfo',
    'download',
    'fill32',
    'init',
    'launch',
    'loadKernel',
    'probe',
    'synchronize',
    'timeGraphs',
    'upload',
  ])
    assert.ok(names.has(name), name);
  assert.equal(declared.find((d) => d.name === 'launch')?.required, 3);
  assert.equal(declared.find((d) => d.name === 'download')?.total, 3);
});

test('every declared function is exported as a function', () => {
  for (const d of declared) assert.equal(typeof (addon as Record<string, unknown>)[d.name], 'function', d.name);
});

test('every export is declared in index.d.ts', () => {
  const names = new Set(declared.map((d) => d.name));
  for (const key of Object.keys(addon)) assert.ok(names.has(key), `export ${key} is not declared in native/index.d.ts`);
});

test('each function given too few arguments fails with a declared error code', async () => {
  for (const d of declared.filter((x) => x.required > 0)) {
    const fn = (addon as unknown as Record<string, (...a: unknown[]) => unknown>)[d.name];
    const args = new Array(d.required - 1).fill(undefined);
    const err = await codedError(() => fn(...args));
    assert.ok(err.code && codes.has(err.code), `${d.name}(${d.required - 1} args) threw ${err.code ?? err.message}`);
  }
});

test('buildInfo reports the Node-API version, the compiler and NVRTC availability', () => {
  const info = addon.buildInfo();
  assert.equal(info.napiVersion, 8);
  assert.match(info.compiler, /\S/);
  assert.equal(typeof info.nvrtcAvailable, 'boolean');
});

// Compile-time half of the contract: the loader's type must accept the real module's shape.
test('the module type-checks as typeof native/index.d.ts', () => {
  const typed: typeof Addon = addon;
  assert.equal(typeof typed.compile, 'function');
});
