// The SASS parser on real sm_90a output of nvdisasm (-gi, -g) and cuobjdump (test/fixtures/sass).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { detectFormat, parseSass, splitInstruction, splitOperands } from '../../../../extension/src/core/sass/parse';
import { reportFromText } from '../../../../extension/src/runtime/sass/disassemble';
import { fixture, fixtureText, rawInstructionLines, SASS_FIXTURES as F } from './fixtures';

const KERNEL_128 = 'fp8lab_sm90_fp8_gemm_1d2d_normal_bm128_bn128_bk128_st5_wg2_cm1_cn1_sa128_sb128_sd128_sms132';

describe('parseSass on nvdisasm -c -gi -hex (4096x7168x2048, 128x128)', () => {
  const { listing, unreadLines } = fixture(F.nvdisasm128);
  const fn = listing.functions[0];

  test('one function, every instruction line read, with encodings and line info', () => {
    assert.equal(listing.format, 'nvdisasm');
    assert.equal(listing.arch, 'sm_90a');
    assert.deepEqual(
      listing.functions.map((f) => f.name),
      [KERNEL_128],
    );
    assert.equal(fn.instructions.length, rawInstructionLines(fixtureText(F.nvdisasm128)).length);
    assert.equal(fn.instructions.length, 2816);
    assert.equal(unreadLines, 0);
    assert.ok(listing.hasEncodings && listing.hasLineInfo);
    fn.instructions.forEach((ins, i) =>
      assert.equal(ins.offset, i * 16, `instruction ${i} at 0x${ins.offset.toString(16)}`),
    );
  });

  test('the -gi block gives the innermost line and each call site out to the kernel', () => {
    const s2r = fn.instructions.find((i) => i.opcode === 'S2R')!;
    assert.equal(s2r.offset, 0x10);
    assert.match(s2r.source!.file, /kernels\/include\/fp8lab\/impls\/sm90_fp8_gemm_1d2d\.cuh$/);
    assert.equal(s2r.source!.line, 213);
    assert.deepEqual(
      s2r.source!.inlinedAt!.map((s) => [s.file.replace(/^.*\//, ''), s.line]),
      [
        ['sm90_fp8_gemm_1d2d.cuh', 785],
        ['kernel.cu', 20],
      ],
    );
  });

  test('QGMMA with its shape and types as modifiers, operands split at top-level commas', () => {
    const q = fn.instructions.find((i) => i.opcode === 'QGMMA')!;
    assert.deepEqual(q.modifiers, ['64x128x32', 'F32', 'E4M3', 'E4M3']);
    assert.ok(
      q.operands.some((o) => /^gdesc\[UR\d+\]/.test(o)),
      q.text,
    );
    assert.equal(q.operands.join(', '), q.text.slice(q.text.indexOf(' ') + 1));
  });

  test('branch targets resolve from labels', () => {
    const branches = fn.instructions.filter((i) => i.opcode === 'BRA');
    assert.ok(branches.length > 50);
    const offsets = new Set(fn.instructions.map((i) => i.offset));
    for (const b of branches) assert.ok(b.branchTarget !== undefined && offsets.has(b.branchTarget), b.text);
  });
});

test('cuobjdump -sass of the same cubin parses to the same instructions, encodings and branch targets', () => {
  const a = fixture(F.nvdisasm128).listing.functions[0].instructions;
  const b = fixture(F.cuobjdump128).listing;
  assert.equal(b.format, 'cuobjdump');
  assert.equal(b.arch, 'sm_90a');
  assert.equal(b.hasLineInfo, false);
  const bi = b.functions[0].instructions;
  assert.equal(b.functions[0].name, KERNEL_128);
  assert.equal(bi.length, a.length);
  for (let i = 0; i < a.length; i++) {
    assert.equal(bi[i].opcode, a[i].opcode);
    assert.deepEqual(bi[i].modifiers, a[i].modifiers);
    assert.equal(bi[i].predicate, a[i].predicate);
    assert.deepEqual(bi[i].encoding, a[i].encoding);
    // nvdisasm names targets with labels (`(.L_x_3)), cuobjdump with addresses (0x470): both resolve alike.
    assert.equal(bi[i].branchTarget, a[i].branchTarget, `${a[i].text} vs ${bi[i].text}`);
  }
});

test('nvdisasm -g (no inlining chain) still gives each instruction its innermost line', () => {
  const { listing } = fixture(F.nvdisasmG64);
  const ins = listing.functions[0].instructions;
  assert.equal(ins.length, rawInstructionLines(fixtureText(F.nvdisasmG64)).length);
  assert.ok(listing.hasLineInfo);
  assert.ok(ins.every((i) => i.source && !i.source.inlinedAt));
  assert.equal(ins[1].source!.line, 213);
});

test('the split-K cuobjdump listing (another config) parses without unread lines', () => {
  const r = fixture(F.cuobjdumpSplitK);
  assert.equal(r.unreadLines, 0);
  assert.equal(r.listing.functions.length, 1);
  assert.match(r.listing.functions[0].name, /_sk2$/);
  assert.equal(r.listing.functions[0].instructions.length, rawInstructionLines(fixtureText(F.cuobjdumpSplitK)).length);
});

test('instruction and operand splitting', () => {
  assert.deepEqual(splitInstruction('@!P0 SYNCS.PHASECHK.TRANS64.TRYWAIT P0, [R3+URZ+0x30], R4'), {
    predicate: '@!P0',
    opcode: 'SYNCS',
    modifiers: ['PHASECHK', 'TRANS64', 'TRYWAIT'],
    operands: ['P0', '[R3+URZ+0x30]', 'R4'],
  });
  assert.deepEqual(splitInstruction('EXIT'), { opcode: 'EXIT', modifiers: [], operands: [] });
  assert.deepEqual(splitOperands('R2, desc[UR4][R2.64], c[0x0][0x210], {R4, R5}'), [
    'R2',
    'desc[UR4][R2.64]',
    'c[0x0][0x210]',
    '{R4, R5}',
  ]);
});

test('format detection and input that is not SASS', () => {
  assert.equal(detectFormat(fixtureText(F.cuobjdump128)), 'cuobjdump');
  assert.equal(detectFormat(fixtureText(F.nvdisasm128)), 'nvdisasm');
  assert.equal(parseSass('hello\nworld\n').listing.functions.length, 0);
  assert.throws(
    () => reportFromText('not a listing', 'notes.txt'),
    (e: Error & { code?: string }) =>
      e.code === 'E_SASS_FAILED' && /notes\.txt holds no SASS instructions/.test(e.message),
  );
});
