// Results panel: one benchmark run as a table (sort, filter, hover details, copy a row, open its
// registers) and two charts (TFLOPS per shape vs cuBLASLt; roofline under the measured roofs).
// Every figure is the run's own; a study-mode run shows no timing columns.

import type { ResultsSnapshot } from '../../../extension/protocol/webview';
import { hasTiming, runRows, type RunRow } from '../../../extension/src/core/runRows';
import * as bars from '../charts/tflopsBars';
import * as roofline from '../charts/roofline';
import { rooflineData, tflopsData } from '../charts/data';
import { clear, h, num, sci } from '../ui/dom';
import { connect, type Host } from '../ui/host';
import { buildTable, type Column } from '../ui/table';

const app = document.getElementById('app') as HTMLElement;
let last: ResultsSnapshot | undefined;

const chartSize = () => ({ width: Math.max(320, Math.min(720, app.clientWidth - 24)), height: 280 });

function columns(timed: boolean, hasCeilings: boolean, grouped = false): Column<RunRow>[] {
  const cols: Column<RunRow>[] = [];
  // Grouped runs: which kernel kind and case each row is, and its groups; M/N/K are the kernel's
  // (contiguous M = padded ΣM, k-grouped K = ΣK_g, masked M = rows per group).
  if (grouped) {
    cols.push(
      { key: 'kind', header: 'kind', value: (r) => r.kind },
      { key: 'groups', header: 'groups', title: 'number of groups (experts)', value: (r) => r.groups, numeric: true },
      { key: 'expectedM', header: 'exp. m', title: 'expected rows per group (masked: the heuristics\' hint; contiguous: expected size)', value: (r) => r.expectedM, text: (r) => r.expectedM === undefined ? '—' : String(r.expectedM), numeric: true },
    );
  }
  cols.push(
    { key: 'm', header: 'M', value: (r) => r.m, numeric: true },
    { key: 'n', header: 'N', value: (r) => r.n, numeric: true },
    { key: 'k', header: 'K', value: (r) => r.k, numeric: true },
  );
  if (timed) {
    cols.push(
      { key: 'us', header: 'µs', title: 'median kernel time over rounds (CUDA events)', value: (r) => r.us, text: (r) => num(r.us, 2), numeric: true },
      { key: 'tflops', header: 'TFLOPS', value: (r) => r.tflops, text: (r) => num(r.tflops, 1), numeric: true },
      { key: 'gbps', header: 'GB/s', value: (r) => r.gbps, text: (r) => num(r.gbps, 0), numeric: true },
    );
    if (hasCeilings) {
      cols.push(
        { key: 'pctFp8', header: '% FP8', title: "share of the device's measured FP8 ceiling", value: (r) => r.pctFp8, text: (r) => num(r.pctFp8, 0), numeric: true },
        { key: 'pctBandwidth', header: '% BW', title: "share of the device's measured bandwidth ceiling", value: (r) => r.pctBandwidth, text: (r) => num(r.pctBandwidth, 0), numeric: true },
      );
    }
    cols.push(
      { key: 'peerUs', header: 'cuBLASLt µs', value: (r) => r.peerUs, text: (r) => r.peerSkipped ? 'skipped' : num(r.peerUs, 2), numeric: true },
      { key: 'peerRatio', header: 'ratio', title: 'cuBLASLt time / our time (> 1: ours is faster)', value: (r) => r.peerRatio, text: (r) => r.peerRatio === undefined ? '—' : `${r.peerRatio.toFixed(2)}x`, numeric: true },
      { key: 'calcDiff', header: 'calc_diff', title: 'DeepGEMM metric vs FP32 reference; passes below 1e-3', value: (r) => r.calcDiff, text: (r) => sci(r.calcDiff), numeric: true },
    );
    if (grouped) {
      cols.push(
        { key: 'flopsOver', header: 'FLOPs over', title: 'which rows TFLOPS and GB/s count: padded (contiguous), valid (masked), all (k-grouped, wgrad); hover a row for the full convention', value: (r) => r.flopsOver },
        { key: 'versusDeepGemm', header: 'DeepGEMM', title: 'DeepGEMM on this case in this run, and its time over ours', value: (r) => r.versusDeepGemm, text: (r) => r.versusDeepGemm ?? '—' },
      );
    }
  }
  cols.push(
    { key: 'config', header: 'config', title: 'block_m x block_n, stages, math warpgroups, cluster', value: (r) => r.config },
    { key: 'registers', header: 'regs', title: 'registers per thread (ptxas)', value: (r) => r.registers, numeric: true },
    { key: 'spillBytes', header: 'spills', title: 'spill stores + loads, bytes', value: (r) => r.spillBytes, numeric: true },
    { key: 'status', header: 'status', clip: true, value: (r) => r.error ? 'error' : r.accuracyPassed === false ? 'accuracy failed' : r.us !== undefined ? 'ok' : 'compiled', text: (r) => r.error ?? (r.accuracyPassed === false ? 'accuracy failed' : r.us !== undefined ? 'ok' : 'compiled') },
  );
  return cols;
}

