// Results panel: one benchmark run as a table (sort, filter, hover details, copy a row, open its
// registers) with one time/ratio column pair per peer the run measured, and charts (TFLOPS per
// shape, ours and every peer; the peers' ratios; roofline under the measured roofs).
// Every figure is the run's own; a study-mode run shows no timing columns.

import type { ResultsSnapshot } from '../../../extension/protocol/webview';
import type { BenchRun } from '../../../extension/protocol/worker';
import { peerColumns, peerLines, upgradeRun, type PeerColumn } from '../../../extension/src/core/peers/runPeers';
import { formatConfig, hasTiming, resultLabel, runRows, type RunRow } from '../../../extension/src/core/runRows';
import * as bars from '../charts/tflopsBars';
import * as ratios from '../charts/ratioChart';
import * as roofline from '../charts/roofline';
import { peerRatioData, rooflineData, runSeries, tflopsData } from '../charts/data';
import { clear, h, num, sci } from '../ui/dom';
import { connect, type Host } from '../ui/host';
import { buildTable, type Column } from '../ui/table';
import { attachConfigPopover, configFigure } from '../ui/configPopover';
import { acceptDroppedFiles } from '../ui/dropFiles';
import { compareRuns, type ShapeComparison } from '../../../extension/src/core/compareRuns';
import { shapeLabel } from '../../../extension/src/core/shapes';

const app = document.getElementById('app') as HTMLElement;
let last: ResultsSnapshot | undefined;

const chartSize = () => ({ width: Math.max(320, Math.min(720, app.clientWidth - 24)), height: 280 });
/** The per-shape charts (bars, ratios) get the panel's width: 18 shapes x 4 series need it. */
const wideChartSize = () => ({ width: Math.max(320, Math.min(1200, app.clientWidth - 24)), height: 300 });

/** One time/ratio column pair per peer of the run; the µs cell says "skipped" (why: in the row's tooltip). */
function peerTableColumns(peers: PeerColumn[]): Column<RunRow>[] {
  return peers.flatMap((p) => [
    {
      key: `peer.${p.id}.us`,
      header: `${p.short} µs`,
      title: `${p.names.join(', ') || p.short}: median time on the same inputs, in the same run`,
      value: (r: RunRow) => r.peers[p.id]?.us,
      text: (r: RunRow) => (r.peers[p.id]?.skipped ? 'skipped' : num(r.peers[p.id]?.us, 2)),
      numeric: true,
    },
    {
      key: `peer.${p.id}.ratio`,
      header: `× ${p.short}`,
      title: `${p.short} time / our time (> 1: ours is faster)`,
      value: (r: RunRow) => r.peers[p.id]?.ratio,
      text: (r: RunRow) => {
        const v = r.peers[p.id]?.ratio;
        return v === undefined ? '—' : `${v.toFixed(2)}x`;
      },
      numeric: true,
    },
  ]);
}

