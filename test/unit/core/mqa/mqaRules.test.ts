// The MQA-logits rules on real cases: what the kernels take, the coded problems (code, rule, and a
// message that says what would work) for what they do not, and the paged-input checks on real
// context lengths and block tables.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { MqaPagedCase, MqaPlainCase } from '../../../../extension/protocol/mqa';
import {
  caseProblems,
  mqaKernelConfig,
  pagedInputProblems,
  pagedProblems,
  pagedSharedBytes,
  plainProblems,
  plainLogitsStride,
  plainSharedBytes,
  MQA_MAX_BATCH,
} from '../../../../extension/src/core/mqa/mqaRules';

const plain = (over: Partial<MqaPlainCase> = {}): MqaPlainCase => ({
  kind: 'mqa-logits',
  seqQ: 2048,
  seqKv: 8192,
  heads: 64,
  dim: 128,
  windows: 'causal',
  ...over,
});
const paged = (over: Partial<MqaPagedCase> = {}): MqaPagedCase => ({
  kind: 'paged-mqa-logits',
  batch: 256,
  nextN: 2,
  heads: 64,
  dim: 128,
  avgKv: 8192,
  ...over,
});

test('the kernels take heads 32/64, dim 64/128, and every seq length', () => {
  for (const heads of [32, 64])
    for (const dim of [64, 128]) {
      assert.deepEqual(plainProblems(plain({ heads, dim, seqQ: 1, seqKv: 1 })), []);
      assert.deepEqual(plainProblems(plain({ heads, dim, seqQ: 37, seqKv: 509, windows: 'ragged' })), []);
      assert.deepEqual(pagedProblems(paged({ heads, dim, nextN: 1 })), []);
    }
});

test('heads other than 32/64 and dims other than 64/128 are coded E_INVALID_SHAPE with what would work', () => {
  const [h] = plainProblems(plain({ heads: 16 }));
  assert.equal(h.code, 'E_INVALID_SHAPE');
  assert.equal(h.rule, 'heads');
  assert.match(h.message, /heads must be 32 or 64.*got 16/);
  const [d] = plainProblems(plain({ dim: 32 }));
  assert.equal(d.rule, 'head-dim');
  assert.match(d.message, /dim must be 64 or 128.*got 32.*Pad dim/);
  assert.deepEqual(
    plainProblems(plain({ heads: 48, dim: 96 })).map((p) => p.rule),
    ['heads', 'head-dim'],
  );
});

test('next_n x heads above 128 is refused, saying which next_n the heads allow', () => {
  assert.deepEqual(pagedProblems(paged({ heads: 32, nextN: 4 })), []);
  const [n] = pagedProblems(paged({ heads: 64, nextN: 3 }));
  assert.equal(n.rule, 'next-n');
  assert.match(n.message, /got next_n 3 with 64 heads\. With 64 heads next_n may be 1 or 2/);
  assert.match(pagedProblems(paged({ heads: 32, nextN: 5 }))[0].message, /With 32 heads next_n may be 1\.\.4/);
  assert.equal(pagedProblems(paged({ nextN: 0 }))[0].rule, 'next-n');
});

test('window generators need the shapes they are defined on', () => {
  assert.deepEqual(plainProblems(plain({ windows: 'cp', seqQ: 2048, seqKv: 65536 })), []);
  const [cp] = plainProblems(plain({ windows: 'cp', seqQ: 3000, seqKv: 8192 }));
  assert.equal(cp.rule, 'window');
  assert.match(cp.message, /multiple of seq_q.*Use causal or ragged/);
  assert.equal(plainProblems(plain({ windows: 'causal', seqQ: 9000, seqKv: 8192 }))[0].rule, 'window');
  assert.deepEqual(plainProblems(plain({ windows: 'ragged', seqQ: 9000, seqKv: 8192 })), []);
});

test("lengths: zero, fractions and batches over the schedule kernel's shared memory", () => {
  assert.equal(plainProblems(plain({ seqQ: 0 }))[0].rule, 'length');
  assert.equal(plainProblems(plain({ seqKv: 2.5 }))[0].rule, 'length');
  assert.deepEqual(pagedProblems(paged({ batch: MQA_MAX_BATCH })), []);
  const [b] = pagedProblems(paged({ batch: MQA_MAX_BATCH + 1 }));
  assert.equal(b.rule, 'length');
  assert.match(b.message, /Split the batch/);
  assert.equal(caseProblems(paged({ avgKv: 0 }))[0].rule, 'length');
});

