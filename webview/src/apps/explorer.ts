// Config explorer: the candidate tile configs for a shape and kernel kind, rejected ones with their
// reason, the heuristic's choice with "why this one"; compile or time any selection; measured vs
// predicted, with the peers' times for the shape as reference lines; keep a candidate as the
// override for the shape. Two layouts: compact in the side bar (the chosen config, the fastest
// predicted candidates, the rejected ones grouped by reason) and wide in an editor tab ("Open in
// editor": the full sortable table, fastest first).

import type { ExplorerCandidateState, ExplorerKind, ExplorerSnapshot } from '../../../extension/protocol/webview';
import type { Candidate } from '../../../extension/protocol/worker';
import { formatConfig } from '../../../extension/src/core/runRows';
import * as space from '../charts/candidateSpace';
import { candidateData, chosenIndex, identicalConfigs } from '../charts/data';
import { PEER_ORDER, PEER_SHORT_NAME } from '../../../extension/src/core/peers/runPeers';
import type { PeerReference } from '../charts/candidateSpace';
import { environmentBlock } from '../ui/environment';
import { clear, h, num } from '../ui/dom';
import { connect, type Host } from '../ui/host';
import { buildTable, type Column } from '../ui/table';
import { configFigure } from '../ui/configPopover';
import { acceptDroppedFiles } from '../ui/dropFiles';
import { shapeLabel } from '../../../extension/src/core/shapes';
import { EXPLORER_KINDS, explorerActions, shapePlaceholder } from '../../../extension/src/core/explorerKinds';
import { isGroupedConfigKind, problemLabel } from '../../../extension/src/core/grouped/configProblem';
import { renderMqa } from './explorerMqa';

const app = document.getElementById('app') as HTMLElement;

interface Row {
  index: number;
  c: Candidate;
  state?: ExplorerCandidateState;
  chosen: boolean;
  override: boolean;
}

const columns: Column<Row>[] = [
  { key: 'index', header: '#', value: (r) => r.index, numeric: true },
  { key: 'blockM', header: 'block_m', value: (r) => r.c.config.blockM, numeric: true },
  { key: 'blockN', header: 'block_n', value: (r) => r.c.config.blockN, numeric: true },
  { key: 'stages', header: 'stages', value: (r) => r.c.config.numStages, numeric: true },
  { key: 'cluster', header: 'cluster', value: (r) => `${r.c.config.clusterM}x${r.c.config.clusterN}` },
  {
    key: 'swizzle',
    header: 'swizzle',
    title: 'A/B/D swizzle bytes',
    value: (r) => `${r.c.config.swizzleA}/${r.c.config.swizzleB}/${r.c.config.swizzleD}`,
  },
  { key: 'mathWg', header: 'math WG', value: (r) => r.c.config.numMathWarpgroups, numeric: true },
  {
    key: 'smem',
    header: 'smem KB',
    value: (r) => r.c.config.sharedBytes,
    text: (r) => (r.c.config.sharedBytes / 1024).toFixed(1),
    numeric: true,
  },
  { key: 'tiles', header: 'tiles', value: (r) => r.c.tiles, numeric: true },
  { key: 'waves', header: 'waves', value: (r) => r.c.waves, numeric: true },
  {
    key: 'lastWave',
    header: 'last wave',
    title: 'utilisation of the last wave',
    value: (r) => r.c.lastWaveUtilisation,
    text: (r) => `${(100 * r.c.lastWaveUtilisation).toFixed(0)}%`,
    numeric: true,
  },
  {
    key: 'predicted',
    header: 'pred. µs',
    title: "the cost model's prediction",
    value: (r) => r.c.predicted?.us,
    text: (r) => num(r.c.predicted?.us, 2),
    numeric: true,
    lowerIsBetter: true,
  },
  {
    key: 'regs',
    header: 'regs',
    title: 'registers per thread (compile)',
    value: (r) => r.state?.compile?.registers.registers,
    numeric: true,
  },
  {
    key: 'spills',
    header: 'spills',
    value: (r) =>
      r.state?.compile
        ? r.state.compile.registers.spillStoresBytes + r.state.compile.registers.spillLoadsBytes
        : undefined,
    numeric: true,
  },
  {
    key: 'measured',
    header: 'meas. µs',
    title: 'measured median (GPU)',
    value: (r) => r.state?.timing?.timing?.medianUs,
    text: (r) => num(r.state?.timing?.timing?.medianUs, 2),
    numeric: true,
    lowerIsBetter: true,
  },
  { key: 'status', header: 'status', clip: true, value: (r) => status(r) },
];