function columns(timed: boolean, hasCeilings: boolean, grouped: boolean, peers: PeerColumn[]): Column<RunRow>[] {
  const cols: Column<RunRow>[] = [];
  // Grouped runs: which kernel kind and case each row is, and its groups; M/N/K are the kernel's
  // (contiguous M = padded ΣM, k-grouped K = ΣK_g, masked M = rows per group).
  if (grouped) {
    cols.push(
      { key: 'kind', header: 'kind', value: (r) => r.kind },
      { key: 'groups', header: 'groups', title: 'number of groups (experts)', value: (r) => r.groups, numeric: true },
      {
        key: 'expectedM',
        header: 'exp. m',
        title: "expected rows per group (masked: the heuristics' hint; contiguous: expected size)",
        value: (r) => r.expectedM,
        text: (r) => (r.expectedM === undefined ? '—' : String(r.expectedM)),
        numeric: true,
      },
    );
  }
  cols.push(
    { key: 'm', header: 'M', value: (r) => r.m, numeric: true },
    { key: 'n', header: 'N', value: (r) => r.n, numeric: true },
    { key: 'k', header: 'K', value: (r) => r.k, numeric: true },
  );
  if (timed) {
    cols.push(
      {
        key: 'us',
        header: 'µs',
        title: 'median kernel time over rounds (CUDA events)',
        value: (r) => r.us,
        text: (r) => num(r.us, 2),
        numeric: true,
      },
      { key: 'tflops', header: 'TFLOPS', value: (r) => r.tflops, text: (r) => num(r.tflops, 1), numeric: true },
      { key: 'gbps', header: 'GB/s', value: (r) => r.gbps, text: (r) => num(r.gbps, 0), numeric: true },
    );
    if (hasCeilings) {
      cols.push(
        {
          key: 'pctFp8',
          header: '% FP8',
          title: "share of the device's measured FP8 ceiling",
          value: (r) => r.pctFp8,
          text: (r) => num(r.pctFp8, 0),
          numeric: true,
        },
        {
          key: 'pctBandwidth',
          header: '% BW',
          title: "share of the device's measured bandwidth ceiling",
          value: (r) => r.pctBandwidth,
          text: (r) => num(r.pctBandwidth, 0),
          numeric: true,
        },
      );
    }
    cols.push(...peerTableColumns(peers), {
      key: 'calcDiff',
      header: 'calc_diff',
      title: 'DeepGEMM metric vs FP32 reference; passes below 1e-3',
      value: (r) => r.calcDiff,
      text: (r) => sci(r.calcDiff),
      numeric: true,
    });
    if (grouped) {
      cols.push({
        key: 'flopsOver',
        header: 'FLOPs over',
        title:
          'which rows TFLOPS and GB/s count: padded (contiguous), valid (masked), all (k-grouped, wgrad); hover a row for the full convention',
        value: (r) => r.flopsOver,
      });
    }
  }
  cols.push(
    {
      key: 'config',
      header: 'config',
      title: 'block_m x block_n, stages, math warpgroups, cluster',
      value: (r) => r.config,
    },
    {
      key: 'registers',
      header: 'regs',
      title: 'registers per thread (ptxas)',
      value: (r) => r.registers,
      numeric: true,
    },
    {
      key: 'spillBytes',
      header: 'spills',
      title: 'spill stores + loads, bytes',
      value: (r) => r.spillBytes,
      numeric: true,
    },
    {
      key: 'status',
      header: 'status',
      clip: true,
      value: (r) =>
        r.error ? 'error' : r.accuracyPassed === false ? 'accuracy failed' : r.us !== undefined ? 'ok' : 'compiled',
      text: (r) => r.error ?? (r.accuracyPassed === false ? 'accuracy failed' : r.us !== undefined ? 'ok' : 'compiled'),
    },
  );
  return cols;
}

function details(s: ResultsSnapshot, r: RunRow): string {
  const res = s.run.results[r.index];
  const lines = [
    res.caseLabel
      ? `${res.caseLabel} — kernel sees ${shapeLabel(r)}, ${r.config}`
      : `${res.problem.kind} ${shapeLabel(r)} — ${r.config}`,
  ];
  if (res.grouped) {
    const g = res.grouped;
    lines.push(`TFLOPS and GB/s: ${g.convention}`);
    if (g.validRows !== undefined) lines.push(`valid rows: ${g.validRows}`);
    if (g.validK !== undefined) lines.push(`ΣK_g: ${g.validK}`);
    if (g.untouched)
      lines.push(`rows the kernel must not write: ${g.untouched.words} words checked, ${g.untouched.changed} changed`);
    if (g.deviceFlags)
      lines.push(`device flags raised: ${g.deviceFlags} (1 = masked_m clamped, 2 = expert index out of range)`);
  }
  const c = res.config;
  lines.push(
    `block ${c.blockM}x${c.blockN}x${c.blockK}, ${c.numStages} stages, ${c.numMathWarpgroups} math WG, cluster ${c.clusterM}x${c.clusterN}, swizzle A/B/D ${c.swizzleA}/${c.swizzleB}/${c.swizzleD}, smem ${c.sharedBytes} B, ${c.numSms} SMs`,
  );
  if (res.timing)
    lines.push(
      `time: median ${res.timing.medianUs} µs, min ${res.timing.minUs}, max ${res.timing.maxUs}, spread ${(100 * res.timing.spread).toFixed(1)}% over ${res.timing.samples} samples`,
    );
  lines.push(...peerLines(res));
  if (res.accuracy)
    lines.push(
      `accuracy: calc_diff ${res.accuracy.calcDiff}, max abs ${res.accuracy.maxAbsError}, max rel ${res.accuracy.maxRelError}, unwritten ${res.accuracy.unwritten}`,
    );
  if (res.registers)
    lines.push(
      `registers ${res.registers.registers}/thread (producer ${res.registers.producerRegisters}, math ${res.registers.mathRegisters} after setmaxnreg), ${res.registers.occupancyCtasPerSm} CTA/SM`,
    );
  if (res.compile)
    lines.push(
      `compile: ${res.compile.cacheHit ? 'cache hit' : `${res.compile.ms.toFixed(0)} ms`}, key ${res.compile.cacheKey}`,
    );
  if (res.error) lines.push(`error ${res.error.code}: ${res.error.message}`);
  return lines.join('\n');
}

