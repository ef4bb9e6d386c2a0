// Mix, loops, per-line counts and the diff on the real H100 listings, each checked against an
// independent count of the raw text or an independent algorithm.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { alignKey, diffFunctions } from '../../../../extension/src/core/sass/diff';
import { findLoops, flattenLoops } from '../../../../extension/src/core/sass/loops';
import { familyOf, functionMix, instructionMix, mixDelta } from '../../../../extension/src/core/sass/mix';
import {
  countByLine,
  countsForFile,
  describeLineCount,
  repoRelativeSource,
} from '../../../../extension/src/core/sass/sourceLines';
import { DOCUMENTED_OPCODES, opcodeDoc } from '../../../../extension/src/core/sass/opcodes';
import { fixture, fixtureText, rawInstructionLines, SASS_FIXTURES as F } from './fixtures';

const fn128 = () => fixture(F.nvdisasm128).listing.functions[0];
const fn256 = () => fixture(F.nvdisasm256).listing.functions[0];
const rawCount = (name: string, re: RegExp) => rawInstructionLines(fixtureText(name)).filter((l) => re.test(l)).length;

test('the mix counts what the raw text holds: QGMMA by shape, FFMA, SYNCS, UTMALDG', () => {
  const mix = functionMix(fn128());
  const count = (key: string) => mix.entries.find((e) => e.key === key)?.count ?? 0;
  assert.equal(mix.total, rawInstructionLines(fixtureText(F.nvdisasm128)).length);
  assert.equal(
    count('QGMMA 64x128x32 F32.E4M3.E4M3'),
    rawCount(F.nvdisasm128, /\bQGMMA\.64x128x32\.F32\.E4M3\.E4M3\b/),
  );
  assert.equal(count('QGMMA 64x128x32 F32.E4M3.E4M3'), 48);
  assert.equal(count('FFMA'), rawCount(F.nvdisasm128, /\*\/\s+(@!?U?P\w+\s+)?FFMA\s/));
  assert.equal(count('SYNCS'), rawCount(F.nvdisasm128, /\*\/\s+(@!?U?P\w+\s+)?SYNCS\./));
  assert.equal(count('UTMALDG'), rawCount(F.nvdisasm128, /\*\/\s+(@!?U?P\w+\s+)?UTMALDG\./));
  assert.equal(
    mix.families.reduce((a, f) => a + f.count, 0),
    mix.total,
  );
  assert.equal(mix.families.find((f) => f.family === 'tensor')!.count, 48);
  // Families a Hopper GEMM engineer reads for: FP32 promotion, shared memory, TMA, barriers, branches, setmaxnreg.
  for (const op of ['FFMA', 'LDS', 'STSM', 'UTMALDG', 'SYNCS', 'BAR', 'BRA', 'USETMAXREG', 'WARPGROUP', 'F2FP'])
    assert.notEqual(familyOf(op), 'other', op);
});

test('mix deltas of 128x128 against 256x128 are right minus left for every key', () => {
  const a = functionMix(fn128()),
    b = functionMix(fn256());
  const d = mixDelta(a, b);
  const q = d.find((r) => r.key === 'QGMMA 64x128x32 F32.E4M3.E4M3')!;
  assert.deepEqual([q.left, q.right, q.delta], [48, 8, -40]);
  for (const r of d) assert.equal(r.delta, r.right - r.left);
  assert.equal(
    d.reduce((s, r) => s + r.delta, 0),
    b.total - a.total,
  );
  assert.deepEqual(instructionMix([]), { total: 0, entries: [], families: [] });
});

test('loops come from back edges: headers dominate, the retry stubs at the end do not span the kernel', () => {
  const fn = fn128();
  const loops = flattenLoops(findLoops(fn));
  assert.ok(loops.length >= 10, `${loops.length} loops`);
  const ins = fn.instructions;
  for (const l of loops) {
    const last = ins[l.last];
    assert.equal(last.opcode, 'BRA', `loop at 0x${l.start.toString(16)} ends in ${last.text}`);
    assert.ok(l.first <= l.last && ins[l.first].offset === l.start && last.offset === l.end);
    // Some branch inside the range goes back to the header.
    assert.ok(ins.slice(l.first, l.last + 1).some((x) => x.opcode === 'BRA' && x.branchTarget === l.start));
    for (const c of l.children) assert.ok(c.first >= l.first && c.last <= l.last && c.depth === l.depth + 1);
  }
  // A naive "every backward branch is a loop" would make the mbarrier retry stubs at the end of the
  // kernel (which jump back into the main code) into loops spanning most of it.
  assert.ok(
    loops.every((l) => l.last - l.first < ins.length / 2),
    'a loop spans more than half the kernel',
  );
  // A K loop: tensor-core instructions and an mbarrier wait in one loop (the first K block is
  // peeled, so not every QGMMA is inside a loop).
  assert.ok(
    loops.some(
      (l) =>
        ins.slice(l.first, l.last + 1).some((x) => x.opcode === 'QGMMA') &&
        ins.slice(l.first, l.last + 1).some((x) => x.opcode === 'SYNCS' && x.modifiers.includes('TRYWAIT')),
    ),
    'no loop holds QGMMAs and an mbarrier wait',
  );
});