function status(r: Row): string {
  if (r.c.rejected) return `rejected (${r.c.rejected.rule}): ${r.c.rejected.reason}`;
  const s = r.state;
  const bits: string[] = [];
  if (r.chosen) bits.push('chosen');
  if (r.override) bits.push('override');
  if (s?.compile)
    bits.push(s.compile.cacheHit ? 'compiled (cache hit)' : `compiled in ${(s.compile.compileMs / 1000).toFixed(1)} s`);
  if (s?.compileError) bits.push(`compile failed: ${s.compileError.code}: ${s.compileError.message.split('\n')[0]}`);
  if (s?.timingError) bits.push(`timing failed: ${s.timingError.code}: ${s.timingError.message.split('\n')[0]}`);
  if (s?.timing?.accuracy && !s.timing.accuracy.passed)
    bits.push(`accuracy failed (calc_diff ${s.timing.accuracy.calcDiff.toExponential(2)})`);
  return bits.join('; ') || 'legal';
}

/** "The heuristic's choice was (not) the fastest measured" once at least two were timed. */
function verdict(rows: Row[]): string | undefined {
  const timed = rows.filter((r) => r.state?.timing?.timing);
  if (timed.length < 2) return undefined;
  const fastest = timed.reduce((a, b) =>
    a.state!.timing!.timing!.medianUs <= b.state!.timing!.timing!.medianUs ? a : b,
  );
  const chosen = timed.find((r) => r.chosen);
  const f = fastest.state!.timing!.timing!.medianUs;
  if (!chosen)
    return `Fastest measured: #${fastest.index} ${formatConfig(fastest.c.config)} at ${f.toFixed(2)} µs. Time the chosen config too to compare.`;
  const c = chosen.state!.timing!.timing!.medianUs;
  return chosen === fastest
    ? `The heuristic's choice (#${chosen.index}) was the fastest of ${timed.length} timed: ${c.toFixed(2)} µs.`
    : `The heuristic's choice (#${chosen.index}, ${c.toFixed(2)} µs) was not the fastest: #${fastest.index} ${formatConfig(fastest.c.config)} took ${f.toFixed(2)} µs (${((c / f - 1) * 100).toFixed(1)}% faster). Keep it as the override?`;
}

/** The side bar is narrow: below this width the compact layout is used (unless this is the editor tab). */
const COMPACT_BELOW_PX = 560;
/** Candidates listed in the compact layout (fastest predicted first). */
const COMPACT_TOP = 8;

function peerReferences(s: ExplorerSnapshot): PeerReference[] {
  return (s.peers?.peers ?? [])
    .filter((p) => p.timing)
    .sort((a, b) => PEER_ORDER.indexOf(a.id) - PEER_ORDER.indexOf(b.id))
    .map((p) => ({ id: p.id, name: PEER_SHORT_NAME[p.id] ?? p.name, us: p.timing!.medianUs }));
}

/** Draws the picture of candidate i (set by render once the report is known). */
let pictureFor: ((index: number) => void) | undefined;

/** Rejected candidates as a count per rule, with one example reason each (the full list is in the wide layout). */
function rejectedGroups(rows: Row[]): HTMLElement | undefined {
  const rejected = rows.filter((r) => r.c.rejected);
  if (!rejected.length) return undefined;
  const byRule = new Map<string, Row[]>();
  for (const r of rejected) byRule.set(r.c.rejected!.rule, [...(byRule.get(r.c.rejected!.rule) ?? []), r]);
  return h(
    'section',
    { class: 'rejected-groups' },
    h('h3', {}, `${rejected.length} rejected, by reason`),
    h(
      'ul',
      {},
      ...[...byRule]
        .sort((a, b) => b[1].length - a[1].length)
        .map(([rule, list]) => {
          const example = h(
            'button',
            { class: 'link', title: 'Show the picture of this candidate with the reason drawn' },
            formatConfig(list[0].c.config),
          );
          example.addEventListener('click', () => pictureFor?.(list[0].index));
          return h(
            'li',
            {
              title: list
                .slice(0, 12)
                .map((r) => `#${r.index} ${formatConfig(r.c.config)}: ${r.c.rejected!.reason}`)
                .join('\n'),
            },
            h('strong', {}, `${rule} × ${list.length}`),
            ' — e.g. ',
            example,
            `: ${list[0].c.rejected!.reason}`,
          );
        }),
    ),
  );
}

