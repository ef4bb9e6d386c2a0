import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type * as vscode from 'vscode';
import { Overrides, overrideKey } from '../../../extension/src/features/overrides';
import { config } from './runData';

/** A Memento held in a Map (what workspaceState is, minus persistence). */
function memento(): vscode.Memento {
  const m = new Map<string, unknown>();
  return {
    keys: () => [...m.keys()],
    get: <T>(k: string, d?: T) => (m.has(k) ? (m.get(k) as T) : d),
    update: async (k: string, v: unknown) => {
      if (v === undefined) m.delete(k);
      else m.set(k, structuredClone(v));
    },
  } as vscode.Memento;
}

describe('config overrides per shape', () => {
  it('keys by kind and shape (and groups)', () => {
    assert.equal(overrideKey({ kind: 'normal', m: 64, n: 2112, k: 7168 }), 'normal:64x2112x7168');
    assert.equal(overrideKey({ kind: 'masked', m: 64, n: 2112, k: 7168, numGroups: 4 }), 'masked:64x2112x7168:g4');
  });
  it('applies a kept override to that exact shape only, never over a forced config', async () => {
    const o = new Overrides(memento());
    const p = { kind: 'normal' as const, m: 64, n: 2112, k: 7168 };
    const kept = { ...config, blockN: 32 };
    await o.set(p, kept);
    const forced = { ...p, config: { ...config, blockN: 64 } };
    const { problems, applied } = o.apply([p, { ...p, m: 128 }, forced]);
    assert.equal(applied, 1);
    assert.deepEqual(problems[0].config, kept);
    assert.equal(problems[1].config, undefined);
    assert.equal(problems[2].config!.blockN, 64);
    await o.set(p, undefined);
    assert.equal(o.get(p), undefined);
  });
});
