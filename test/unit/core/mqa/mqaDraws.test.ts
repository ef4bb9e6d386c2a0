// The host-side draws of MQA-logits cases: DeepGEMM's window and context generators, reproducible
// from the seed, and page tables that use every page of the cache exactly once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pagedInputProblems } from '../../../../extension/src/core/mqa/mqaRules';
import { drawPaged, drawPlain, mqaWork, windowKeys } from '../../../../extension/src/core/mqa/mqaDraws';

test('causal windows: the last query sees every key, the first seq_kv - seq_q + ... keys', () => {
  const d = drawPlain({ kind: 'mqa-logits', seqQ: 4, seqKv: 10, heads: 64, dim: 128, windows: 'causal' }, 1);
  assert.deepEqual([...d.ks], [0, 0, 0, 0]);
  assert.deepEqual([...d.ke], [6, 7, 8, 9]);
  assert.equal(d.summary.validPairs, 6 + 7 + 8 + 9);
});

test("context-parallel windows follow DeepGEMM's generate_ks_ke_tests (cp_size 4, rank 1)", () => {
  const d = drawPlain({ kind: 'mqa-logits', seqQ: 4, seqKv: 16, heads: 64, dim: 128, windows: 'cp' }, 1);
  // chunk 2: first half ends at cp_id·chunk + i = 2 + i; second at (2·4 - 1 - 1)·2 + i = 12 + i.
  assert.deepEqual([...d.ke], [2, 3, 12, 13]);
});

test('ragged windows are reproducible, include empty ones and ones clipped at both ends', () => {
  const c = { kind: 'mqa-logits' as const, seqQ: 2000, seqKv: 509, heads: 32, dim: 64, windows: 'ragged' as const };
  const a = drawPlain(c, 7),
    b = drawPlain(c, 7),
    other = drawPlain(c, 8);
  assert.deepEqual(a, b);
  assert.notDeepEqual([...a.ks], [...other.ks]);
  assert.ok(a.summary.emptyWindows! > 100);
  assert.ok([...a.ks].some((x) => x < 0));
  assert.ok([...a.ke].some((x) => x > 509));
  let pairs = 0;
  for (let i = 0; i < c.seqQ; i++) pairs += windowKeys(a.ks[i], a.ke[i], c.seqKv);
  assert.equal(a.summary.validPairs, pairs);
});

test('paged draws: lengths in [0.7, 1.3) x avg, the last token longest, every page used once', () => {
  const c = { kind: 'paged-mqa-logits' as const, batch: 50, nextN: 2, heads: 64, dim: 128, avgKv: 1000 };
  const d = drawPaged(c, 3);
  assert.deepEqual(d, drawPaged(c, 3));
  for (let b = 0; b < c.batch; b++) {
    const last = d.contextLens[b * 2 + 1];
    assert.ok(last >= 700 && last < 1300, `${last}`);
    assert.ok(d.contextLens[b * 2] <= last);
  }
  const used = new Set<number>();
  let pages = 0;
  for (let b = 0; b < c.batch; b++) {
    const n = Math.ceil(d.contextLens[b * 2 + 1] / 64);
    pages += n;
    for (let p = 0; p < n; p++) used.add(d.blockTable[b * d.tableStride + p]);
  }
  assert.equal(d.numBlocks, pages);
  assert.equal(used.size, pages);
  assert.deepEqual(pagedInputProblems(d.contextLens, 2, d.blockTable, d.tableStride, d.numBlocks), []);
  assert.equal(d.summary.maxPages, d.tableStride);
});

test("work: DeepGEMM's FLOP counts (valid pairs; paged over the last token's context x next_n)", () => {
  const plainCase = {
    kind: 'mqa-logits' as const,
    seqQ: 4,
    seqKv: 10,
    heads: 64,
    dim: 128,
    windows: 'causal' as const,
  };
  assert.equal(mqaWork(plainCase, drawPlain(plainCase, 1)).flops, 2 * 30 * 64 * 128);
  const pagedCase = { kind: 'paged-mqa-logits' as const, batch: 3, nextN: 2, heads: 32, dim: 128, avgKv: 100 };
  const d = drawPaged(pagedCase, 1);
  assert.equal(mqaWork(pagedCase, d).flops, 2 * d.sumContext * 2 * 32 * 128);
});