function render(s: ExplorerSnapshot, host: Host): void {
  const ui = host.state();
  clear(app);
  const compact = !s.wide && app.clientWidth < COMPACT_BELOW_PX;
  document.body.classList.toggle('compact', compact);

  const env = s.env;
  const showEnv = !env || !env.canRunKernels;
  // In the side bar the found-items list is folded: the shape form stays in view.
  if (showEnv) app.append(environmentBlock(env, s.envError, { detailsFolded: compact }));

  // Shape form: the shape text each kind takes (M,N,K; a grouped case; an MQA case).
  const currentKind: ExplorerKind = ui.kind ?? s.mqaReport?.case.kind ?? s.problem?.kind ?? 'normal';
  const shape = h('input', {
    type: 'text',
    id: 'shape',
    placeholder: shapePlaceholder(currentKind),
    'aria-label': 'Shape',
    value:
      ui.shapeText ??
      (s.problem && !isGroupedConfigKind(s.problem.kind) ? `${s.problem.m},${s.problem.n},${s.problem.k}` : ''),
  });
  const kind = h(
    'select',
    { 'aria-label': 'Kernel kind' },
    ...EXPLORER_KINDS.map((k) => h('option', { value: k, selected: currentKind === k }, k)),
  );
  kind.addEventListener('change', () => {
    shape.placeholder = shapePlaceholder(kind.value as ExplorerKind);
  });
  const follow = h('input', { type: 'checkbox', id: 'follow', checked: s.follow });
  const show = h('button', { class: 'primary' }, compact ? 'Show' : 'Show candidates');
  const message = h('p', { class: 'form-message', role: 'status' });
  const submit = () => {
    host.saveState({ shapeText: shape.value, kind: kind.value as ExplorerKind });
    host
      .request('configs/list', { shape: shape.value, kind: kind.value as ExplorerKind, follow: follow.checked })
      .catch((e: Error) => {
        message.textContent = e.message;
      });
  };
  show.addEventListener('click', submit);
  shape.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') submit();
  });
  follow.addEventListener('change', submit);
  const wideBtn = h(
    'button',
    { class: 'open-wide', title: 'Open the explorer in an editor tab with the full sortable table' },
    'Open in editor',
  );
  wideBtn.addEventListener('click', () =>
    host.request('explorer/openWide', {}).catch((e: Error) => {
      message.textContent = e.message;
    }),
  );
  app.append(
    h(
      'div',
      { class: 'form' },
      shape,
      kind,
      show,
      h('label', { class: 'check' }, follow, ' follow the last run'),
      s.wide ? undefined : wideBtn,
    ),
    message,
  );
  if (s.reportError) message.textContent = `${s.reportError.code}: ${s.reportError.message}`;

  if (s.busy) {
    const cancel = h('button', {}, 'Cancel');
    cancel.addEventListener('click', () => host.request('job/cancel', {}).catch(() => undefined));
    app.append(
      h(
        'div',
        { class: 'busy', role: 'status' },
        h('progress', { max: String(Math.max(s.busy.total, 1)), value: String(s.busy.done) }),
        ` ${s.busy.what} (${s.busy.done}/${s.busy.total}) `,
        cancel,
      ),
    );
  }

  if (s.mqaReport) {
    renderMqa(app, s.mqaReport, compact, host);
    return;
  }
  const report = s.report;
  if (!report) {
    if (!s.busy && !s.reportError)
      app.append(h('p', { class: 'note' }, 'Type a shape (or follow the last run) to list its candidate configs.'));
    return;
  }
  const chosenAt = chosenIndex(report.candidates, report.chosen);
  const states = new Map(s.candidates.map((c) => [c.index, c]));
  const rows: Row[] = report.candidates.map((c, index) => ({
    index,
    c,
    state: states.get(index),
    chosen: index === chosenAt,
    override: !!s.override && identicalConfigs(s.override, c.config),
  }));
  const legal = rows.filter((r) => !r.c.rejected);
  const p = report.problem;
  app.append(h('h2', {}, `${p.kind} ${problemLabel(p)}: ${legal.length} legal of ${rows.length} candidates`));
  // Tuning ranks the Normal kernel's candidates on this GPU; its winner then becomes the choice here.
  const tuneBtn =
    p.kind === 'normal'
      ? h(
          'button',
          {
            class: 'tune',
            title: "Time this shape's best candidates on this GPU and keep the winner in the tuning store",
          },
          'Tune this shape',
        )
      : undefined;
  const tuneStatus = h('span', { class: 'status', role: 'status' }, s.tuneNote ?? '');
  if (tuneBtn) {
    tuneBtn.disabled = !!s.busy;
    tuneBtn.addEventListener('click', () => {
      tuneStatus.textContent = 'Tuning on this GPU (progress in the notification)…';
      host.request('configs/tune', {}).catch((e: Error) => {
        tuneStatus.textContent = `Tune failed: ${e.message}`;
      });
    });
  }
  app.append(
    h(
      'div',
      { class: 'chosen-card' },
      h(
        'p',
        { class: 'why' },
        h('strong', {}, `Chosen #${chosenAt} ${formatConfig(report.chosen)}`),
        compact ? h('br') : ' — why this one: ',
        report.why,
      ),
      tuneBtn ? h('p', { class: 'tune-row' }, tuneBtn, ' ', tuneStatus) : undefined,
    ),
  );
  if (s.peers) {
    const refs = peerReferences(s);
    if (refs.length)
      app.append(
        h(
          'p',
          { class: 'meta peer-refs' },
          `Peers on this shape (${s.peers.source}): ${refs.map((r) => `${r.name} ${r.us.toFixed(2)} µs`).join(' · ')}`,
        ),
      );
  }
  if (s.override) app.append(h('p', { class: 'note' }, `Override kept for this shape: ${formatConfig(s.override)}.`));

  const selectionFor = `${p.kind}:${shapeLabel(p)}`;
  if (ui.selectionFor !== selectionFor) host.saveState({ selected: [], selectionFor });
  const selected = new Set((host.state().selected ?? []).filter((i) => i < rows.length && !rows[i].c.rejected));
  const actions = explorerActions(p.kind as ExplorerKind);
  const canCompile = !!env?.canCompileKernels && actions.compile;
  const canTime = !!env?.canRunKernels && actions.time;
  const compileBtn = h(
    'button',
    {
      disabled: !canCompile,
      title: !actions.compile
        ? actions.whyNot
        : canCompile
          ? 'Compile the selected candidates (no GPU needed)'
          : 'No usable CUDA toolkit here',
    },
    'Compile',
  );
  const timeBtn = h(
    'button',
    {
      disabled: !canTime,
      title: !actions.time
        ? actions.whyNot
        : canTime
          ? 'Time the selected candidates on the GPU'
          : 'No usable Hopper GPU here: timing is not possible',
    },
    'Time',
  );
  const regsBtn = h('button', {}, 'Registers');
  const keepBtn = h(
    'button',
    { title: 'Keep the single selected candidate as the override for this shape' },
    'Keep as override',
  );
  const clearBtn = h('button', { disabled: !s.override }, 'Clear override');
  const allBtn = h('button', {}, 'Select all legal');
  const noneBtn = h('button', {}, 'Select none');
  // The pipeline timeline / accuracy study of the single selected candidate (GPU).
  const timelineBtn = h(
    'button',
    { title: 'Pipeline timeline of the selected candidate (instrumented run on the GPU)' },
    'Timeline',
  );
  const accuracyBtn = h(
    'button',
    { title: 'Accuracy against FP32 of the selected candidate vs per-tensor scaling vs no promotion' },
    'Accuracy',
  );
  const sassBtn = h(
    'button',
    {
      title:
        'The SASS of the selected candidate: listing with source lines, instruction mix, control bits (compiles it; needs nvdisasm or cuobjdump)',
    },
    'SASS',
  );
  const selInfo = h('span', { class: 'status' });
  const refresh = () => {
    const n = selected.size;
    selInfo.textContent = `${n} selected`;
    compileBtn.disabled = !canCompile || n === 0 || !!s.busy;
    timeBtn.disabled = !canTime || n === 0 || !!s.busy;
    regsBtn.disabled = ![...selected].some((i) => states.get(i)?.compile);
    keepBtn.disabled = n !== 1;
    timelineBtn.disabled = !(env?.canRunKernels && actions.timeline) || n !== 1;
    accuracyBtn.disabled = !(env?.canRunKernels && actions.accuracy) || n !== 1;
    sassBtn.disabled = !canCompile || n !== 1;
    host.saveState({ selected: [...selected] });
    if (n === 1) pictureFor?.([...selected][0]);
  };
  const act = (method: 'configs/compile' | 'configs/time') => () =>
    host.request(method, { indices: [...selected].sort((a, b) => a - b) }).catch((e: Error) => {
      message.textContent = e.message;
    });
  compileBtn.addEventListener('click', act('configs/compile'));
  timeBtn.addEventListener('click', act('configs/time'));
  regsBtn.addEventListener('click', () =>
    host
      .request('registers/show', { indices: [...selected].filter((i) => states.get(i)?.compile) })
      .catch((e: Error) => {
        message.textContent = e.message;
      }),
  );
  keepBtn.addEventListener('click', () =>
    host.request('override/keep', { index: [...selected][0] }).catch((e: Error) => {
      message.textContent = e.message;
    }),
  );
  clearBtn.addEventListener('click', () =>
    host.request('override/keep', { index: -1 }).catch((e: Error) => {
      message.textContent = e.message;
    }),
  );
  const openStudy = (study: 'timeline' | 'accuracy' | 'sass') => () =>
    host.request('study/open', { study, index: [...selected][0] }).catch((e: Error) => {
      message.textContent = e.message;
    });
  timelineBtn.addEventListener('click', openStudy('timeline'));
  accuracyBtn.addEventListener('click', openStudy('accuracy'));
  sassBtn.addEventListener('click', openStudy('sass'));
  app.append(
    h(
      'div',
      { class: 'toolbar' },
      compileBtn,
      timeBtn,
      regsBtn,
      keepBtn,
      clearBtn,
      timelineBtn,
      accuracyBtn,
      sassBtn,
      allBtn,
      noneBtn,
      selInfo,
    ),
  );
  const v = verdict(rows);
  if (v) app.append(h('p', { class: 'verdict', role: 'status' }, v));

  const chartRoot = h('figure', { class: 'chart-box' });
  app.append(chartRoot);
  space.render(
    chartRoot,
    space.layout(
      candidateData(report.candidates, chosenAt, s.candidates),
      { width: Math.max(220, Math.min(640, app.clientWidth - 16)), height: compact ? 180 : 220 },
      peerReferences(s),
    ),
  );

  // The picture of one config: the single selected candidate, else the chosen one (a rejected
  // candidate's, with its reason drawn, when picked from the rejected list).
  const pictureRoot = h('section', { class: 'config-picture-section' });
  app.append(pictureRoot);
  const drawPicture = (index: number) => {
    const row = rows[index];
    if (!row) return;
    clear(pictureRoot);
    pictureRoot.append(
      h(
        'h3',
        {},
        `Picture of #${index} ${formatConfig(row.c.config)}${row.chosen ? ' (chosen)' : row.c.rejected ? ' (rejected)' : ''}`,
      ),
      configFigure(report.problem, row.c.config, row.c.rejected, Math.max(220, Math.min(560, app.clientWidth - 16))),
    );
  };
  pictureFor = drawPicture;
  drawPicture(selected.size === 1 ? [...selected][0] : chosenAt >= 0 ? chosenAt : (legal[0]?.index ?? 0));

  // Compact: the fastest predicted candidates (plus the chosen one), config and times only.
  const compactColumns: Column<Row>[] = [
    {
      key: 'config',
      header: 'config',
      title: 'block_m x block_n, stages, math warpgroups, cluster',
      value: (r) => formatConfig(r.c.config),
    },
    columns.find((c) => c.key === 'predicted')!,
    columns.find((c) => c.key === 'measured')!,
  ];
  const byPrediction = legal.slice().sort((a, b) => (a.c.predicted?.us ?? Infinity) - (b.c.predicted?.us ?? Infinity));
  const shown = compact ? byPrediction.filter((r, i) => i < COMPACT_TOP || r.chosen) : legal;
  const tableHolder = h('div', { class: compact ? 'table-wrap compact-list' : 'table-wrap' });
  const drawTable = () => {
    const st = host.state();
    clear(tableHolder);
    tableHolder.append(
      buildTable<Row>({
        // Fastest predicted first until the user sorts by another column.
        columns: compact ? compactColumns : columns,
        rows: shown,
        sortKey: st.sortKey ?? 'predicted',
        sortDescending: st.sortKey ? st.sortDescending : false,
        rowClass: (r) =>
          [r.chosen ? 'chosen' : '', r.override ? 'override' : ''].filter(Boolean).join(' ') || undefined,
        rowTitle: (r) => (r.chosen ? `the heuristic's choice: ${report.why}` : undefined),
        lead: (r) => {
          const box = h('input', {
            type: 'checkbox',
            'aria-label': `select candidate ${r.index}`,
            checked: selected.has(r.index),
          });
          box.addEventListener('change', () => {
            if (box.checked) selected.add(r.index);
            else selected.delete(r.index);
            refresh();
          });
          return box;
        },
        onSort: (key, desc) => {
          host.saveState({ sortKey: key, sortDescending: desc });
          drawTable();
        },
      }),
    );
  };
  allBtn.addEventListener('click', () => {
    legal.forEach((r) => selected.add(r.index));
    refresh();
    drawTable();
  });
  noneBtn.addEventListener('click', () => {
    selected.clear();
    refresh();
    drawTable();
  });
  refresh();
  drawTable();
  app.append(tableHolder);
  if (compact) {
    if (legal.length > shown.length)
      app.append(
        h(
          'p',
          { class: 'note' },
          `${legal.length - shown.length} more legal candidates: “Open in editor” shows the full table.`,
        ),
      );
    const groups = rejectedGroups(rows);
    if (groups) app.append(groups);
    return;
  }

  // Rejected candidates: a count per rule, and the full list with each reason on demand.
  const rejected = rows.filter((r) => r.c.rejected);
  if (rejected.length) {
    const byRule = new Map<string, number>();
    for (const r of rejected) byRule.set(r.c.rejected!.rule, (byRule.get(r.c.rejected!.rule) ?? 0) + 1);
    const details = h(
      'details',
      { class: 'rejected-list', open: !!ui.showRejected },
      h(
        'summary',
        {},
        `${rejected.length} rejected candidates — ${[...byRule].map(([rule, n]) => `${rule}: ${n}`).join(', ')}`,
      ),
    );
    details.addEventListener('toggle', () => {
      host.saveState({ showRejected: details.open });
      if (details.open && details.childElementCount === 1) details.append(rejectedTable());
    });
    const rejectedTable = () =>
      h(
        'div',
        { class: 'table-wrap' },
        buildTable<Row>({
          // One config column and the rule beside its reason, so the reason is in view without scrolling
          // sideways in a narrow tab.
          columns: [
            columns[0],
            { key: 'config', header: 'config', value: (r) => formatConfig(r.c.config) },
            columns[7],
            {
              key: 'reason',
              header: 'rule: reason',
              wrap: true,
              value: (r) => `${r.c.rejected!.rule}: ${r.c.rejected!.reason}`,
            },
          ],
          rows: rejected,
          rowClass: () => 'rejected',
        }),
      );
    if (details.open) details.append(rejectedTable());
    app.append(details);
  }
}

const explorerHost = connect<ExplorerSnapshot>('explorer', render);
acceptDroppedFiles(explorerHost, (text) => {
  const m = document.querySelector('p.form-message');
  if (m) m.textContent = text;
});