function header(s: ResultsSnapshot): HTMLElement {
  const run = s.run;
  const dev = run.device ? `${run.device.name} (${run.device.smCount} SMs)` : 'no GPU';
  const grouped = run.source === 'grouped' || run.results.some((r) => r.grouped);
  const title = grouped
    ? run.mode === 'gpu'
      ? 'FP8 grouped GEMM benchmark'
      : 'FP8 grouped GEMM study run (compile only)'
    : run.mode === 'gpu'
      ? 'FP8 GEMM benchmark'
      : 'FP8 GEMM study run (compile only)';
  const parts: (Node | string)[] = [h('h1', {}, title)];
  if (run.recorded) parts.push(h('p', { class: 'badge recorded' }, h('strong', {}, 'recorded'), ` — ${run.recorded}`));
  parts.push(
    h(
      'p',
      { class: 'meta' },
      `${dev} · driver ${run.driverVersion ?? '—'} · toolkit ${run.toolkitVersion ?? '—'} · started ${run.startedAt || '—'}${run.finishedAt ? ` · finished ${run.finishedAt}` : ''}`,
    ),
  );
  if (s.live)
    parts.push(h('p', { class: 'badge live', role: 'status' }, `measuring… ${run.results.length} shape(s) so far`));
  if (run.interrupted)
    parts.push(
      h(
        'p',
        { class: 'badge warn', role: 'alert' },
        `Interrupted (${run.interrupted.code}): ${run.interrupted.message.replace(/[.\s]+$/, '')}. Shapes kept: ${run.results.length}.`,
      ),
    );
  if (run.mode === 'study')
    parts.push(
      h(
        'p',
        { class: 'note' },
        'Study mode: kernels were compiled, not run. Configs and registers are real; there are no timings.',
      ),
    );
  if (grouped) {
    const kinds = [...new Set(run.results.map((r) => r.problem.kind))];
    const conventions = [...new Set(run.results.map((r) => r.grouped?.convention).filter((c): c is string => !!c))];
    parts.push(
      h(
        'p',
        { class: 'note' },
        `Grouped GEMMs (${kinds.join(', ') || 'no case measured'}): M, N, K are what the kernel sees. ${conventions.join('. ')}.`,
      ),
    );
  }
  parts.push(...peerNotes(run));
  for (const f of run.failedCases ?? [])
    parts.push(
      h(
        'p',
        { class: 'badge warn', role: 'alert' },
        `${f.caseLabel}: failed before a config was chosen (${f.error.code}): ${f.error.message}`,
      ),
    );
  if (run.ceilings)
    parts.push(
      h(
        'p',
        { class: 'meta' },
        `Device ceilings (measured ${run.ceilings.measuredAt}): ${run.ceilings.fp8Tflops.toFixed(0)} FP8 TFLOPS, ${run.ceilings.bandwidthGBps.toFixed(0)} GB/s — ${run.ceilings.method}`,
      ),
    );
  else if (run.mode === 'gpu')
    parts.push(h('p', { class: 'meta' }, 'Device ceilings were not measured for this run: no % of ceiling columns.'));
  if (run.hostOverhead)
    parts.push(
      h(
        'p',
        { class: 'meta' },
        `Host overhead: ${run.hostOverhead.usPerLaunch.toFixed(2)} µs per launch (${run.hostOverhead.launches} launches; ${run.hostOverhead.method})`,
      ),
    );
  if (s.savedAs) parts.push(h('p', { class: 'meta' }, `Saved as ${s.savedAs}`));
  return h('header', {}, ...parts);
}

const pct = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? '—' : `±${(100 * v).toFixed(1)}%`);

