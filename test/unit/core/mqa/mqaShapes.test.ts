// The MQA-logits case lists (DeepGEMM's sm90 test shapes) and the shape text of the CLI.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { caseProblems } from '../../../../extension/src/core/mqa/mqaRules';
import {
  defaultCases,
  defaultPagedCases,
  defaultPlainCases,
  mqaCaseLabel,
  parseMqaShape,
} from '../../../../extension/src/core/mqa/mqaShapes';

test("the default lists are DeepGEMM's sm90 test shapes, every one valid", () => {
  const plain = defaultPlainCases();
  // 2 seq_q x 2 seq_kv x 2 heads x 2 dims x (cp, causal): seq_kv is a multiple of seq_q in all four pairs.
  assert.equal(plain.length, 32);
  assert.deepEqual([...new Set(plain.map((c) => c.seqKv))], [8192, 65536]);
  assert.deepEqual([...new Set(plain.map((c) => c.heads))], [32, 64]);
  const paged = defaultPagedCases();
  // (256, 8192), (256, 65536), (4096, 8192) under 32 Mi keys; x next_n {1, 2} x heads {32, 64}.
  assert.equal(paged.length, 12);
  assert.ok(paged.every((c) => c.dim === 128 && c.batch * c.avgKv <= 32 * 1024 * 1024));
  assert.ok(!paged.some((c) => c.batch === 4096 && c.avgKv === 65536));
  for (const c of [...defaultCases('mqa-logits'), ...defaultCases('paged-mqa-logits')])
    assert.deepEqual(caseProblems(c), [], mqaCaseLabel(c));
});

test('shape text: plain SQ,SK,H,D[,windows], paged B,NEXT_N,H,D,AVG_KV', () => {
  assert.deepEqual(parseMqaShape('mqa-logits', '128,1024,64,128'), {
    kind: 'mqa-logits',
    seqQ: 128,
    seqKv: 1024,
    heads: 64,
    dim: 128,
    windows: 'causal',
  });
  assert.deepEqual(parseMqaShape('mqa-logits', '37, 509, 32, 64, ragged'), {
    kind: 'mqa-logits',
    seqQ: 37,
    seqKv: 509,
    heads: 32,
    dim: 64,
    windows: 'ragged',
  });
  assert.deepEqual(parseMqaShape('paged-mqa-logits', '64,2,64,128,4096'), {
    kind: 'paged-mqa-logits',
    batch: 64,
    nextN: 2,
    heads: 64,
    dim: 128,
    avgKv: 4096,
  });
  assert.match(parseMqaShape('mqa-logits', '128,1024,64') as string, /SEQ_Q,SEQ_KV,HEADS,DIM/);
  assert.match(
    parseMqaShape('mqa-logits', '128,1024,64,128,diagonal') as string,
    /windows must be causal, cp or ragged/,
  );
  assert.match(parseMqaShape('mqa-logits', '128,1024,48,128') as string, /heads must be 32 or 64/);
  assert.match(parseMqaShape('paged-mqa-logits', '64,3,64,128,4096') as string, /next_n may be 1 or 2/);
  assert.match(parseMqaShape('paged-mqa-logits', '64,x,64,128,4096') as string, /BATCH,NEXT_N,HEADS,DIM,AVG_KV/);
});

test('labels name every dimension', () => {
  assert.equal(
    mqaCaseLabel({ kind: 'mqa-logits', seqQ: 2048, seqKv: 8192, heads: 64, dim: 128, windows: 'cp' }),
    'SQ=2048 SK=8192 H=64 D=128 cp',
  );
  assert.equal(
    mqaCaseLabel({ kind: 'paged-mqa-logits', batch: 256, nextN: 2, heads: 32, dim: 128, avgKv: 65536 }),
    'B=256 next_n=2 H=32 D=128 avg_kv=65536',
  );
});
