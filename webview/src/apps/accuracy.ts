// Accuracy against an FP32 reference of the same inputs: calc_diff, max absolute and relative
// error, the relative-error histogram and the per-output-tile heatmap, for the design and for the
// two variants that show what it buys (per-tensor scaling; no promotion), side by side on shared
// scales. The input kind and the seed are shown with the numbers.

import type { AccuracyReport, AccuracySnapshot } from '../../../extension/protocol/trace';
import { compareVariants, type AccuracyComparison, type HeatMetric } from '../../../extension/src/core/accuracy';
import { heatmapLayout, histogramLayout } from '../charts/accuracyCharts';
import { renderMarks } from '../charts/marks';
import { clear, h, sci } from '../ui/dom';
import { connect, type Host } from '../ui/host';
import { shapeLabel } from '../../../extension/src/core/shapes';

const app = document.getElementById('app') as HTMLElement;

const INPUT_TEXT = {
  normal: 'normal: standard normal values',
  outliers: 'outliers: heavy-tailed, with outlier rows and columns',
  tiny: "tiny: all values near FP8 e4m3's underflow",
} as const;

function comparisonTable(c: AccuracyComparison): HTMLTableElement {
  const head = h(
    'tr',
    {},
    ...[
      'variant',
      'calc_diff',
      'vs design',
      'max abs error',
      'max rel error',
      'p99 rel error',
      'unwritten',
      'FP8 bar (1e-3)',
    ].map((t) => h('th', { scope: 'col' }, t)),
  );
  const table = h('table', { class: 'summary-table accuracy-table' }, h('thead', {}, head));
  const body = h('tbody');
  for (const r of c.rows) {
    body.append(
      h(
        'tr',
        { class: r.passed ? undefined : 'row-warn', title: r.description },
        h('th', { scope: 'row' }, r.label),
        h('td', { class: 'num' }, sci(r.calcDiff)),
        h('td', { class: 'num' }, r.vsFine === undefined ? '—' : `${r.vsFine.toPrecision(3)}x`),
        h('td', { class: 'num' }, sci(r.maxAbsError)),
        h('td', { class: 'num' }, sci(r.maxRelError)),
        h('td', { class: 'num' }, sci(r.p99RelError)),
        h('td', { class: 'num' }, String(r.unwritten)),
        h('td', {}, r.passed ? 'passes' : 'FAILS'),
      ),
    );
  }
  for (const m of c.missing)
    body.append(h('tr', {}, h('th', { scope: 'row' }, m), h('td', { colspan: '7' }, 'not run')));
  table.append(body);
  return table;
}

/** "outliers · seed 7 · 4096x7168x2048": how a report is named in the picker. */
function reportLabel(r: AccuracyReport): string {
  return `${r.input} · seed ${r.seed} · ${shapeLabel(r.problem)}`;
}

let picked: number | undefined;

function show(s: AccuracySnapshot, host: Host): void {
  const all = s.reports && s.reports.length > 1 ? s.reports : [s.report];
  // The picked report survives a reload (view state) while the file's reports stay the same.
  const key = all.map(reportLabel).join('|');
  const saved = host.state();
  if (picked === undefined || picked >= all.length)
    picked = saved.accuracyPick?.key === key ? saved.accuracyPick.index : Math.max(0, all.indexOf(s.report));
  const r = all[picked] ?? s.report;
  const p = r.problem,
    cfg = r.config;
  clear(app);
  const title =
    s.reports && s.reports.length > 1 ? s.title.replace(/ · (normal|outliers|tiny)\b/, ` · ${r.input}`) : s.title;
  app.append(h('h1', {}, title));
  if (all.length > 1) {
    const pick = h(
      'select',
      { id: 'report-pick', 'aria-label': 'report of this file' },
      ...all.map((x, i) => h('option', { value: String(i), selected: i === picked }, reportLabel(x))),
    );
    pick.addEventListener('change', () => {
      picked = Number(pick.value);
      host.saveState({ accuracyPick: { key, index: picked } });
      show(s, host);
    });
    app.append(
      h(
        'div',
        { class: 'toolbar report-picker' },
        h('label', { for: 'report-pick' }, `Report (${all.length} in this file): `),
        pick,
      ),
    );
  }
  app.append(
    h(
      'p',
      { class: 'meta' },
      `${shapeLabel(p)} · BLOCK ${cfg.blockM}x${cfg.blockN}x${cfg.blockK}, ${cfg.numStages} stages · ${r.device?.name ?? 'device not reported'}`,
    ),
    h(
      'p',
      { class: 'meta' },
      `Input ${INPUT_TEXT[r.input]} · seed ${r.seed}${r.recorded ? ` · recorded: ${r.recorded}` : ''}`,
    ),
  );
  let metric: HeatMetric = 'relRms';
  const holder = h('div');
  const metricSel = h(
    'select',
    { 'aria-label': 'heatmap metric' },
    h('option', { value: 'relRms' }, 'relative RMS error per tile'),
    h('option', { value: 'maxAbs' }, 'max absolute error per tile'),
  );
  app.append(h('div', { class: 'toolbar' }, h('label', {}, 'Heatmap: ', metricSel)), holder);
  const draw = () => {
    clear(holder);
    let c: AccuracyComparison;
    try {
      c = compareVariants(r, metric);
    } catch (e) {
      const err = e as Error & { code?: string };
      holder.append(h('p', { class: 'badge warn', role: 'alert' }, `${err.code ?? 'E_TRACE_FORMAT'}: ${err.message}`));
      return;
    }
    holder.append(comparisonTable(c));
    if (c.findings.length) holder.append(h('ul', { class: 'findings' }, ...c.findings.map((f) => h('li', {}, f))));
    const grid = h('div', { class: 'variant-grid' });
    const colWidth = Math.max(260, Math.min(420, Math.floor((app.clientWidth - 40) / Math.max(1, c.rows.length))));
    for (const row of c.rows) {
      const v = r.variants.find((x) => x.variant === row.variant)!;
      const hist = h('figure', { class: 'chart-box' });
      renderMarks(hist, histogramLayout(v.histogram, { width: colWidth, height: 180 }, row.label, c.histogramMax));
      const heat = h('figure', { class: 'chart-box' });
      renderMarks(
        heat,
        heatmapLayout(
          row.heatmap,
          { width: colWidth, height: colWidth },
          row.label,
          c.heatDomain,
          v.tiles.blockM,
          v.tiles.blockN,
        ),
      );
      grid.append(
        h(
          'section',
          { class: 'variant' },
          h('h2', {}, row.label),
          h('p', { class: 'meta' }, row.description),
          h('p', {}, `calc_diff ${sci(row.calcDiff)} · max rel ${sci(row.maxRelError)}`),
          hist,
          heat,
          h(
            'p',
            { class: 'meta' },
            `worst tile: m ${row.heatmap.worst.tileM}, n ${row.heatmap.worst.tileN} (${sci(row.heatmap.worst.value)})`,
          ),
        ),
      );
    }
    holder.append(grid);
  };
  metricSel.addEventListener('change', () => {
    metric = metricSel.value as HeatMetric;
    draw();
  });
  draw();
}

// See apps/timeline.ts: the host adds 'accuracy' to ViewName / Snapshot when it wires the panel.
type Connect = (view: string, onSnapshot: (s: AccuracySnapshot, host: Host) => void) => Host;
(connect as unknown as Connect)('accuracy', (s, host) => {
  picked = undefined;
  show(s, host);
});
