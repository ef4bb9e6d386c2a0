// Every PTX instruction and special register that appears in an asm string under kernels/ (scanned
// now, from the real files) must have a knowledge entry, so a new instruction cannot go unexplained;
// likewise every template parameter of a kernel struct or scheduler and every legality rule a
// static_assert names. Also: the Hopper instructions our kernels are built from are covered, and
// every entry is well-formed.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { findAsmStatements } from '../../../extension/server/hover/asmStatements';
import { lexCpp, type Token } from '../../../extension/server/hover/cppLexer';
import { forFamily, kernelFamilyAt } from '../../../extension/server/hover/kernelFamily';
import { mirrorPaths, ruleMirror } from '../../../extension/server/hover/ruleHover';
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

test('every PTX instruction our kernels use says what they use it for, and its section number', () => {
  const missing = new Set<string>();
  for (const file of kernelFiles(join(root, 'kernels'))) {
    for (const st of findAsmStatements(readFileSync(file, 'utf8'))) {
      for (const instr of parsePtxInstructions(st.ptx)) {
        const match = lookupPtx(instr.opcode.text, kb);
        if (match && !match.entry.uses?.length) missing.add(`${relative(root, file)}: ${match.entry.mnemonic}`);
        // ...and cites its PTX ISA section by number, not only by chapter.
        if (match && !/^\d+(\.\d+)+$/.test(match.entry.section))
          missing.add(`${match.entry.mnemonic}: section "${match.entry.section}" is not a section number`);
      }
    }
  }
  assert.deepEqual(
    [...missing],
    [],
    `instructions without "In our kernels" lines (add them to extension/server/knowledge/ptxUses.ts)`,
  );
});

/** Template parameter names of `template <...> struct Name` declarations, with their offsets. */
function structTemplateParams(tokens: Token[]): Array<{ struct: string; name: string; offset: number }> {
  const out: Array<{ struct: string; name: string; offset: number }> = [];
  for (let i = 0; i < tokens.length; i++) {
    if (tokens[i].text !== 'template' || tokens[i + 1]?.text !== '<') continue;
    const params: Token[] = [];
    let depth = 0;
    let k = i + 1;
    let last: Token | undefined;
    let inDefault = false;
    for (; k < tokens.length; k++) {
      const t = tokens[k];
      if (t.kind === 'comment') continue;
      if (t.text === '<') depth++;
      else if (t.text === '>' || t.text === ',') {
        if (depth === 1 && last) params.push(last);
        if (t.text === ',' && depth === 1) {
          last = undefined;
          inDefault = false;
        }
        if (t.text === '>' && --depth === 0) break;
      } else if (depth === 1 && t.text === '=') inDefault = true;
      else if (depth === 1 && t.kind === 'ident' && !inDefault) last = t;
    }
    const kw = tokens[k + 1];
    const name = tokens[k + 2];
    if (kw?.text !== 'struct' || name?.kind !== 'ident') continue;
    for (const p of params) out.push({ struct: name.text, name: p.text, offset: p.start });
  }
  return out;
}

test('every template parameter of a kernel struct or scheduler has an entry for that kernel', () => {
  const kernelStruct = /^(Sm90\w+|\w*Scheduler(For)?|PagedUnitCursor)$/;
  const missing: string[] = [];
  const seen = new Set<string>();
  for (const file of kernelFiles(join(root, 'kernels/include'))) {
    const text = readFileSync(file, 'utf8');
    const tokens = lexCpp(text);
    for (const p of structTemplateParams(tokens)) {
      if (!kernelStruct.test(p.struct)) continue;
      seen.add(`${p.struct}.${p.name}`);
      const family = kernelFamilyAt(tokens, p.offset);
      const entry = forFamily(
        kb.templateParams.filter((e) => e.identifiers.includes(p.name)),
        family,
      );
      if (!entry) missing.push(`${relative(root, file)}: ${p.struct}<${p.name}> (${family ?? 'no family'})`);
    }
  }
  // The scan must see the kernels' parameter lists (the lexer or the tree changed otherwise).
  for (const expected of [
    'Sm90Bf16Gemm.kOutput',
    'Sm90Bf16Gemm.kGemmType',
    'Sm90Fp8MqaLogits.kNumHeads',
    'Sm90Fp8PagedMqaLogits.kNextN',
    'KGroupedScheduler.BLOCK_K',
    'Sm90Fp8Gemm1D2D.kSplitK',
  ])
    assert.ok(seen.has(expected), `the scan missed ${expected}; saw ${[...seen].join(', ')}`);
  assert.deepEqual(
    missing,
    [],
    `template parameters without an entry (add one to extension/server/knowledge/templateParams.ts):\n${missing.join('\n')}`,
  );
});

test('every legality rule a static_assert names has an entry for that kernel, and its mirror rejects with the same code', () => {
  const missing: string[] = [];
  const checked = new Set<string>();
  for (const file of kernelFiles(join(root, 'kernels/include'))) {
    const text = readFileSync(file, 'utf8');
    const tokens = lexCpp(text);
    tokens.forEach((t, i) => {
      const m = t.kind === 'string' ? /^"rule ([a-z0-9-]+):/.exec(t.text) : null;
      if (!m || tokens[i - 1]?.text !== ',') return;
      const family = kernelFamilyAt(tokens, t.start);
      const entry = forFamily(
        kb.rules.filter((r) => r.id === m[1]),
        family,
      );
      if (!entry) {
        missing.push(`${relative(root, file)}: rule ${m[1]} (${family ?? 'no family'})`);
        return;
      }
      checked.add(`${m[1]}@${family}`);
      // The TypeScript mirror must really use the code (mirror may name two files: check the first);
      // a rule no TypeScript code rejects with must say why no run can break it.
      const mirror = ruleMirror(entry, family);
      if (!mirror) {
        if (!entry.unmirrored) missing.push(`rule ${m[1]} (${family}): neither a mirror nor why none`);
        return;
      }
      const paths = mirrorPaths(mirror);
      if (!paths.some((p) => readFileSync(join(root, p), 'utf8').includes(`'${m[1]}'`)))
        missing.push(`${family}: none of ${paths.join(', ')} rejects with '${m[1]}'`);
    });
  }
  for (const expected of [
    'kgrouped-output@bf16',
    'kgrouped-cluster@bf16',
    'block-k@bf16',
    'next-n@paged-mqa',
    'heads@mqa',
  ])
    assert.ok(checked.has(expected), `the scan missed ${expected}`);
  assert.deepEqual(missing, [], `rules without an entry (extension/server/knowledge/rules.ts):\n${missing.join('\n')}`);
});

test('the Hopper instructions our kernels are built from are all explained', () => {
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
    'bar.arrive',
    'barrier.sync',
    'elect.sync',
    'setmaxnreg.inc.sync.aligned.u32',
    'stmatrix.sync.aligned.x4.m8n8.shared.b16',
    'ldmatrix.sync.aligned.m8n8.x4.shared.b16',
    'mapa.shared::cluster.u32',
    'griddepcontrol.wait',
    'griddepcontrol.launch_dependents',
    // the BF16 GEMM and the MQA kernels
    'wgmma.mma_async.sync.aligned.m64n256k16.f32.bf16.bf16',
    'cp.reduce.async.bulk.tensor.3d.global.shared::cta.add.tile.bulk_group',
    'cp.async.bulk.tensor.3d.shared::cluster.global.mbarrier::complete_tx::bytes',
    'cvt.rn.bf16x2.f32',
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
