// Every PTX instruction and special register that appears in an asm string under kernels/ (scanned
// now, from the real files) must have a knowledge entry, so a new instruction cannot go unexplained.
// Also: the list of Hopper instructions is covered, and every entry is well-formed.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { findAsmStatements } from '../../../extension/server/hover/asmStatements';
import { decodeQualifiers, lookupPtx, lookupSpecialRegister } from '../../../extension/server/hover/ptxLookup';
import { parsePtxInstructions, percentRefs } from '../../../extension/server/hover/ptxStatements';
import { defaultKnowledge as kb } from '../../../extension/server/knowledge';

const root = join(__dirname, '..', '..', '..', '..');

function kernelFiles(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) kernelFiles(p, out);
    else if (/\.(cuh|cu|h|hpp|cuhpp)$/.test(name)) out.push(p);
  }
  return out;
}

test('every PTX instruction (and each of its qualifiers) in asm strings under kernels/ has a knowledge entry', () => {
  const files = kernelFiles(join(root, 'kernels'));
  const seen = new Map<string, string>();
  const missing: string[] = [];
  let statements = 0;
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    for (const st of findAsmStatements(text)) {
      statements++;
      for (const instr of parsePtxInstructions(st.ptx)) {
        const where = `${relative(root, file)}: ${instr.opcode.text}`;
        seen.set(instr.opcode.text, where);
        const match = lookupPtx(instr.opcode.text, kb);
        if (!match) missing.push(where);
        else
          for (const q of decodeQualifiers(match, kb))
            if (!q.meaning) missing.push(`${where}: qualifier ${q.qualifier} has no meaning`);
        for (const ref of percentRefs(st.ptx, instr.statement.start, instr.statement.end)) {
          if (
            ref.kind === 'special' &&
            st.ptx.slice(ref.start, ref.start + 2) === '%%' &&
            !lookupSpecialRegister(ref.value, kb)
          ) {
            missing.push(`${relative(root, file)}: special register %${ref.value}`);
          }
        }
      }
    }
  }
  // The kernels are built from inline PTX; finding none means the scan (or the tree) is broken.
  assert.ok(statements > 10, `expected the kernels' asm statements, found ${statements} in ${files.length} files`);
  assert.ok(seen.size > 10, `expected many distinct opcodes, found ${seen.size}`);
  assert.deepEqual(
    missing,
    [],
    `PTX without a knowledge entry (add one to extension/server/knowledge/ptx.ts):\n${missing.join('\n')}`,
  );
});

test('the Hopper instructions the issue lists are all explained', () => {
  const required = [
    'wgmma.mma_async.sync.aligned.m64n128k32.f32.e4m3.e4m3',
    'wgmma.fence.sync.aligned',
    'wgmma.commit_group.sync.aligned',
    'wgmma.wait_group.sync.aligned',
    'cp.async.bulk.tensor.2d.shared::cluster.global.mbarrier::complete_tx::bytes',
    'cp.async.bulk.tensor.2d.global.shared::cta.bulk_group',
    'cp.reduce.async.bulk.tensor.2d.global.shared::cta.add.tile.bulk_group',
    'cp.async.bulk.commit_group',
    'cp.async.bulk.wait_group.read',
    'prefetch.tensormap',
    'tensormap.replace.tile.global_address.shared::cta.b1024.b64',
    'mbarrier.init.shared::cta.b64',
    'mbarrier.arrive.shared::cta.b64',
    'mbarrier.arrive.expect_tx.shared::cta.b64',
    'mbarrier.expect_tx.relaxed.cta.shared::cta.b64',
    'mbarrier.try_wait.parity.shared::cta.b64',
    'fence.proxy.async.shared::cta',
    'fence.mbarrier_init.release.cluster',
    'barrier.cluster.arrive.relaxed.aligned',
    'barrier.cluster.wait',
    'bar.sync',
    'barrier.sync',
    'elect.sync',
    'setmaxnreg.inc.sync.aligned.u32',
    'stmatrix.sync.aligned.x4.m8n8.shared.b16',
    'ldmatrix.sync.aligned.m8n8.x4.shared.b16',
    'mapa.shared::cluster.u32',
    'griddepcontrol.wait',
    'griddepcontrol.launch_dependents',
  ];
  for (const op of required) assert.ok(lookupPtx(op, kb), `no entry for ${op}`);
  assert.equal(lookupPtx('barrier.cluster.arrive', kb)!.entry.mnemonic, 'barrier.cluster');
  assert.equal(lookupPtx('cp.async.bulk.wait_group.read', kb)!.entry.mnemonic, 'cp.async.bulk.wait_group');
  assert.equal(
    lookupPtx('fence.proxy.tensormap::generic.release.gpu', kb)!.entry.mnemonic,
    'fence.proxy.tensormap::generic',
  );
  for (const r of [
    'cluster_ctarank',
    'cluster_nctarank',
    'clusterid',
    'globaltimer',
    'globaltimer_lo',
    'smid',
    'clock64',
    'tid.x',
  ]) {
    assert.ok(lookupSpecialRegister(r, kb), `no entry for %${r}`);
  }
  assert.equal(lookupPtx('frobnicate.sync', kb), null);
});

test('knowledge entries are well-formed: text, versions, anchors, no duplicates', () => {
  const mnemonics = new Set<string>();
  for (const e of kb.ptx) {
    assert.ok(!mnemonics.has(e.mnemonic), `duplicate entry ${e.mnemonic}`);
    mnemonics.add(e.mnemonic);
    assert.ok(e.title.length > 1 && e.summary.length > 10, `${e.mnemonic}: title/summary too short`);
    assert.match(e.ptx, /^\d+\.\d+$/, `${e.mnemonic}: PTX version`);
    assert.match(e.target, /^(all|sm_\d+a?)$/, `${e.mnemonic}: target`);
    assert.match(e.anchor, /^[a-z0-9-]+$/, `${e.mnemonic}: anchor`);
  }
  for (const r of kb.specialRegisters) assert.match(r.anchor, /^special-registers-[a-z0-9-]+$/);
  for (const c of kb.concepts) {
    assert.ok(c.identifiers?.length || c.patterns?.length, `${c.id}: nothing names it`);
    for (const p of c.patterns ?? []) assert.doesNotThrow(() => new RegExp(p), `${c.id}: bad pattern ${p}`);
    for (const l of c.links ?? []) assert.match(l.url, /^https:\/\//);
  }
  const fields = new Set(kb.templateParams.map((t) => t.field));
  for (const f of [
    'blockM',
    'blockN',
    'blockK',
    'numStages',
    'numMathWarpgroups',
    'clusterM',
    'clusterN',
    'swizzleA',
    'swizzleB',
    'swizzleD',
  ]) {
    assert.ok(fields.has(f as never), `template parameter field ${f} has no entry`);
  }
});