test('per-line counts agree with the -gi blocks in the raw text', () => {
  const counts = countByLine([fn128()]);
  const text = fixtureText(F.nvdisasm128);
  // Independent count: instructions whose -gi block starts with wgmma.cuh line 52 (nvdisasm prints a
  // block when the position changes: an instruction without one keeps the previous block).
  let direct = 0,
    tensor = 0,
    first: string | undefined,
    inBlock = false;
  for (const line of text.split('\n')) {
    if (/\/\/## File/.test(line)) {
      if (!inBlock) first = line;
      inBlock = true;
      continue;
    }
    if (/^\s+\/\*[0-9a-f]{4}\*\/\s+\S/.test(line)) {
      inBlock = false;
      if (first && /ptx\/wgmma\.cuh", line 52\b/.test(first)) {
        direct++;
        if (/QGMMA/.test(line)) tensor++;
      }
    }
  }
  const c = counts['kernels/include/fp8lab/ptx/wgmma.cuh'][52];
  assert.deepEqual([c.direct, c.directTensor], [direct, tensor]);
  assert.ok(tensor > 0);
  const all = Object.values(counts)
    .flatMap((f) => Object.values(f))
    .reduce((a, x) => a + x.direct, 0);
  assert.equal(all, fn128().instructions.filter((i) => i.source && i.source.line > 0).length);
  // The kernel body line every instruction is inlined into.
  const kernelLine = counts['kernels/include/fp8lab/impls/sm90_fp8_gemm_1d2d.cuh'][785];
  assert.equal(kernelLine.inlinedTensor, 48);
  assert.equal(
    countsForFile(counts, '/home/me/ws/kernels/include/fp8lab/ptx/wgmma.cuh'),
    counts['kernels/include/fp8lab/ptx/wgmma.cuh'],
  );
  assert.equal(
    describeLineCount({ direct: 3, directTensor: 1, inlined: 0, inlinedTensor: 0 }),
    'this line became 3 SASS instructions (1 tensor-core)',
  );
  assert.equal(
    describeLineCount({ direct: 0, directTensor: 0, inlined: 12, inlinedTensor: 0 }),
    'this line became 12 SASS instructions inlined from the calls on it (0 tensor-core)',
  );
  assert.equal(repoRelativeSource('/work/main/kernels/include/fp8lab/x.cuh'), 'kernels/include/fp8lab/x.cuh');
});

/** Length of the longest common subsequence by dynamic programming (two rows). */
function lcs(a: string[], b: string[]): number {
  let prev = new Int32Array(b.length + 1),
    cur = new Int32Array(b.length + 1);
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++)
      cur[j] = a[i - 1] === b[j - 1] ? prev[j - 1] + 1 : Math.max(prev[j], cur[j - 1]);
    [prev, cur] = [cur, prev];
  }
  return prev[b.length];
}

test('the aligned listing is a longest common subsequence of the opcode sequences, in order', () => {
  const a = fn128(),
    b = fn256();
  const d = diffFunctions(a, b);
  assert.equal(d.truncated, false);
  assert.equal(d.same, lcs(a.instructions.map(alignKey), b.instructions.map(alignKey)));
  const lefts = d.rows.filter((r) => r.left !== undefined).map((r) => r.left);
  const rights = d.rows.filter((r) => r.right !== undefined).map((r) => r.right);
  assert.deepEqual(
    lefts,
    a.instructions.map((_, i) => i),
  );
  assert.deepEqual(
    rights,
    b.instructions.map((_, i) => i),
  );
  for (const r of d.rows.filter((x) => x.kind === 'same'))
    assert.equal(alignKey(a.instructions[r.left!]), alignKey(b.instructions[r.right!]));
  const self = diffFunctions(a, a);
  assert.equal(self.same, a.instructions.length);
  assert.ok(self.mix.every((m) => m.delta === 0));
});

test('every opcode in the fixtures has a one-line meaning for the hover', () => {
  const seen = new Set(
    Object.values(F).flatMap((n) => fixture(n).listing.functions.flatMap((f) => f.instructions.map((i) => i.opcode))),
  );
  const missing = [...seen].filter((op) => !opcodeDoc(op));
  assert.deepEqual(missing, []);
  assert.ok(DOCUMENTED_OPCODES.includes('QGMMA') && /warpgroup/i.test(opcodeDoc('QGMMA')!.summary));
});