/** Run B (shown) against run A: a table of ratios with their spread, config changes, verdicts, and a chart of the ratios. */
function comparisonSection(a: BenchRun, b: BenchRun, label: string): HTMLElement {
  const c = compareRuns(a, b);
  const cols: Column<ShapeComparison>[] = [
    { key: 'label', header: 'shape', value: (r) => r.label },
    { key: 'aUs', header: 'A µs', value: (r) => r.aUs, text: (r) => num(r.aUs, 2), numeric: true, lowerIsBetter: true },
    { key: 'aSpread', header: 'A spread', value: (r) => r.aSpread, text: (r) => pct(r.aSpread), numeric: true },
    { key: 'bUs', header: 'B µs', value: (r) => r.bUs, text: (r) => num(r.bUs, 2), numeric: true, lowerIsBetter: true },
    { key: 'bSpread', header: 'B spread', value: (r) => r.bSpread, text: (r) => pct(r.bSpread), numeric: true },
    {
      key: 'ratio',
      header: 'B / A',
      title: "B's median over A's (below 1: B is faster)",
      value: (r) => r.ratio,
      text: (r) => (r.ratio === undefined ? '—' : `${r.ratio.toFixed(3)}x ${pct(r.spread)}`),
      numeric: true,
      lowerIsBetter: true,
    },
    {
      key: 'verdict',
      header: 'verdict',
      title: "faster / slower only when the ratio is outside both runs' spreads together",
      value: (r) => r.verdict ?? r.why,
      text: (r) => (r.verdict === 'same' ? 'within the spread' : (r.verdict ?? `— (${r.why ?? 'no figures'})`)),
    },
    {
      key: 'configChange',
      header: 'config change',
      value: (r) => r.configChange,
      text: (r) => r.configChange ?? 'same config',
    },
  ];
  const table = buildTable<ShapeComparison>({
    columns: cols,
    rows: c.rows,
    rowClass: (r) => (r.verdict === 'slower' ? 'row-warn' : undefined),
  });
  const chartRoot = h('figure', { class: 'chart-box' });
  ratios.render(
    chartRoot,
    ratios.layout(
      c.rows.map((r) => ({
        label: r.label,
        points: { compare: r.ratio === undefined ? undefined : { ratio: r.ratio, spread: r.spread } },
      })),
      [{ id: 'compare', name: 'B / A' }],
      wideChartSize(),
      {
        title: 'Run B over run A per shape (whiskers: both spreads)',
        axis: 'B time / A time',
        above: 'B slower',
        below: 'B faster',
      },
    ),
  );
  return h(
    'section',
    { class: 'compare' },
    h('h2', {}, `Compared with ${label} (A); this run is B`),
    h('p', { class: 'verdict', role: 'status' }, c.summary),
    h('div', { class: 'table-wrap' }, table),
    chartRoot,
  );
}

/** Which peers ran next to ours, and for each one that could not, why and what would fix it. */
function peerNotes(given: BenchRun): HTMLElement[] {
  if (given.mode !== 'gpu') return [];
  const run = upgradeRun(given);
  const asked = run.peers ?? [];
  const out: HTMLElement[] = [];
  const ran = asked.filter((p) => p.available).map((p) => p.name);
  if (ran.length)
    out.push(
      h(
        'p',
        { class: 'meta peers-ran' },
        `Peers timed in this run, interleaved with ours on the same inputs: ${ran.join(', ')}.`,
      ),
    );
  else if (!asked.length && !run.results.some((r) => r.peers?.length))
    out.push(h('p', { class: 'meta' }, 'No peer was timed in this run.'));
  for (const p of asked.filter((x) => !x.available))
    out.push(h('p', { class: 'badge warn peer-missing' }, `${p.name} not run: ${p.reason ?? 'unavailable'}`));
  return out;
}

/**
 * Puts each cell's raw figure on it (data-key, data-value; empty when absent), so a test can check
 * the shown text against the run's own numbers. Rows are found by the lead cell's data-row-index.
 */
