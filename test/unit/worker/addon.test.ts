import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { RuntimeError } from '../../../extension/src/core/runtimeError';
import { ADDON_RELATIVE_PATH, findExtensionRoot, loadAddon } from '../../../extension/src/worker/addon';

function tempRoot(): string {
  const root = mkdtempSync(join(tmpdir(), 'fp8lab-root-'));
  writeFileSync(join(root, 'package.json'), JSON.stringify({ name: 'fp8-gemm-lab', version: '0.0.0' }));
  return root;
}

test('the root is found by walking up to package.json named fp8-gemm-lab', () => {
  const root = tempRoot();
  const deep = join(root, 'extension', 'dist');
  mkdirSync(deep, { recursive: true });
  writeFileSync(join(root, 'extension', 'package.json'), JSON.stringify({ name: 'something-else' }));
  assert.equal(findExtensionRoot(deep, {}), root);
});

test('FP8LAB_ROOT overrides the walk', () => {
  const root = tempRoot();
  assert.equal(findExtensionRoot('/', { FP8LAB_ROOT: `${root}/` }), root);
});

test('FP8LAB_ROOT pointing elsewhere: E_ADDON_LOAD naming the folder and what it lacks', () => {
  const elsewhere = mkdtempSync(join(tmpdir(), 'fp8lab-elsewhere-'));
  writeFileSync(join(elsewhere, 'package.json'), JSON.stringify({ name: 'another-package' }));
  for (const dir of [elsewhere, join(elsewhere, 'missing')]) {
    assert.throws(
      () => findExtensionRoot('/', { FP8LAB_ROOT: dir }),
      (e: RuntimeError) =>
        e.code === 'E_ADDON_LOAD' &&
        e.message.includes(`FP8LAB_ROOT=${dir}`) &&
        /no package\.json named "fp8-gemm-lab"/.test(e.message),
    );
  }
});

test('no root anywhere above: E_ADDON_LOAD saying how to fix it', () => {
  const bare = mkdtempSync(join(tmpdir(), 'fp8lab-bare-'));
  assert.throws(
    () => findExtensionRoot(bare, {}),
    (e: RuntimeError) =>
      e.code === 'E_ADDON_LOAD' &&
      /no package\.json named "fp8-gemm-lab"/.test(e.message) &&
      /FP8LAB_ROOT/.test(e.message),
  );
});

test('a missing .node file: one E_ADDON_LOAD naming the file and the fix', () => {
  const root = tempRoot();
  const file = join(root, ADDON_RELATIVE_PATH);
  assert.throws(
    () => loadAddon(root),
    (e: RuntimeError) =>
      e.code === 'E_ADDON_LOAD' &&
      e.message.includes(file) &&
      /does not exist/.test(e.message) &&
      /npm run build:native/.test(e.message),
  );
});

test('a corrupt .node file: E_ADDON_LOAD naming the file, the loader error and the fix', () => {
  const root = tempRoot();
  const file = join(root, ADDON_RELATIVE_PATH);
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(file, 'this is not a shared object\n'.repeat(100));
  assert.throws(
    () => loadAddon(root),
    (e: RuntimeError) =>
      e.code === 'E_ADDON_LOAD' &&
      e.message.includes(file) &&
      /is broken/.test(e.message) &&
      /(invalid ELF header|file too short|not a dynamic)/i.test(e.message) &&
      /reinstall the platform \.vsix/.test(e.message),
  );
});

test('a truncated copy of a shared object is reported the same way', () => {
  const root = tempRoot();
  const file = join(root, ADDON_RELATIVE_PATH);
  mkdirSync(join(file, '..'), { recursive: true });
  // An ELF header and nothing else: what an interrupted download or copy leaves.
  writeFileSync(file, Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0]));
  assert.throws(
    () => loadAddon(root),
    (e: RuntimeError) => e.code === 'E_ADDON_LOAD' && e.message.includes(file),
  );
});
