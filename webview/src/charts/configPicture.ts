// A picture of one tile config (data: extension/src/core/configPicture.ts), in four bands:
//   tiles   the output matrix cut into BLOCK_M x BLOCK_N tiles, coloured by the wave that runs them
//           (alternating shades), the ragged last wave in its own colour;
//   smem    shared memory as one bar in the kernel's own layout (1D2D: D staging, then A | B | A-scales
//           of each stage, then barriers and B scales; 1D1D: B scales per stage; BF16: no scales, two
//           staging tiles with ping-pong), against the opt-in limit (227 KB on H100);
//   regs    registers per warpgroup role (producer, math) against the SM's 64K file;
//   cluster the CTA pair and which operand is multicast (or the split-K pair).
// A rejected candidate's reason is drawn over the band its rule is about. layout() is pure.

import type { ConfigPictureData, PicturePart } from '../../../extension/src/core/configPicture';
import { px, renderMarks, type ChartMarks, type Mark, type Size } from './marks';

/** Most cells drawn in the tile grid; bigger grids draw one cell per group x group tiles. */
export const MAX_CELLS = 4096;

const kb = (b: number) => `${(b / 1024).toFixed(1)} KB`;

/** Splits text into lines of about `chars` characters at spaces (SVG text does not wrap). */
export function wrap(text: string, chars: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line && line.length + 1 + word.length > chars) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}

const charW = 6.2;

/** Swatch + text items left to right, wrapping to a new line at `right`; returns the marks and the height used. */
export function legendRows(
  items: Array<[string, string]>,
  left: number,
  right: number,
  y: number,
): { marks: Mark[]; height: number } {
  const marks: Mark[] = [];
  let x = left,
    row = 0;
  for (const [cls, text] of items) {
    const w = 24 + Math.ceil(text.length * charW);
    if (x > left && x + w - 10 > right) {
      x = left;
      row++;
    }
    marks.push({ type: 'rect', x, y: y + row * 14, width: 10, height: 10, cls });
    marks.push({ type: 'text', x: x + 14, y: y + row * 14 + 9, text, cls: 'legend' });
    x += w;
  }
  return { marks, height: (row + 1) * 14 };
}

/** A title wrapped to the width; returns the marks and the height used. */
function title(
  text: string,
  left: number,
  width: number,
  y: number,
  cls = 'pic-title',
): { marks: Mark[]; height: number } {
  const lines = wrap(text, Math.max(16, Math.floor(width / charW)));
  return {
    marks: lines.map((line, i) => ({ type: 'text', x: left, y: y + 10 + i * 12, text: line, cls, anchor: 'start' })),
    height: 4 + 12 * lines.length,
  };
}

