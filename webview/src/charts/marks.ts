// The vocabulary shared by every chart: layout() turns data into these plain marks (pure, testable
// without a DOM), renderMarks() draws them as SVG with d3 into a root element of any document
// (the webview's, or a jsdom one in tests). Classes map to theme colours in media/charts.css.

import { select } from 'd3';

export type Anchor = 'start' | 'middle' | 'end';

export type Mark =
  | { type: 'rect'; x: number; y: number; width: number; height: number; cls: string; title?: string }
  | { type: 'circle'; cx: number; cy: number; r: number; cls: string; title?: string }
  | { type: 'line'; x1: number; y1: number; x2: number; y2: number; cls: string; title?: string }
  | { type: 'path'; d: string; cls: string; title?: string }
  | { type: 'text'; x: number; y: number; text: string; cls: string; anchor?: Anchor; rotate?: number };

export interface ChartMarks {
  width: number;
  height: number;
  /** Read by screen readers (aria-label) and shown as the chart's heading. */
  label: string;
  marks: Mark[];
}

export interface Size {
  width: number;
  height: number;
}

/** Rounds to 0.01 px so layouts are stable across platforms and snapshots compare exactly. */
export const px = (v: number): number => Math.round(v * 100) / 100;

/** Draws the marks into root (replacing what was there) and returns the svg element. */
export function renderMarks(root: Element, chart: ChartMarks): SVGSVGElement {
  const rootSel = select(root);
  rootSel.selectAll('*').remove();
  const svg = rootSel
    .append('svg')
    .attr('xmlns', 'http://www.w3.org/2000/svg')
    .attr('class', 'chart')
    .attr('viewBox', `0 0 ${chart.width} ${chart.height}`)
    .attr('width', chart.width)
    .attr('height', chart.height)
    .attr('role', 'img')
    .attr('aria-label', chart.label);
  for (const m of chart.marks) {
    let el;
    switch (m.type) {
      case 'rect':
        el = svg.append('rect').attr('x', m.x).attr('y', m.y).attr('width', m.width).attr('height', m.height);
        break;
      case 'circle':
        el = svg.append('circle').attr('cx', m.cx).attr('cy', m.cy).attr('r', m.r);
        break;
      case 'line':
        el = svg.append('line').attr('x1', m.x1).attr('y1', m.y1).attr('x2', m.x2).attr('y2', m.y2);
        break;
      case 'path':
        el = svg.append('path').attr('d', m.d);
        break;
      case 'text':
        el = svg.append('text').attr('x', m.x).attr('y', m.y).text(m.text);
        if (m.anchor) el.attr('text-anchor', m.anchor);
        if (m.rotate) el.attr('transform', `rotate(${m.rotate} ${m.x} ${m.y})`);
        break;
    }
    el.attr('class', m.cls);
    if ('title' in m && m.title) el.append('title').text(m.title);
  }
  return svg.node() as SVGSVGElement;
}
