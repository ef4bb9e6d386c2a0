// The real H100 listings under test/fixtures/sass (see its README for the command behind each).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { parseSass, type ParseResult } from '../../../../extension/src/core/sass/parse';
import { repoRoot } from '../../repoRoot';

export const SASS_FIXTURES = {
  /** 4096x7168x2048, heuristic's 128x128: nvdisasm -c -gi -hex */
  nvdisasm128: 'm4096-n7168-k2048-128x128.nvdisasm.txt.gz',
  /** the same kernel: cuobjdump -sass */
  cuobjdump128: 'm4096-n7168-k2048-128x128.cuobjdump.txt.gz',
  /** 4096x7168x2048 forced 256x128: nvdisasm -c -gi -hex */
  nvdisasm256: 'm4096-n7168-k2048-256x128.nvdisasm.txt.gz',
  /** 64x2112x7168, 64x16: nvdisasm -c -g -hex */
  nvdisasmG64: 'm64-n2112-k7168-64x16.nvdisasm-g.txt.gz',
  /** 64x576x2048 split-K 2: cuobjdump -sass */
  cuobjdumpSplitK: 'm64-n576-k2048-64x32-splitk2.cuobjdump.txt.gz',
} as const;

export function fixturePath(name: string): string {
  return join(repoRoot(), 'test', 'fixtures', 'sass', name);
}

const texts = new Map<string, string>();
export function fixtureText(name: string): string {
  let t = texts.get(name);
  if (t === undefined) {
    t = gunzipSync(readFileSync(fixturePath(name))).toString('utf8');
    texts.set(name, t);
  }
  return t;
}

const parsed = new Map<string, ParseResult>();
export function fixture(name: string): ParseResult {
  let p = parsed.get(name);
  if (!p) {
    p = parseSass(fixtureText(name));
    parsed.set(name, p);
  }
  return p;
}

// Instruction lines of the raw text, counted without our parser ("/*0a40*/  OPCODE ...  ;").
export function rawInstructionLines(text: string): string[] {
  return text.split('\n').filter((l) => /^\s+\/\*[0-9a-f]{4,}\*\/\s+\S/.test(l));
}
