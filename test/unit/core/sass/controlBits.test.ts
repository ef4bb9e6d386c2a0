// Control-bit decoding on the real H100 encodings. The reuse field is checked against what
// nvdisasm/cuobjdump print (.reuse on operands) on every instruction; the scoreboard fields for
// consistency (what one instruction sets, a later one waits on).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  decodeControlBits,
  describeControlBits,
  formatControlBits,
  textReuseSlots,
} from '../../../../extension/src/core/sass/controlBits';
import { fixture, SASS_FIXTURES as F } from './fixtures';

const withEncodings = [F.nvdisasm128, F.cuobjdump128, F.nvdisasm256, F.nvdisasmG64, F.cuobjdumpSplitK];

test('the decoded reuse bits are exactly the operands the disassembler marks .reuse, on every instruction', () => {
  let marked = 0;
  for (const name of withEncodings) {
    for (const ins of fixture(name).listing.functions.flatMap((f) => f.instructions)) {
      const c = decodeControlBits(ins.encoding!.hi)!;
      assert.deepEqual(c.reuse, textReuseSlots(ins.operands), `${name}: ${ins.text} (${ins.encoding!.hi})`);
      marked += c.reuse.length;
    }
  }
  assert.ok(marked > 300, `only ${marked} reuse marks: the check would prove little`);
});

test('the scoreboards are consistent: what one instruction sets, a later one waits on', () => {
  // Variable-latency instructions (special registers, MUFU, conversions) always set a write
  // scoreboard, and every scoreboard set is waited on by a later instruction's wait mask, except
  // LDGDEPBAR's, which DEPBAR counts through its operand (SB0) instead.
  for (const name of [F.nvdisasm128, F.nvdisasm256, F.cuobjdumpSplitK]) {
    const ins = fixture(name).listing.functions[0].instructions;
    let setters = 0;
    for (let i = 0; i < ins.length; i++) {
      const c = decodeControlBits(ins[i].encoding!.hi)!;
      if (['S2R', 'S2UR', 'MUFU', 'I2F'].includes(ins[i].opcode))
        assert.notEqual(c.writeBarrier, undefined, `${name}: ${ins[i].text} sets no write scoreboard`);
      if (c.writeBarrier === undefined || ins[i].opcode === 'LDGDEPBAR') continue;
      setters++;
      const waited = ins
        .slice(i + 1, i + 200)
        .some((n) => decodeControlBits(n.encoding!.hi)!.waitOn.includes(c.writeBarrier!));
      assert.ok(
        waited,
        `${name}: nothing after ${ins[i].text} at 0x${ins[i].offset.toString(16)} waits on scoreboard ${c.writeBarrier}`,
      );
    }
    assert.ok(setters > 60, `${name}: only ${setters} scoreboard setters`);
  }
});

test('the first instructions of the 64x16 kernel decode as the S2R -> ISETP dependency', () => {
  const ins = fixture(F.nvdisasmG64).listing.functions[0].instructions;
  // S2R R22, SR_TID.X sets scoreboard 1; ISETP reading R22 two instructions later waits on it.
  assert.equal(ins[1].text, 'S2R R22, SR_TID.X');
  assert.equal(ins[1].encoding!.hi, '000e620000002100');
  const s2r = decodeControlBits(ins[1].encoding!.hi)!;
  assert.equal(s2r.writeBarrier, 1);
  assert.equal(s2r.readBarrier, undefined);
  assert.deepEqual(s2r.waitOn, []);
  assert.equal(ins[3].text, 'ISETP.NE.AND P0, PT, R22, 0x80, PT');
  const isetp = decodeControlBits(ins[3].encoding!.hi)!;
  assert.deepEqual(isetp.waitOn, [1]);
  assert.equal(isetp.stall, 2);
  assert.equal(isetp.yield, false);
  assert.equal(formatControlBits(isetp), 'B-1----:R-:W-:-:S02');
});

test('malformed words are not decoded; descriptions read as sentences', () => {
  assert.equal(decodeControlBits('xyz'), undefined);
  assert.equal(decodeControlBits('0x000fe20000000800'), undefined);
  const c = decodeControlBits('002fe40003f05270')!;
  assert.deepEqual(describeControlBits(c), [
    'stall 2 cycle(s) before this warp issues again; no yield',
    'waits for scoreboard(s) 1 before issuing',
  ]);
});
