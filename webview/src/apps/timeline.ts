// Pipeline timeline of one instrumented kernel run: a canvas with one row per SM x warpgroup role,
// spans coloured by phase, zoom (Ctrl+wheel, double-click, buttons) and pan (drag) with d3-zoom,
// hover details from the layout's spatial index, the per-stage ring occupancy strip, and the
// summary table (time waiting vs computing, bubbles, tail, instrumentation cost).

import { scaleLinear, select, zoom, zoomIdentity, type D3ZoomEvent, type ZoomBehavior } from 'd3';
import { TRACE_PHASES, type TimelineSnapshot, type TracePhase } from '../../../extension/protocol/trace';
import { decodeCapture } from '../../../extension/src/core/trace';
import { layout, type TimelineLayout } from '../charts/timelineLayout';
import { hitTest, PHASE_LABEL, render, type TimeWindow, type TimelinePalette } from '../charts/timelineRender';
import { summaryRows } from '../charts/timelineSummary';
import * as summaryCharts from '../charts/timelineSummaryChart';
import { clear, h } from '../ui/dom';
import { connect, type Host } from '../ui/host';
import { shapeLabel } from '../../../extension/src/core/shapes';

const app = document.getElementById('app') as HTMLElement;

/** Theme colours for the canvas (a canvas cannot use CSS variables directly). */
const PHASE_VAR: Record<TracePhase, string> = {
  'wait-empty': '--vscode-charts-orange',
  'tma-issue': '--vscode-charts-yellow',
  'wait-full': '--vscode-charts-red',
  wgmma: '--vscode-charts-blue',
  promote: '--vscode-charts-purple',
  epilogue: '--vscode-charts-green',
};

function timelinePalette(): TimelinePalette {
  const css = getComputedStyle(document.body);
  // High-contrast themes leave some chart colours undefined (charts.orange): the same literal
  // fallback as media/*.css, so the canvas and the legend agree.
  const LITERAL: Record<string, string> = { '--vscode-charts-orange': '#d18616' };
  const v = (name: string, fallback: string) =>
    css.getPropertyValue(name).trim() || LITERAL[name] || css.getPropertyValue(fallback).trim() || 'gray';
  const fg = v('--vscode-foreground', '--vscode-editor-foreground');
  return {
    phase: Object.fromEntries(TRACE_PHASES.map((p) => [p, v(PHASE_VAR[p], '--vscode-foreground')])) as Record<
      TracePhase,
      string
    >,
    tile: [v('--vscode-descriptionForeground', '--vscode-foreground'), fg],
    ring: v('--vscode-charts-blue', '--vscode-foreground'),
    text: fg,
    grid: v('--vscode-editorWidget-border', '--vscode-panel-border'),
    font: `${css.getPropertyValue('--vscode-font-size').trim() || '12px'} ${css.getPropertyValue('--vscode-font-family').trim() || 'sans-serif'}`.replace(
      /^(\d+)px/,
      (_, n) => `${Math.max(9, Number(n) - 2)}px`,
    ),
  };
}

function describeConfig(s: TimelineSnapshot): string {
  const c = s.capture.config;
  const p = s.capture.problem;
  return `${shapeLabel(p)} · BLOCK ${c.blockM}x${c.blockN}x${c.blockK}, ${c.numStages} stages, ${c.numMathWarpgroups} math WG, cluster ${c.clusterM}x${c.clusterN}, ${c.numSms} SMs`;
}

/** One observer for the view's current drawing (show() runs again on a new snapshot or theme). */
let resizeObserver: ResizeObserver | undefined;

