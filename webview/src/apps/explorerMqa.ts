// The Config Explorer's MQA-logits part: the kernel configs an MQA case can be built with (math
// warpgroups x Q stages x KV stages around the runtime's), with their own columns (heads, dim,
// next_n, stages, warpgroups, shared memory, threads), the runtime's config marked with why, and each
// rejected one with its rule and reason. Compact in the side bar (the legal ones by config, the
// rejected grouped by rule), the full tables in the editor tab.

import type { MqaCandidate, MqaConfigReport } from '../../../extension/protocol/mqa';
import { mqaConfigLabel } from '../../../extension/src/core/mqa/mqaCandidates';
import { mqaCaseLabel } from '../../../extension/src/core/mqa/mqaShapes';
import { h } from '../ui/dom';
import type { Host } from '../ui/host';
import { buildTable, type Column } from '../ui/table';

interface Row {
  index: number;
  c: MqaCandidate;
  chosen: boolean;
}

const columns: Column<Row>[] = [
  { key: 'index', header: '#', value: (r) => r.index, numeric: true },
  { key: 'heads', header: 'heads', value: (r) => r.c.config.heads, numeric: true },
  { key: 'dim', header: 'dim', value: (r) => r.c.config.dim, numeric: true },
  { key: 'nextN', header: 'next_n', value: (r) => r.c.config.nextN, numeric: true },
  { key: 'qStages', header: 'Q stages', value: (r) => r.c.config.numQStages, numeric: true },
  { key: 'kvStages', header: 'KV stages', value: (r) => r.c.config.numKVStages, numeric: true },
  { key: 'mathWg', header: 'math WG', value: (r) => r.c.config.numMathWarpgroups, numeric: true },
  {
    key: 'keys',
    header: 'keys/step',
    title: 'keys one step of the math warpgroups covers (64 per warpgroup)',
    value: (r) => r.c.keysPerStep,
    numeric: true,
  },
  {
    key: 'smem',
    header: 'smem KB',
    value: (r) => r.c.config.sharedBytes,
    text: (r) => (r.c.config.sharedBytes / 1024).toFixed(1),
    numeric: true,
  },
  { key: 'threads', header: 'threads', value: (r) => r.c.config.threads, numeric: true },
  {
    key: 'regs',
    header: 'regs',
    title: 'setmaxnreg: registers per producer / per math thread',
    value: (r) => r.c.mathRegisters,
    text: (r) => `${r.c.producerRegisters}/${r.c.mathRegisters}`,
    numeric: true,
  },
];

const statusColumn: Column<Row> = {
  key: 'status',
  header: 'status',
  value: (r) => (r.chosen ? 'chosen (runtime default)' : 'legal'),
};

export function renderMqa(app: HTMLElement, report: MqaConfigReport, compact: boolean, host: Host): void {
  const rows: Row[] = report.candidates.map((c, index) => ({ index, c, chosen: index === report.chosenIndex }));
  const legal = rows.filter((r) => !r.c.rejected);
  const rejected = rows.filter((r) => r.c.rejected);
  const c = report.case;
  app.append(h('h2', {}, `${c.kind} ${mqaCaseLabel(c)}: ${legal.length} legal of ${rows.length} kernel configs`));
  app.append(
    h(
      'div',
      { class: 'chosen-card' },
      h(
        'p',
        { class: 'why' },
        h('strong', {}, `Chosen #${report.chosenIndex} ${mqaConfigLabel(report.chosen)}`),
        compact ? h('br') : ' — why this one: ',
        report.why,
      ),
    ),
  );
  app.append(
    h(
      'p',
      { class: 'note' },
      `The runtime runs the chosen config; \`fp8lab bench --kernel ${c.kind}\` checks and times it. The others are what the kernels would also compile.`,
    ),
  );

  const compactColumns: Column<Row>[] = [
    {
      key: 'config',
      header: 'config',
      title: 'Q stages / KV stages x math warpgroups',
      value: (r) => mqaConfigLabel(r.c.config),
    },
    columns.find((col) => col.key === 'smem')!,
    columns.find((col) => col.key === 'threads')!,
  ];
  const st = host.state();
  const table = (list: Row[], cols: Column<Row>[], rowClass: (r: Row) => string | undefined) =>
    h(
      'div',
      { class: compact ? 'table-wrap compact-list' : 'table-wrap' },
      buildTable<Row>({ columns: cols, rows: list, rowClass, rowTitle: (r) => (r.chosen ? report.why : undefined) }),
    );
  app.append(
    table(legal, compact ? compactColumns : [...columns, statusColumn], (r) => (r.chosen ? 'chosen' : undefined)),
  );
  if (!rejected.length) return;

  if (compact) {
    // A count per rule with one example and its reason (the full list is in the editor tab).
    const byRule = new Map<string, Row[]>();
    for (const r of rejected) byRule.set(r.c.rejected!.rule, [...(byRule.get(r.c.rejected!.rule) ?? []), r]);
    app.append(
      h(
        'section',
        { class: 'rejected-groups' },
        h('h3', {}, `${rejected.length} rejected, by reason`),
        h(
          'ul',
          {},
          ...[...byRule]
            .sort((a, b) => b[1].length - a[1].length)
            .map(([rule, list]) =>
              h(
                'li',
                {},
                h('strong', {}, `${rule} × ${list.length}`),
                ` — e.g. ${mqaConfigLabel(list[0].c.config)}: ${list[0].c.rejected!.reason}`,
              ),
            ),
        ),
      ),
    );
    return;
  }
  const byRule = new Map<string, number>();
  for (const r of rejected) byRule.set(r.c.rejected!.rule, (byRule.get(r.c.rejected!.rule) ?? 0) + 1);
  const rejectedTable = () =>
    table(
      rejected,
      // One config column and the rule beside its reason, so the reason is in view without scrolling
      // sideways in a narrow tab.
      [
        columns[0],
        { key: 'config', header: 'config', value: (r) => mqaConfigLabel(r.c.config) },
        columns.find((col) => col.key === 'smem')!,
        {
          key: 'reason',
          header: 'rule: reason',
          wrap: true,
          value: (r) => `${r.c.rejected!.rule}: ${r.c.rejected!.reason}`,
        },
      ],
      () => 'rejected',
    );
  const details = h(
    'details',
    { class: 'rejected-list', open: !!st.showRejected },
    h(
      'summary',
      {},
      `${rejected.length} rejected kernel configs — ${[...byRule].map(([rule, n]) => `${rule}: ${n}`).join(', ')}`,
    ),
  );
  details.addEventListener('toggle', () => {
    host.saveState({ showRejected: details.open });
    if (details.open && details.childElementCount === 1) details.append(rejectedTable());
  });
  if (details.open) details.append(rejectedTable());
  app.append(details);
}