function details(s: ResultsSnapshot, r: RunRow): string {
  const res = s.run.results[r.index];
  const lines = [res.caseLabel ? `${res.caseLabel} — kernel sees ${r.m}x${r.n}x${r.k}, ${r.config}` : `${res.problem.kind} ${r.m}x${r.n}x${r.k} — ${r.config}`];
  if (res.grouped) {
    const g = res.grouped;
    lines.push(`TFLOPS and GB/s: ${g.convention}`);
    if (g.validRows !== undefined) lines.push(`valid rows: ${g.validRows}`);
    if (g.validK !== undefined) lines.push(`ΣK_g: ${g.validK}`);
    if (g.untouched) lines.push(`rows the kernel must not write: ${g.untouched.words} words checked, ${g.untouched.changed} changed`);
    if (g.deviceFlags) lines.push(`device flags raised: ${g.deviceFlags} (1 = masked_m clamped, 2 = expert index out of range)`);
  }
  const c = res.config;
  lines.push(`block ${c.blockM}x${c.blockN}x${c.blockK}, ${c.numStages} stages, ${c.numMathWarpgroups} math WG, cluster ${c.clusterM}x${c.clusterN}, swizzle A/B/D ${c.swizzleA}/${c.swizzleB}/${c.swizzleD}, smem ${c.sharedBytes} B, ${c.numSms} SMs`);
  if (res.timing) lines.push(`time: median ${res.timing.medianUs} µs, min ${res.timing.minUs}, max ${res.timing.maxUs}, spread ${(100 * res.timing.spread).toFixed(1)}% over ${res.timing.samples} samples`);
  if (res.peer) lines.push('skipped' in res.peer ? `cuBLASLt: skipped (${res.peer.skipped})` : `${res.peer.name}: median ${res.peer.medianUs} µs, spread ${(100 * res.peer.spread).toFixed(1)}%`);
  if (res.accuracy) lines.push(`accuracy: calc_diff ${res.accuracy.calcDiff}, max abs ${res.accuracy.maxAbsError}, max rel ${res.accuracy.maxRelError}, unwritten ${res.accuracy.unwritten}`);
  if (res.registers) lines.push(`registers ${res.registers.registers}/thread (producer ${res.registers.producerRegisters}, math ${res.registers.mathRegisters} after setmaxnreg), ${res.registers.occupancyCtasPerSm} CTA/SM`);
  if (res.compile) lines.push(`compile: ${res.compile.cacheHit ? 'cache hit' : `${res.compile.ms.toFixed(0)} ms`}, key ${res.compile.cacheKey}`);
  if (res.error) lines.push(`error ${res.error.code}: ${res.error.message}`);
  return lines.join('\n');
}