function show(s: TimelineSnapshot): void {
  clear(app);
  app.append(h('h1', {}, s.title), h('p', { class: 'meta' }, describeConfig(s)));
  const cap = s.capture;
  const meta = [cap.kernelName, cap.device?.name, cap.recorded ? `recorded: ${cap.recorded}` : undefined]
    .filter(Boolean)
    .join(' · ');
  if (meta) app.append(h('p', { class: 'meta' }, meta));
  let data;
  try {
    data = decodeCapture(cap);
  } catch (e) {
    const err = e as Error & { code?: string };
    app.append(h('p', { class: 'badge warn', role: 'alert' }, `${err.code ?? 'E_TRACE_FORMAT'}: ${err.message}`));
    return;
  }
  app.append(h('p', { class: 'meta' }, `Clock: ${data.clockMethod}`));
  if (data.eventsDropped > 0) {
    app.append(
      h(
        'p',
        { class: 'badge warn', role: 'alert' },
        `${data.eventsDropped} events did not fit the trace buffer and are missing from the end of their rows; raise the capacity.`,
      ),
    );
  }

  const legend = h('div', { class: 'timeline-legend' });
  for (const p of TRACE_PHASES)
    legend.append(h('span', { class: 'legend-item' }, h('span', { class: `swatch phase-${p}` }), PHASE_LABEL[p]));
  legend.append(
    h(
      'span',
      { class: 'legend-item' },
      h('span', { class: 'swatch ring' }),
      'ring stage holding data (opacity = share of CTAs)',
    ),
  );

  const zoomIn = h('button', { class: 'small', title: 'Zoom in (or Ctrl+wheel / double-click on the timeline)' }, '+');
  const zoomOut = h('button', { class: 'small', title: 'Zoom out' }, '−');
  const reset = h('button', { class: 'small', title: 'Show the whole kernel' }, 'Whole kernel');
  const status = h('span', { class: 'status' });
  app.append(h('div', { class: 'toolbar' }, zoomIn, zoomOut, reset, status), legend);

  const scroller = h('div', { class: 'timeline-scroll' });
  const canvas = document.createElement('canvas');
  canvas.setAttribute('role', 'img');
  // The time axis and the ring strip, copied from the top of the canvas into a header that stays
  // in view while the rows scroll under it.
  const head = document.createElement('canvas');
  head.className = 'timeline-head';
  head.setAttribute('aria-hidden', 'true');
  const tip = h('div', { class: 'timeline-tip', role: 'tooltip' });
  tip.hidden = true;
  scroller.append(head, canvas, tip);
  app.append(scroller);
  // Click a span: its details stay here (event, tile, K-block, stage, duration) until the next click.
  const details = h(
    'section',
    { class: 'timeline-details', 'aria-live': 'polite' },
    h('p', { class: 'note' }, 'Click a span to keep its details here.'),
  );
  app.append(details);

  const table = h('table', { class: 'summary-table' });
  const summaryChart = h('figure', { class: 'chart-box timeline-summary-chart' });
  app.append(h('h2', {}, 'Summary'), summaryChart, table);

  const palette = timelinePalette();
  let L: TimelineLayout;
  let base = scaleLinear();
  let view: TimeWindow = { t0: 0, t1: 1 };
  let frame = 0;
  const draw = () => {
    frame = 0;
    const ctx = canvas.getContext('2d');
    if (!ctx) return;
    const dpr = window.devicePixelRatio || 1;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    render(ctx, L, view, palette);
    const hctx = head.getContext('2d');
    if (hctx) {
      hctx.setTransform(1, 0, 0, 1, 0, 0);
      hctx.clearRect(0, 0, head.width, head.height);
      hctx.drawImage(canvas, 0, 0, head.width, head.height, 0, 0, head.width, head.height);
    }
    status.textContent = `showing ${view.t1 - view.t0 >= 1e3 ? `${((view.t1 - view.t0) / 1e3).toFixed(2)} µs` : `${(view.t1 - view.t0).toFixed(0)} ns`} of ${(L.domain[1] / 1e3).toFixed(2)} µs · drag to pan, Ctrl+wheel to zoom`;
  };
  const schedule = () => {
    if (!frame) frame = requestAnimationFrame(draw);
  };

  const z: ZoomBehavior<HTMLCanvasElement, unknown> = zoom<HTMLCanvasElement, unknown>()
    // Plain wheel scrolls the rows; Ctrl/Cmd+wheel zooms time; drag pans.
    .filter((ev: Event) =>
      ev.type === 'wheel' ? (ev as WheelEvent).ctrlKey || (ev as WheelEvent).metaKey : !(ev as MouseEvent).button,
    )
    .on('zoom', (ev: D3ZoomEvent<HTMLCanvasElement, unknown>) => {
      const [t0, t1] = ev.transform.rescaleX(base).domain();
      view = { t0, t1 };
      schedule();
    });

  const build = () => {
    const width = Math.max(480, app.clientWidth - 8);
    L = layout(data, { width, rowHeight: data.rows.length > 150 ? 4 : 10 });
    const dpr = window.devicePixelRatio || 1;
    canvas.width = Math.round(L.width * dpr);
    canvas.height = Math.round(L.height * dpr);
    canvas.style.width = `${L.width}px`;
    canvas.style.height = `${L.height}px`;
    const headHeight = Math.ceil(L.ring.top + L.ring.stages * L.ring.stageHeight + 2);
    head.width = canvas.width;
    head.height = Math.round(headHeight * dpr);
    head.style.width = `${L.width}px`;
    head.style.height = `${headHeight}px`;
    canvas.style.marginTop = `-${headHeight}px`;
    canvas.setAttribute(
      'aria-label',
      `Pipeline timeline: ${L.rows.length} rows (SM x warpgroup role), ${data.spans.count} spans over ${(L.domain[1] / 1e3).toFixed(1)} µs`,
    );
    base = scaleLinear().domain(L.domain).range([L.plot.left, L.plot.right]);
    const extent: [[number, number], [number, number]] = [
      [L.plot.left, 0],
      [L.plot.right, L.height],
    ];
    // Zoom down to about 20 ns across the plot.
    z.extent(extent)
      .translateExtent(extent)
      .scaleExtent([1, Math.max(1, L.domain[1] / 20)]);
    select(canvas).call(z).call(z.transform, zoomIdentity);
    view = { t0: L.domain[0], t1: L.domain[1] };
    summaryCharts.render(
      summaryChart,
      summaryCharts.layout(L.summary, { width: Math.min(720, Math.max(420, app.clientWidth - 24)), height: 60 }),
    );
    clear(table);
    for (const r of summaryRows(L.summary, cap)) {
      table.append(
        h(
          'tr',
          { class: r.warn ? 'row-warn' : undefined, title: r.title },
          h('th', { scope: 'row' }, r.label),
          h('td', {}, r.value),
        ),
      );
    }
    draw();
  };

  zoomIn.addEventListener('click', () => select(canvas).call(z.scaleBy, 2));
  zoomOut.addEventListener('click', () => select(canvas).call(z.scaleBy, 0.5));
  reset.addEventListener('click', () => select(canvas).call(z.transform, zoomIdentity));
  canvas.addEventListener('mousemove', (ev) => {
    const rect = canvas.getBoundingClientRect();
    const x = ev.clientX - rect.left,
      y = ev.clientY - rect.top;
    const hit = hitTest(L, view, x, y);
    if (!hit) {
      tip.hidden = true;
      return;
    }
    clear(tip);
    hit.text.forEach((line, i) => tip.append(i === 0 ? h('strong', {}, line) : h('div', {}, line)));
    tip.hidden = false;
    // Beside the cursor, flipped to the other side when it would leave the visible part of the
    // scroller (the box is positioned in the scroller's content, which scrolls both ways).
    const gap = 14;
    const visLeft = scroller.scrollLeft,
      visTop = scroller.scrollTop;
    const visRight = visLeft + scroller.clientWidth,
      visBottom = visTop + scroller.clientHeight;
    const w = tip.offsetWidth,
      ht = tip.offsetHeight;
    let left = x + gap,
      top = y + gap;
    if (left + w > visRight) left = Math.max(visLeft, x - gap - w);
    if (top + ht > visBottom) top = Math.max(visTop, y - gap - ht);
    tip.style.left = `${left}px`;
    tip.style.top = `${top}px`;
  });
  canvas.addEventListener('mouseleave', () => {
    tip.hidden = true;
  });
  let downAt: [number, number] | undefined;
  canvas.addEventListener('pointerdown', (ev) => {
    downAt = [ev.clientX, ev.clientY];
  });
  canvas.addEventListener('click', (ev) => {
    // A drag pans: only a click that did not move selects.
    if (downAt && Math.hypot(ev.clientX - downAt[0], ev.clientY - downAt[1]) > 3) return;
    const rect = canvas.getBoundingClientRect();
    const hit = hitTest(L, view, ev.clientX - rect.left, ev.clientY - rect.top);
    clear(details);
    if (!hit) {
      details.append(h('p', { class: 'note' }, 'Nothing under the pointer there: click a span.'));
      return;
    }
    const [first, ...rest] = hit.text;
    details.append(h('h2', {}, `Selected: ${first}`), h('dl', {}, ...rest.flatMap((line) => [h('dd', {}, line)])));
  });
  let resizeFrame = 0;
  resizeObserver?.disconnect();
  resizeObserver = new ResizeObserver(() => {
    if (resizeFrame) cancelAnimationFrame(resizeFrame);
    resizeFrame = requestAnimationFrame(() => {
      resizeFrame = 0;
      if (Math.abs(app.clientWidth - 8 - L.width) > 16) build();
    });
  });
  resizeObserver.observe(app);
  build();
}

// The host side registers 'timeline' as a ViewName and TimelineSnapshot in the Snapshot union when
// it wires the panel (extension/protocol/trace.ts says so); the bridge keeps this file compiling
// against today's union without touching it.
type Connect = (view: string, onSnapshot: (s: TimelineSnapshot, host: Host) => void) => Host;
let shown: TimelineSnapshot | undefined;
(connect as unknown as Connect)('timeline', (s) => {
  shown = s;
  show(s);
});
// A canvas cannot follow the theme's CSS variables: when VS Code switches theme (it changes the
// body's vscode-light / vscode-dark / vscode-high-contrast class), draw again with the new colours.
let themeClass = document.body.className;
new MutationObserver(() => {
  if (document.body.className === themeClass) return;
  themeClass = document.body.className;
  if (shown) show(shown);
}).observe(document.body, { attributes: true, attributeFilter: ['class'] });