function withRawValues(
  table: HTMLTableElement,
  cols: Column<RunRow>[],
  rows: RunRow[],
  run: BenchRun,
): HTMLTableElement {
  for (const tr of Array.from(table.tBodies[0]?.rows ?? [])) {
    const index = tr.querySelector('[data-row-index]')?.getAttribute('data-row-index');
    const row = rows.find((r) => String(r.index) === index);
    if (!row) continue;
    cols.forEach((c, i) => {
      const td = tr.cells[i + 1]; // cell 0 holds the row's buttons
      if (!td) return;
      td.dataset.key = c.key;
      td.dataset.value = String(c.value(row) ?? '');
      // Hovering a config shows its picture (tiles by wave, shared memory, registers, cluster).
      if (c.key === 'config') {
        const r = run.results[row.index];
        attachConfigPopover(td, () => ({ problem: r.problem, config: r.config }));
      }
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
  const say = (text: string) => {
    status.textContent = text;
  };
  const filter = h('input', {
    type: 'search',
    placeholder: 'Filter rows (e.g. 4096 or error)',
    'aria-label': 'Filter rows',
    value: ui.filter ?? '',
  });
  const exportJson = h('button', {}, 'Export JSON');
  const exportCsv = h('button', {}, 'Export CSV');
  const exporter = (format: 'json' | 'csv') => () =>
    host.request('run/export', { format }).then(
      (r) => say(r.path ? `Exported to ${r.path}` : 'Export cancelled'),
      (e: Error) => say(`Export failed: ${e.message}`),
    );
  exportJson.addEventListener('click', exporter('json'));
  exportCsv.addEventListener('click', exporter('csv'));
  const compareBtn = h(
    'button',
    { title: 'Compare this run (B) with another saved run or a file (A): per-shape ratio with spread, config changes' },
    s.compare ? 'Compare with another…' : 'Compare with…',
  );
  compareBtn.addEventListener('click', () =>
    host.request('run/compare', { clear: false }).catch((e: Error) => say(`Compare failed: ${e.message}`)),
  );
  // Tuning ranks the Normal kernel's candidates: offered for runs that hold Normal shapes, while no run is live.
  const tunable = !s.live && s.run.results.some((r) => r.problem.kind === 'normal');
  const tuneBtn = h(
    'button',
    { title: "Time each Normal shape's best candidates on this GPU and keep the winners in the tuning store" },
    'Tune these shapes',
  );
  tuneBtn.addEventListener('click', () => {
    say('Tuning on this GPU (progress in the notification)…');
    host.request('run/tune', {}).then(
      (r) => say(r.tuned ? 'Tuned: the winners are in the tuning store' : 'Not tuned (see the notification)'),
      (e: Error) => say(`Tune failed: ${e.message}`),
    );
  });
  const stopBtn = h('button', {}, 'Stop comparing');
  stopBtn.addEventListener('click', () =>
    host.request('run/compare', { clear: true }).catch((e: Error) => say(e.message)),
  );
  app.append(
    h(
      'div',
      { class: 'toolbar' },
      filter,
      exportJson,
      exportCsv,
      compareBtn,
      s.compare ? stopBtn : undefined,
      tunable ? tuneBtn : undefined,
      status,
    ),
  );
  if (s.compare) app.append(comparisonSection(s.compare.base, s.run, s.compare.label));

  const tableHolder = h('div', { class: 'table-wrap' });
  const drawTable = () => {
    const st = host.state();
    clear(tableHolder);
    const cols = columns(
      timed,
      !!s.run.ceilings,
      rows.some((r) => r.flopsOver !== undefined),
      peerColumns(s.run),
    );
    tableHolder.append(
      withRawValues(
        buildTable<RunRow>({
          columns: cols,
          rows,
          sortKey: st.sortKey,
          sortDescending: st.sortDescending,
          filter: st.filter,
          rowClass: (r) => (r.error ? 'row-error' : r.accuracyPassed === false ? 'row-warn' : undefined),
          rowTitle: (r) => details(s, r),
          lead: (r) => {
            const copy = h('button', { class: 'small', title: 'Copy this row (tab-separated, with header)' }, 'Copy');
            copy.addEventListener('click', () =>
              host.request('row/copy', { index: r.index }).then(
                () => say(`Copied row ${r.caseLabel ?? `${shapeLabel(r)}`}`),
                (e: Error) => say(`Copy failed: ${e.message}`),
              ),
            );
            const regs = h(
              'button',
              { class: 'small', title: 'Show register use for this kernel', disabled: r.registers === undefined },
              'Registers',
            );
            regs.addEventListener('click', () =>
              host.request('registers/show', { indices: [r.index] }).catch((e: Error) => say(e.message)),
            );
            // The pipeline timeline / accuracy study of this row's shape and config.
            const study = (name: 'timeline' | 'accuracy' | 'sass', text: string, title: string) => {
              // The studies instrument the normal kernel: a grouped row has no study to open.
              const groupedRow = r.flopsOver !== undefined;
              const b = h(
                'button',
                {
                  class: 'small',
                  title: groupedRow ? `${title}: normal GEMMs only` : title,
                  disabled: r.error !== undefined || groupedRow,
                },
                text,
              );
              b.addEventListener('click', () =>
                host.request('study/open', { study: name, index: r.index }).catch((e: Error) => say(e.message)),
              );
              return b;
            };
            const pic = h(
              'button',
              { class: 'small', title: 'Picture of this config: tiles by wave, shared memory, registers, cluster' },
              'Picture',
            );
            pic.addEventListener('click', () => showPicture(r.index));
            // data-row-index: which run result this table row shows (tests map cells back to the run's JSON).
            return h(
              'span',
              { 'data-row-index': String(r.index) },
              copy,
              regs,
              pic,
              study('timeline', 'Timeline', 'Pipeline timeline of this kernel (instrumented run on the GPU)'),
              study('accuracy', 'Accuracy', 'Accuracy against FP32: this kernel vs per-tensor scaling vs no promotion'),
              study(
                'sass',
                'SASS',
                'The SASS of this kernel: listing with source lines, instruction mix, control bits (needs nvdisasm or cuobjdump)',
              ),
            );
          },
          onSort: (key, desc) => {
            host.saveState({ sortKey: key, sortDescending: desc });
            drawTable();
          },
        }),
        cols,
        rows,
        s.run,
      ),
    );
  };
  const pictureHolder = h('section', { class: 'row-picture' });
  const showPicture = (index: number) => {
    const res = s.run.results[index];
    clear(pictureHolder);
    const close = h('button', { class: 'small' }, 'Close');
    close.addEventListener('click', () => clear(pictureHolder));
    pictureHolder.append(
      h('h2', {}, `Config of ${res.caseLabel ?? resultLabel(res)}: ${formatConfig(res.config)} `, close),
      configFigure(res.problem, res.config),
    );
    pictureHolder.scrollIntoView({ block: 'nearest' });
  };
  filter.addEventListener('input', () => {
    host.saveState({ filter: filter.value });
    drawTable();
  });
  drawTable();
  app.append(tableHolder, pictureHolder);
  if (rows.length === 0)
    app.append(h('p', { class: 'note' }, s.live ? 'No shape finished yet.' : 'No shape was measured in this run.'));

  if (timed) {
    const barsRoot = h('figure', { class: 'chart-box' });
    const roofRoot = h('figure', { class: 'chart-box' });
    const series = runSeries(s.run);
    const section = h('section', { class: 'charts' }, barsRoot);
    bars.render(barsRoot, bars.layout(tflopsData(s.run), series, wideChartSize()));
    const ratioData = peerRatioData(s.run);
    if (ratioData.some((d) => Object.keys(d.points).length)) {
      const ratioRoot = h('figure', { class: 'chart-box' });
      section.append(ratioRoot);
      ratios.render(
        ratioRoot,
        ratios.layout(
          ratioData,
          series.filter((x) => x.id !== 'ours'),
          wideChartSize(),
          {
            title: 'Peer time / our time per shape (whiskers: both spreads)',
            axis: 'peer time / ours',
            above: 'ours faster',
            below: 'peer faster',
          },
        ),
      );
    }
    section.append(roofRoot);
    app.append(section);
    roofline.render(roofRoot, roofline.layout(rooflineData(s.run), chartSize()));
  }
}

const host = connect<ResultsSnapshot>('results', (s, hst) => render(s, hst));
acceptDroppedFiles(host, (text) => {
  const st = document.querySelector('.toolbar .status');
  if (st) st.textContent = text;
});
let pendingFrame = 0;
window.addEventListener('resize', () => {
  // Re-layout the charts once per animation frame while the panel is resized.
  cancelAnimationFrame(pendingFrame);
  pendingFrame = requestAnimationFrame(() => {
    if (last) render(last, host);
  });
});