function header(s: ResultsSnapshot): HTMLElement {
  const run = s.run;
  const dev = run.device ? `${run.device.name} (${run.device.smCount} SMs)` : 'no GPU';
  const grouped = run.source === 'grouped' || run.results.some((r) => r.grouped);
  const title = grouped ? (run.mode === 'gpu' ? 'FP8 grouped GEMM benchmark' : 'FP8 grouped GEMM study run (compile only)') : run.mode === 'gpu' ? 'FP8 GEMM benchmark' : 'FP8 GEMM study run (compile only)';
  const parts: (Node | string)[] = [h('h1', {}, title)];
  if (run.recorded) parts.push(h('p', { class: 'badge recorded' }, h('strong', {}, 'recorded'), ` — ${run.recorded}`));
  parts.push(h('p', { class: 'meta' }, `${dev} · driver ${run.driverVersion ?? '—'} · toolkit ${run.toolkitVersion ?? '—'} · started ${run.startedAt}${run.finishedAt ? ` · finished ${run.finishedAt}` : ''}`));
  if (s.live) parts.push(h('p', { class: 'badge live', role: 'status' }, `measuring… ${run.results.length} shape(s) so far`));
  if (run.interrupted) parts.push(h('p', { class: 'badge warn', role: 'alert' }, `Interrupted (${run.interrupted.code}): ${run.interrupted.message.replace(/[.\s]+$/, '')}. Shapes kept: ${run.results.length}.`));
  if (run.mode === 'study') parts.push(h('p', { class: 'note' }, 'Study mode: kernels were compiled, not run. Configs and registers are real; there are no timings.'));
  if (grouped) {
    const kinds = [...new Set(run.results.map((r) => r.problem.kind))];
    const conventions = [...new Set(run.results.map((r) => r.grouped?.convention).filter((c): c is string => !!c))];
    parts.push(h('p', { class: 'note' }, `Grouped GEMMs (${kinds.join(', ') || 'no case measured'}): M, N, K are what the kernel sees; no cuBLASLt peer (—). ${conventions.join('. ')}.`));
  }
  for (const f of run.failedCases ?? []) parts.push(h('p', { class: 'badge warn', role: 'alert' }, `${f.caseLabel}: failed before a config was chosen (${f.error.code}): ${f.error.message}`));
  if (run.ceilings) parts.push(h('p', { class: 'meta' }, `Device ceilings (measured ${run.ceilings.measuredAt}): ${run.ceilings.fp8Tflops.toFixed(0)} FP8 TFLOPS, ${run.ceilings.bandwidthGBps.toFixed(0)} GB/s — ${run.ceilings.method}`));
  else if (run.mode === 'gpu') parts.push(h('p', { class: 'meta' }, 'Device ceilings were not measured for this run: no % of ceiling columns.'));
  if (run.hostOverhead) parts.push(h('p', { class: 'meta' }, `Host overhead: ${run.hostOverhead.usPerLaunch.toFixed(2)} µs per launch (${run.hostOverhead.launches} launches; ${run.hostOverhead.method})`));
  if (s.savedAs) parts.push(h('p', { class: 'meta' }, `Saved as ${s.savedAs}`));
  return h('header', {}, ...parts);
}

/**
 * Puts each cell's raw figure on it (data-key, data-value; empty when absent), so a test can check
 * the shown text against the run's own numbers. Rows are found by the lead cell's data-row-index.
 */
function withRawValues(table: HTMLTableElement, cols: Column<RunRow>[], rows: RunRow[]): HTMLTableElement {
  for (const tr of Array.from(table.tBodies[0]?.rows ?? [])) {
    const index = tr.querySelector('[data-row-index]')?.getAttribute('data-row-index');
    const row = rows.find((r) => String(r.index) === index);
    if (!row) continue;
    cols.forEach((c, i) => {
      const td = tr.cells[i + 1];   // cell 0 holds the row's buttons
      if (!td) return;
      td.dataset.key = c.key;
      td.dataset.value = String(c.value(row) ?? '');
    });
  }
  return table;
}