test("shared memory mirrors the kernels' layouts (DeepGEMM-size stages fit in 227 KB)", () => {
  // Q 3 x 128x128 + KV 3 x 256x128 + weights 3 x 512 + scales 3 x 1024 + 12 barriers.
  assert.equal(plainSharedBytes(64, 128), 3 * 16384 + 3 * 32768 + 3 * 512 + 3 * 1024 + 12 * 8);
  assert.equal(plainSharedBytes(32, 64), 3 * 8192 + 3 * 16384 + 3 * 512 + 3 * 1024 + 12 * 8);
  // Q 3 x (2x64)x128 + 4 rings x 3 x 64x128 + weights 3 x 512 + scales 4 x 3 x 256 + (3 + 12) x 2 barriers.
  assert.equal(pagedSharedBytes(2, 64, 128), 3 * 16384 + 12 * 8192 + 3 * 512 + 12 * 256 + 30 * 8);
  for (const c of [plain(), plain({ heads: 32, dim: 64 }), paged(), paged({ nextN: 1, heads: 32, dim: 64 })]) {
    const k = mqaKernelConfig(c);
    assert.ok(k.sharedBytes <= 232448, `${JSON.stringify(c)}: ${k.sharedBytes} B`);
    assert.equal(k.threads, 640);
  }
  assert.equal(mqaKernelConfig(plain()).nextN, 1);
  assert.equal(mqaKernelConfig(paged({ nextN: 2 })).nextN, 2);
});

test('paged inputs: lengths within the table, page ids within the cache', () => {
  // Two requests, next_n 2; the second's last token sees 130 keys = 3 pages.
  const ctx = Int32Array.from([10, 64, 100, 130]);
  const table = Int32Array.from([5, 0, 0, 1, 2, 3]);
  assert.deepEqual(pagedInputProblems(ctx, 2, table, 3, 6), []);
  const [short] = pagedInputProblems(ctx, 2, Int32Array.from([5, 0, 1, 2]), 2, 6);
  assert.equal(short.rule, 'context-len');
  assert.match(short.message, /request 1 sees 130 keys = 3 pages of 64, but block_table rows hold 2 pages/);
  const [id] = pagedInputProblems(ctx, 2, Int32Array.from([5, 0, 0, 1, 2, 6]), 3, 6);
  assert.equal(id.rule, 'block-table');
  assert.match(id.message, /block_table\[1, 2\] is 6; .*\[0, 5\]/);
  // Unused table entries (past a request's pages) are not read, so any value is fine there.
  assert.deepEqual(pagedInputProblems(ctx, 2, Int32Array.from([5, -1, 99, 1, 2, 3]), 3, 6), []);
  assert.equal(pagedInputProblems(Int32Array.from([1, -2]), 2, Int32Array.from([0]), 1, 1)[0].rule, 'context-len');
  assert.equal(pagedInputProblems(Int32Array.from([1, 2, 3]), 2, Int32Array.from([0]), 1, 1)[0].code, 'E_BAD_ARGUMENT');
});

test('a window generator that does not exist is named', () => {
  const [w] = plainProblems(plain({ windows: 'diagonal' as never }));
  assert.equal(w.rule, 'window');
  assert.match(w.message, /windows must be causal, cp or ragged; got diagonal/);
});

test("the plain logits stride: 16-byte rows, or DeepGEMM's seq_kv + 256 keys in whole 1 KB rows", () => {
  assert.equal(plainLogitsStride(65536), 65536);
  assert.equal(plainLogitsStride(8190), 8192);
  assert.equal(plainLogitsStride(65536, 'deepgemm'), 65792);
  assert.equal(plainLogitsStride(8190, 'deepgemm'), 8448);
  // Never a power-of-two row for the power-of-two lengths DeepGEMM tests.
  for (const n of [4096, 8192, 65536]) assert.notEqual(Math.log2(plainLogitsStride(n, 'deepgemm')) % 1, 0);
});
