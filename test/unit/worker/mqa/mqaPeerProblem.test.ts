// What the worker sends DeepGEMM for an MQA-logits case: the draws it made itself, windows clipped to
// the unsigned range DeepGEMM reads, so both sides score the same (query, key) pairs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { drawPaged, drawPlain, windowKeys } from '../../../../extension/src/core/mqa/mqaDraws';
import { mqaPeerProblem } from '../../../../extension/src/worker/mqa/mqaCaseBench';

test('the peer gets the same pairs with windows clipped to 0 <= ks <= ke <= seq_kv', () => {
  const c = { kind: 'mqa-logits' as const, seqQ: 500, seqKv: 300, heads: 64, dim: 128, windows: 'ragged' as const };
  const d = drawPlain(c, 11);
  const p = mqaPeerProblem(c, d);
  assert.ok(p.kind === 'mqa-logits');
  for (let i = 0; i < c.seqQ; i++) {
    assert.ok(p.ks[i] >= 0 && p.ks[i] <= p.ke[i] && p.ke[i] <= c.seqKv, `${i}: [${p.ks[i]}, ${p.ke[i]})`);
    assert.equal(p.ke[i] - p.ks[i], windowKeys(d.ks[i], d.ke[i], c.seqKv));
  }
  const paged = { kind: 'paged-mqa-logits' as const, batch: 4, nextN: 2, heads: 32, dim: 128, avgKv: 200 };
  const pd = drawPaged(paged, 2);
  assert.deepEqual(mqaPeerProblem(paged, pd), {
    kind: paged.kind,
    batch: 4,
    nextN: 2,
    heads: 32,
    dim: 128,
    contextLens: [...pd.contextLens],
  });
});
