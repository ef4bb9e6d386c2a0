// A recording 2D context: implements the Draw2D subset and keeps every call (with the style in
// effect) as one text line, so a canvas render can be snapshot-tested like an SVG one.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Draw2D } from '../../../webview/src/charts/timelineRender';
import { repoRoot } from '../repoRoot';

export class RecordingContext implements Draw2D {
  calls: string[] = [];
  fillStyle: Draw2D['fillStyle'] = '#000';
  strokeStyle: Draw2D['strokeStyle'] = '#000';
  globalAlpha = 1;
  lineWidth = 1;
  font = '10px sans-serif';
  textAlign: CanvasTextAlign = 'start';
  textBaseline: CanvasTextBaseline = 'alphabetic';
  private rec(s: string) {
    this.calls.push(s);
  }
  clearRect(x: number, y: number, w: number, h: number) {
    this.rec(`clearRect ${x} ${y} ${w} ${h}`);
  }
  fillRect(x: number, y: number, w: number, h: number) {
    this.rec(`fillRect ${String(this.fillStyle)} a${this.globalAlpha.toFixed(3)} ${x} ${y} ${w} ${h}`);
  }
  fillText(t: string, x: number, y: number) {
    this.rec(`fillText ${String(this.fillStyle)} ${this.textAlign} ${x} ${y} ${t}`);
  }
  beginPath() {
    this.rec('beginPath');
  }
  moveTo(x: number, y: number) {
    this.rec(`moveTo ${x} ${y}`);
  }
  lineTo(x: number, y: number) {
    this.rec(`lineTo ${x} ${y}`);
  }
  stroke() {
    this.rec(`stroke ${String(this.strokeStyle)}`);
  }
}

/** Compares with test/fixtures/snapshots/<name>.txt; UPDATE_SNAPSHOTS=1 rewrites it. */
export function assertCallSnapshot(name: string, calls: string[]): void {
  const file = join(repoRoot(), 'test', 'fixtures', 'snapshots', `${name}.txt`);
  const text = calls.join('\n') + '\n';
  if (process.env.UPDATE_SNAPSHOTS === '1') {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
    return;
  }
  assert.ok(existsSync(file), `snapshot ${file} is missing: run the tests once with UPDATE_SNAPSHOTS=1 and review it`);
  assert.equal(text, readFileSync(file, 'utf8'), `render() draw calls differ from ${file}`);
}
