// How the suite reaches into the running extension: activate() returns `{ testApi }` (the
// ExtensionApi type in extension/src/main.ts): the runtime client, the resolved settings, the
// features whose activation failed, and what each feature's activate returned. Members are checked
// at run time so a missing piece fails with a message naming it instead of a TypeError.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { ExtensionApi } from '../../../extension/src/main';

export const EXTENSION_ID = 'fp8lab.fp8-gemm-lab';
export type TestApi = ExtensionApi['testApi'];

export async function activeExtension(): Promise<vscode.Extension<Partial<ExtensionApi> | undefined>> {
  const ext = vscode.extensions.getExtension<Partial<ExtensionApi> | undefined>(EXTENSION_ID);
  assert.ok(ext, `extension ${EXTENSION_ID} is not installed in this extension host`);
  await ext.activate();
  return ext;
}

/** The named testApi member, or an assertion failure that says what activate() must return. */
export async function testApiMember<K extends keyof TestApi>(key: K): Promise<TestApi[K]> {
  const ext = await activeExtension();
  const api = ext.exports?.testApi;
  assert.ok(api, `activate() of ${EXTENSION_ID} returned no testApi`);
  const member = api[key];
  assert.ok(member !== undefined, `activate() returned a testApi without '${String(key)}'`);
  return (typeof member === 'function' ? member.bind(api) : member) as TestApi[K];
}

/** Rejects after ms with a message naming what was awaited (mocha's own timeout says less). */
export function within<T>(ms: number, what: string, p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Resolves with check()'s first defined value. For state the extension exposes without an event
 * (a feature's snapshot), re-checked every `everyMs`; rejects after `ms` naming what was awaited.
 */
export function until<T>(what: string, ms: number, check: () => T | undefined, everyMs = 100): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const found = new Promise<T>((resolve) => {
    const probe = () => {
      const v = check();
      if (v !== undefined) resolve(v);
    };
    timer = setInterval(probe, everyMs);
    probe();
  });
  return within(ms, what, found).finally(() => clearInterval(timer));
}