function render(s: ResultsSnapshot, host: Host): void {
  last = s;
  if (host.state().runId !== s.run.id) host.saveState({ runId: s.run.id });
  const ui = host.state();
  const rows = runRows(s.run);
  const timed = hasTiming(rows);
  clear(app);
  app.append(header(s));

  const status = h('span', { class: 'status', role: 'status' });
  const say = (text: string) => { status.textContent = text; };
  const filter = h('input', { type: 'search', placeholder: 'Filter rows (e.g. 4096 or error)', 'aria-label': 'Filter rows', value: ui.filter ?? '' });
  const exportJson = h('button', {}, 'Export JSON');
  const exportCsv = h('button', {}, 'Export CSV');
  const exporter = (format: 'json' | 'csv') => () => host.request('run/export', { format })
    .then((r) => say(r.path ? `Exported to ${r.path}` : 'Export cancelled'), (e: Error) => say(`Export failed: ${e.message}`));
  exportJson.addEventListener('click', exporter('json'));
  exportCsv.addEventListener('click', exporter('csv'));
  app.append(h('div', { class: 'toolbar' }, filter, exportJson, exportCsv, status));

  const tableHolder = h('div', { class: 'table-wrap' });
  const drawTable = () => {
    const st = host.state();
    clear(tableHolder);
    const cols = columns(timed, !!s.run.ceilings, rows.some((r) => r.flopsOver !== undefined));
    tableHolder.append(withRawValues(buildTable<RunRow>({
      columns: cols, rows, sortKey: st.sortKey, sortDescending: st.sortDescending, filter: st.filter,
      rowClass: (r) => r.error ? 'row-error' : r.accuracyPassed === false ? 'row-warn' : undefined,
      rowTitle: (r) => details(s, r),
      lead: (r) => {
        const copy = h('button', { class: 'small', title: 'Copy this row (tab-separated, with header)' }, 'Copy');
        copy.addEventListener('click', () => host.request('row/copy', { index: r.index })
          .then(() => say(`Copied row ${r.caseLabel ?? `${r.m}x${r.n}x${r.k}`}`), (e: Error) => say(`Copy failed: ${e.message}`)));
        const regs = h('button', { class: 'small', title: 'Show register use for this kernel', disabled: r.registers === undefined }, 'Registers');
        regs.addEventListener('click', () => host.request('registers/show', { indices: [r.index] }).catch((e: Error) => say(e.message)));
        // Issue 6: the pipeline timeline / accuracy study of this row's shape and config.
        const study = (name: 'timeline' | 'accuracy' | 'sass', text: string, title: string) => {
          // The studies instrument the normal kernel: a grouped row has no study to open.
          const groupedRow = r.flopsOver !== undefined;
          const b = h('button', { class: 'small', title: groupedRow ? `${title}: normal GEMMs only` : title, disabled: r.error !== undefined || groupedRow }, text);
          b.addEventListener('click', () => host.request('study/open', { study: name, index: r.index }).catch((e: Error) => say(e.message)));
          return b;
        };
        // data-row-index: which run result this table row shows (tests map cells back to the run's JSON).
        return h('span', { 'data-row-index': String(r.index) }, copy, regs, study('timeline', 'Timeline', 'Pipeline timeline of this kernel (instrumented run on the GPU)'),
          study('accuracy', 'Accuracy', 'Accuracy against FP32: this kernel vs per-tensor scaling vs no promotion'),
          study('sass', 'SASS', 'The SASS of this kernel: listing with source lines, instruction mix, control bits (needs nvdisasm or cuobjdump)'));
      },
      onSort: (key, desc) => { host.saveState({ sortKey: key, sortDescending: desc }); drawTable(); },
    }), cols, rows));
  };
  filter.addEventListener('input', () => { host.saveState({ filter: filter.value }); drawTable(); });
  drawTable();
  app.append(tableHolder);
  if (rows.length === 0) app.append(h('p', { class: 'note' }, s.live ? 'No shape finished yet.' : 'No shape was measured in this run.'));

  if (timed) {
    const barsRoot = h('figure', { class: 'chart-box' });
    const roofRoot = h('figure', { class: 'chart-box' });
    app.append(h('section', { class: 'charts' }, barsRoot, roofRoot));
    bars.render(barsRoot, bars.layout(tflopsData(s.run), chartSize()));
    roofline.render(roofRoot, roofline.layout(rooflineData(s.run), chartSize()));
  }
}

const host = connect<ResultsSnapshot>('results', (s, hst) => render(s, hst));
let pendingFrame = 0;
window.addEventListener('resize', () => {
  // Re-layout the charts once per animation frame while the panel is resized.
  cancelAnimationFrame(pendingFrame);
  pendingFrame = requestAnimationFrame(() => { if (last) render(last, host); });
});
