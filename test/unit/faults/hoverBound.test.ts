// A hover on a huge file: bounded in time and memory. A 21M-character document (a generated or
// pasted file) is refused at once instead of lexed whole; a kernel-sized one still gets its hover.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hoverAt, MAX_ANALYSED_CHARS } from '../../../extension/server/hover/hoverAt';
import { defaultKnowledge as kb } from '../../../extension/server/knowledge';

const line = '  asm volatile("wgmma.fence.sync.aligned;\\n" ::: "memory");  // kNumStages\n';

test('a 21M-character file: no hover, in milliseconds, without hundreds of MB', () => {
  const huge = `__global__ void k() {\n${line.repeat(Math.ceil(21_000_000 / line.length))}}\n`;
  assert.ok(huge.length > 21_000_000 && huge.length > MAX_ANALYSED_CHARS);
  const heapBefore = process.memoryUsage().heapUsed;
  const started = performance.now();
  assert.equal(hoverAt(huge, { line: 5, character: 20 }, kb, undefined), null);
  const ms = performance.now() - started;
  const grewMb = (process.memoryUsage().heapUsed - heapBefore) / 2 ** 20;
  assert.ok(ms < 100, `${ms.toFixed(1)} ms`);
  assert.ok(grewMb < 50, `${grewMb.toFixed(0)} MB more heap`);
});

test('a file just under the bound still gets its hover', () => {
  const body = line.repeat(Math.floor((MAX_ANALYSED_CHARS - 100) / line.length) - 2);
  const text = `__global__ void k() {\n${line}${body}}\n`;
  assert.ok(text.length <= MAX_ANALYSED_CHARS);
  const started = performance.now();
  const md = hoverAt(text, { line: 1, character: line.indexOf('wgmma') + 2 }, kb, undefined);
  assert.match(md ?? '', /wgmma\.fence/);
  assert.ok(performance.now() - started < 5000, 'bounded work for the largest file hovered');
});