export function layout(d: ConfigPictureData, size: Size): ChartMarks {
  const marks: Mark[] = [];
  const left = 8,
    right = size.width - 8,
    width = right - left;
  const bands: Partial<Record<PicturePart, { top: number; bottom: number }>> = {};
  let y = 4;

  // ── Tiles by wave.
  const t = d.tiles;
  const group = Math.max(1, Math.ceil(Math.sqrt((t.rows * t.cols) / MAX_CELLS)));
  const gRows = Math.ceil(t.rows / group),
    gCols = Math.ceil(t.cols / group);
  const gridH = Math.min(150, Math.max(40, width * (gRows / gCols)));
  const cell = Math.max(0.5, Math.min(width / gCols, gridH / gRows));
  const tilesTitle = title(
    `${t.total} tiles (${t.rows} x ${t.cols}) in ${t.waves} wave${t.waves === 1 ? '' : 's'} on ${t.numSms} SMs · last wave ${t.lastWaveTiles} tiles (${(100 * t.lastWaveUtilisation).toFixed(0)}% of the SMs)`,
    left,
    width,
    y,
  );
  marks.push(...tilesTitle.marks);
  y += tilesTitle.height + 2;
  const gridTop = y;
  for (let r = 0; r < gRows; r++) {
    for (let c = 0; c < gCols; c++) {
      const tile = r * group * t.cols + c * group; // first tile of the cell, in row-major order
      const wave = Math.floor(tile / t.numSms);
      const last = wave === t.waves - 1 && t.lastWaveUtilisation < 1;
      marks.push({
        type: 'rect',
        x: px(left + c * cell),
        y: px(y + r * cell),
        width: px(Math.max(cell - (cell > 3 ? 0.5 : 0), 0.5)),
        height: px(Math.max(cell - (cell > 3 ? 0.5 : 0), 0.5)),
        cls: last ? 'tile wave-last' : `tile wave-${wave % 2 ? 'odd' : 'even'}`,
        ...(cell >= 4 && group === 1
          ? { title: `tile ${tile} (row ${r}, column ${c}): wave ${wave + 1} of ${t.waves}` }
          : {}),
      });
    }
  }
  y += gRows * cell + 4;
  const legendItems: Array<[string, string]> = [
    ['swatch-mark wave-even', 'waves 1, 3, …'],
    ['swatch-mark wave-odd', 'waves 2, 4, …'],
    ...(t.lastWaveUtilisation < 1 ? [['swatch-mark wave-last', 'ragged last wave'] as [string, string]] : []),
  ];
  const tileLegend = legendRows(legendItems, left, right, y);
  marks.push(...tileLegend.marks);
  y += tileLegend.height;
  if (group > 1) {
    marks.push({
      type: 'text',
      x: left,
      y: y + 9,
      text: `each square: ${group}x${group} tiles`,
      cls: 'legend',
      anchor: 'start',
    });
    y += 14;
  }
  y += 4;
  bands.tiles = { top: gridTop, bottom: y };

  // ── Shared memory per stage against the limit.
  const sm = d.smem;
  const smTop = y;
  const over = sm.total > sm.limit;
  const scale = width / Math.max(sm.limit, sm.total);
  const smTitle = title(
    `shared memory ${kb(sm.total)} of ${kb(sm.limit)} · ${sm.stages} stages x ${kb(sm.perStage)}`,
    left,
    width,
    y,
    over ? 'pic-title warn-label' : 'pic-title',
  );
  marks.push(...smTitle.marks);
  y += smTitle.height + 2;
  let x = left;
  for (const s of sm.segments) {
    const w = s.bytes * scale;
    marks.push({
      type: 'rect',
      x: px(x),
      y,
      width: px(Math.max(w, 0.5)),
      height: 14,
      cls: `smem smem-${s.part.toLowerCase()}`,
      title: `${s.part}${s.stage !== undefined ? ` of stage ${s.stage + 1}` : ''}: ${s.bytes} B`,
    });
    x += w;
  }
  const limitX = px(left + sm.limit * scale);
  marks.push({
    type: 'line',
    x1: limitX,
    y1: y - 3,
    x2: limitX,
    y2: y + 17,
    cls: 'limit',
    title: `opt-in limit ${sm.limit} B`,
  });
  y += 18;
  // Scales only where the kernel has them (the BF16 GEMM has none).
  const scaled = sm.segments.some((s) => s.part === 'SFA' || s.part === 'SFB');
  const smLegend = legendRows(
    [
      ['smem smem-d', 'D staging'],
      ['smem smem-a', 'A'],
      ['smem smem-b', 'B'],
      ...(scaled ? [['smem smem-sfa', 'scales'] as [string, string]] : []),
      ['limit-swatch', `limit ${kb(sm.limit)}`],
    ],
    left,
    right,
    y,
  );
  marks.push(...smLegend.marks);
  y += smLegend.height + 4;
  bands.smem = { top: smTop, bottom: y };

  // ── Registers per warpgroup role against the register file.
  const rg = d.registers;
  const rgTop = y;
  const rgTitle = title(
    `registers ${rg.total} of ${rg.file} (${rg.roles.map((r) => `${r.role} ${r.warpgroups} WG x 128 x ${r.perThread}`).join(', ')})`,
    left,
    width,
    y,
    rg.total > rg.file ? 'pic-title warn-label' : 'pic-title',
  );
  marks.push(...rgTitle.marks);
  y += rgTitle.height + 2;
  const rScale = width / Math.max(rg.file, rg.total);
  x = left;
  for (const r of rg.roles) {
    const w = r.total * rScale;
    marks.push({
      type: 'rect',
      x: px(x),
      y,
      width: px(w),
      height: 14,
      cls: `regs-role ${r.role}`,
      title: `${r.role}: ${r.warpgroups} warpgroup(s) x 128 threads x ${r.perThread} registers = ${r.total}`,
    });
    if (w > r.role.length * charW + 6)
      marks.push({ type: 'text', x: px(x + 4), y: y + 11, text: r.role, cls: 'pic-inside', anchor: 'start' });
    x += w;
  }
  const fileX = px(left + rg.file * rScale);
  marks.push({
    type: 'line',
    x1: fileX,
    y1: y - 3,
    x2: fileX,
    y2: y + 17,
    cls: 'limit',
    title: `register file: ${rg.file}`,
  });
  y += 22;
  bands.registers = { top: rgTop, bottom: y };

  // ── Cluster pairing.
  const cl = d.cluster;
  const clTop = y;
  const box = 26;
  const ctas = cl.splitK > 1 ? cl.splitK : cl.m * cl.n;
  for (let i = 0; i < ctas; i++) {
    const cx = left + i * (box + 10);
    marks.push({ type: 'rect', x: cx, y, width: box, height: box, cls: 'cta', title: `CTA ${i}` });
    marks.push({
      type: 'text',
      x: cx + box / 2,
      y: y + box / 2 + 4,
      text: `CTA${i}`,
      cls: 'pic-inside',
      anchor: 'middle',
    });
  }
  if (ctas > 1) {
    const x1 = left + box,
      x2 = left + box + 10;
    marks.push({ type: 'line', x1, y1: y + box / 2, x2, y2: y + box / 2, cls: 'multicast', title: cl.text });
  }
  const textX = left + ctas * (box + 10) + 4;
  for (const [i, line] of wrap(cl.text, Math.max(20, Math.floor((right - textX) / charW))).entries())
    marks.push({ type: 'text', x: textX, y: y + 10 + i * 12, text: line, cls: 'legend', anchor: 'start' });
  y += Math.max(box, 12 * wrap(cl.text, Math.max(20, Math.floor((right - textX) / charW))).length) + 8;
  bands.cluster = { top: clTop, bottom: y };

  // ── The rejection, drawn over the band its rule is about.
  if (d.rejected) {
    const b = bands[d.rejected.part]!;
    marks.push({
      type: 'rect',
      x: left - 4,
      y: b.top - 2,
      width: width + 8,
      height: b.bottom - b.top,
      cls: 'rejected-band',
      title: `rejected (${d.rejected.rule}): ${d.rejected.reason}`,
    });
    const lines = wrap(`✕ rejected (${d.rejected.rule}): ${d.rejected.reason}`, Math.floor(width / charW));
    for (const [i, line] of lines.entries())
      marks.push({ type: 'text', x: left, y: y + 10 + i * 12, text: line, cls: 'warn-label', anchor: 'start' });
    y += 12 * lines.length + 4;
  }
  return {
    width: size.width,
    height: Math.max(size.height, Math.ceil(y)),
    label: `Config ${d.label}: tiles by wave, shared memory, registers, cluster${d.rejected ? `; rejected: ${d.rejected.reason}` : ''}`,
    marks,
  };
}

export const render = renderMarks;
