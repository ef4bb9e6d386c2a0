// The SASS view: what the compiler made of a kernel. One config's listing (source lines, loops
// folded from backward branches, decoded control bits, the instruction mix) or two configs side by
// side (mix deltas and an aligned listing). Hovering or focusing an instruction shows what it does
// and its control bits in words, with where each decoded field comes from.

import type { SassDiffSnapshot, SassListingSnapshot, SassReport, SassSnapshot } from '../../../extension/protocol/sass';
import {
  CONTROL_BITS_PROVENANCE,
  decodeControlBits,
  describeControlBits,
  formatControlBits,
  type ControlBits,
} from '../../../extension/src/core/sass/controlBits';
import { diffFunctions } from '../../../extension/src/core/sass/diff';
import { findLoops, flattenLoops, type SassLoop } from '../../../extension/src/core/sass/loops';
import { familyOf, functionMix, instructionMix, isTensorCore, mixKey } from '../../../extension/src/core/sass/mix';
import { OPCODE_DOCS_SOURCE, opcodeDoc } from '../../../extension/src/core/sass/opcodes';
import { repoRelativeSource } from '../../../extension/src/core/sass/sourceLines';
import type { SassFunction, SassInstruction } from '../../../extension/src/core/sass/types';
import * as mixChart from '../charts/sassMix';
import { clear, h } from '../ui/dom';
import { connect, type Host } from '../ui/host';

const app = document.getElementById('app') as HTMLElement;

function largest(r: SassReport): SassFunction {
  return [...r.listing.functions].sort((a, b) => b.instructions.length - a.instructions.length)[0];
}

function controlOf(ins: SassInstruction): ControlBits | undefined {
  return ins.encoding ? decodeControlBits(ins.encoding.hi) : undefined;
}

function sourceText(ins: SassInstruction): string {
  return ins.source ? `${repoRelativeSource(ins.source.file)}:${ins.source.line}` : '';
}

/** The side pane: the hovered instruction in words. */
function details(pane: HTMLElement, ins: SassInstruction | undefined, host: Host, side?: string): void {
  clear(pane);
  if (!ins) {
    pane.append(
      h('p', { class: 'note' }, 'Hover over or focus an instruction to see what it does and its control bits.'),
    );
    return;
  }
  const doc = opcodeDoc(ins.opcode);
  pane.append(
    h(
      'h2',
      { class: 'opcode' },
      `${side ? side + ': ' : ''}${ins.opcode}${ins.modifiers.length ? '.' + ins.modifiers.join('.') : ''}`,
    ),
  );
  pane.append(h('p', { class: 'ins-text' }, ins.text));
  pane.append(
    h(
      'p',
      { class: 'what' },
      doc ? doc.summary : `No description of ${ins.opcode} here; family: ${familyOf(ins.opcode)}.`,
    ),
  );
  if (doc?.note) pane.append(h('p', { class: 'note' }, doc.note));
  pane.append(h('p', { class: 'provenance' }, `Meaning: ${OPCODE_DOCS_SOURCE}.`));
  const c = controlOf(ins);
  if (c) {
    const dl = h('dl', { class: 'control' });
    const row = (k: string, v: string, from: string) => {
      dl.append(h('dt', {}, k), h('dd', {}, v, h('span', { class: 'from' }, ` (${from})`)));
    };
    row('stall', `${c.stall} cycle(s)`, 'inferred');
    row('yield', c.yield ? 'yes' : 'no', 'inferred');
    row('write scoreboard', c.writeBarrier === undefined ? 'none' : String(c.writeBarrier), 'inferred');
    row('read scoreboard', c.readBarrier === undefined ? 'none' : String(c.readBarrier), 'inferred');
    row('waits on', c.waitOn.length ? c.waitOn.join(', ') : 'nothing', 'inferred');
    row('reuse', c.reuse.length ? `operand slot(s) ${c.reuse.join(', ')}` : 'none', 'inferred, checked against .reuse');
    pane.append(h('h3', {}, 'Control bits ', h('code', { class: 'bits' }, formatControlBits(c))), dl);
    pane.append(h('ul', { class: 'control-words' }, ...describeControlBits(c).map((t) => h('li', {}, t))));
    pane.append(
      h(
        'p',
        { class: 'provenance' },
        `Layout: ${CONTROL_BITS_PROVENANCE.layout}. NVIDIA documents none of these bits.`,
      ),
    );
  } else {
    pane.append(
      h(
        'p',
        { class: 'note' },
        'No encoding in this listing: control bits cannot be decoded (nvdisasm -hex or cuobjdump -sass print it).',
      ),
    );
  }
  if (ins.source) {
    const src = ins.source;
    const open = h('button', { class: 'small', type: 'button' }, 'Open source');
    open.addEventListener('click', () => {
      void host
        .request('sass/openSource', { file: src.file, line: src.line })
        .catch((e: Error) => host.log('warn', e.message));
    });
    pane.append(h('h3', {}, 'Source'), h('p', { class: 'source' }, sourceText(ins), ' ', open));
    if (src.inlinedAt?.length)
      pane.append(
        h(
          'p',
          { class: 'note' },
          `inlined at ${src.inlinedAt.map((s) => `${repoRelativeSource(s.file)}:${s.line}`).join(' ← ')}`,
        ),
      );
  }
}

function loopSummary(fn: SassFunction, l: SassLoop): string {
  const mix = instructionMix(fn.instructions.slice(l.first, l.last + 1));
  const top = mix.entries
    .filter((e) => e.family === 'tensor')
    .concat(mix.entries.filter((e) => e.family !== 'tensor'))
    .slice(0, 4);
  return `loop ${l.label ?? ''} 0x${l.start.toString(16)}–0x${l.end.toString(16)} · ${l.last - l.first + 1} instructions · ${top.map((e) => `${e.count} ${e.key}`).join(', ')}`;
}

function controlCells(ins: SassInstruction): HTMLTableCellElement[] {
  const c = controlOf(ins);
  if (!c) return [h('td', { class: 'ctrl', colspan: '6' }, '')];
  const wait = Array.from({ length: 6 }, (_, i) => (c.waitOn.includes(i) ? String(i) : '-')).join('');
  return [
    h('td', { class: 'ctrl wait' }, wait),
    h('td', { class: 'ctrl' }, c.readBarrier === undefined ? '-' : String(c.readBarrier)),
    h('td', { class: 'ctrl' }, c.writeBarrier === undefined ? '-' : String(c.writeBarrier)),
    h('td', { class: 'ctrl' }, c.yield ? 'Y' : '-'),
    h('td', { class: 'ctrl num' }, String(c.stall)),
    h('td', { class: 'ctrl' }, c.reuse.length ? c.reuse.join('') : ''),
  ];
}

function asmCell(ins: SassInstruction): HTMLTableCellElement {
  const pred = ins.predicate ? h('span', { class: 'pred' }, ins.predicate + ' ') : undefined;
  const head = [ins.opcode, ...ins.modifiers].join('.');
  const cls = `op fam-${familyOf(ins.opcode)}${isTensorCore(ins) ? ' tensor' : ''}`;
  return h(
    'td',
    { class: 'asm' },
    pred,
    h('span', { class: cls }, head),
    ins.operands.length ? ' ' + ins.operands.join(', ') : '',
  );
}

function renderListing(s: SassListingSnapshot, host: Host): void {
  const r = s.report;
  let fn = largest(r);
  app.append(h('h1', {}, s.title));
  app.append(
    h(
      'p',
      { class: 'meta' },
      `${r.command.join(' ')}${r.listing.arch ? ` · ${r.listing.arch}` : ''} · ${r.listing.functions.length} function(s)`,
    ),
  );
  if (!r.listing.hasLineInfo)
    app.append(
      h(
        'p',
        { class: 'badge warn' },
        'No source lines in this listing: they need a -lineinfo build and nvdisasm -g/-gi.',
      ),
    );
  if (r.unreadLines)
    app.append(
      h('p', { class: 'badge warn' }, `${r.unreadLines} line(s) looked like instructions but could not be read.`),
    );
  const body = h('div', { class: 'sass-body' });
  const pick = h(
    'select',
    { id: 'function', 'aria-label': 'function' },
    ...r.listing.functions.map((f, i) =>
      h('option', { value: String(i), selected: f === fn }, `${f.name} (${f.instructions.length})`),
    ),
  );
  pick.addEventListener('change', () => {
    fn = r.listing.functions[Number(pick.value)];
    draw();
  });
  if (r.listing.functions.length > 1)
    app.append(h('div', { class: 'toolbar' }, h('label', { for: 'function' }, 'Function '), pick));
  app.append(body);

  function draw(): void {
    clear(body);
    const mix = functionMix(fn);
    const loops = flattenLoops(findLoops(fn));
    const tensor = mix.entries.filter((e) => e.family === 'tensor');
    body.append(
      h(
        'p',
        { class: 'summary' },
        `${fn.name}: ${mix.total} instructions, ${loops.length} loop(s), ` +
          (tensor.length ? tensor.map((e) => `${e.count} × ${e.key}`).join(', ') : 'no tensor-core instruction'),
      ),
    );
    const fig = h('figure', { class: 'chart-box mix' });
    body.append(fig);
    mixChart.render(
      fig,
      mixChart.layout(mixChart.mixBars([mix]), {
        width: Math.max(360, Math.min(760, app.clientWidth - 24)),
        height: 120,
      }),
    );

    const collapsed = new Set<SassLoop>();
    const rows: { tr: HTMLTableRowElement; index: number; head?: SassLoop }[] = [];
    const tbody = h('tbody');
    const heads = new Map<number, SassLoop[]>();
    for (const l of loops) heads.set(l.first, [...(heads.get(l.first) ?? []), l]);
    let lastSrc = '';
    fn.instructions.forEach((ins, i) => {
      for (const l of heads.get(i) ?? []) {
        const toggle = h(
          'button',
          { class: 'small fold', type: 'button', 'aria-expanded': 'true', title: 'fold or unfold this loop' },
          '▾',
        );
        const tr = h(
          'tr',
          { class: `loop-head depth-${Math.min(l.depth, 4)}` },
          h('td', { colspan: '9' }, toggle, ' ', loopSummary(fn, l)),
        );
        toggle.addEventListener('click', () => {
          if (collapsed.has(l)) collapsed.delete(l);
          else collapsed.add(l);
          toggle.setAttribute('aria-expanded', String(!collapsed.has(l)));
          toggle.textContent = collapsed.has(l) ? '▸' : '▾';
          applyFolding();
        });
        rows.push({ tr, index: i, head: l });
        tbody.append(tr);
      }
      const src = sourceText(ins);
      const srcCell = h('td', { class: 'src', title: ins.source ? ins.source.file : '' }, src !== lastSrc ? src : '');
      lastSrc = src;
      const tr = h(
        'tr',
        {
          class: `ins${isTensorCore(ins) ? ' tensor' : ''}`,
          tabindex: '0',
          'data-index': String(i),
          'data-key': mixKey(ins),
        },
        h('td', { class: 'off' }, ins.offset.toString(16).padStart(4, '0')),
        srcCell,
        asmCell(ins),
        ...controlCells(ins),
      );
      rows.push({ tr, index: i });
      tbody.append(tr);
    });
    const applyFolding = () => {
      for (const row of rows) {
        const hidden = [...collapsed].some(
          (l) =>
            row.index >= l.first && row.index <= l.last && (!row.head || (row.head !== l && row.head.depth > l.depth)),
        );
        row.tr.hidden = hidden;
      }
    };
    const foldAll = h('button', { type: 'button' }, 'Fold all loops');
    foldAll.addEventListener('click', () => {
      for (const l of loops) collapsed.add(l);
      for (const b of tbody.querySelectorAll('button.fold')) {
        b.setAttribute('aria-expanded', 'false');
        b.textContent = '▸';
      }
      applyFolding();
    });
    const unfoldAll = h('button', { type: 'button' }, 'Unfold all');
    unfoldAll.addEventListener('click', () => {
      collapsed.clear();
      for (const b of tbody.querySelectorAll('button.fold')) {
        b.setAttribute('aria-expanded', 'true');
        b.textContent = '▾';
      }
      applyFolding();
    });
    if (loops.length) body.append(h('div', { class: 'toolbar' }, foldAll, unfoldAll));
    const table = h(
      'table',
      { class: 'data sass-listing' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', {}, 'offset'),
          h('th', {}, 'source'),
          h('th', {}, 'instruction'),
          h('th', { title: 'scoreboards waited on (0-5)' }, 'wait'),
          h('th', { title: 'read scoreboard set' }, 'R'),
          h('th', { title: 'write scoreboard set' }, 'W'),
          h('th', { title: 'yield' }, 'Y'),
          h('th', { title: 'stall cycles' }, 'stall'),
          h('th', { title: 'operand reuse slots' }, 'reuse'),
        ),
      ),
      tbody,
    );
    const pane = h('aside', { class: 'sass-details', 'aria-live': 'polite' });
    details(pane, undefined, host);
    const show = (e: Event) => {
      const tr = (e.target as HTMLElement).closest('tr.ins') as HTMLElement | null;
      if (tr) details(pane, fn.instructions[Number(tr.dataset.index)], host);
    };
    tbody.addEventListener('mouseover', show);
    tbody.addEventListener('focusin', show);
    body.append(h('div', { class: 'sass-layout' }, h('div', { class: 'table-wrap' }, table), pane));
  }
  draw();
}

function renderDiff(s: SassDiffSnapshot, host: Host): void {
  const left = largest(s.left),
    right = largest(s.right);
  const d = diffFunctions(left, right);
  app.append(h('h1', {}, s.title));
  // Columns and bars are headed A and B (labels can be long file names); the legend names them.
  app.append(
    h('p', { class: 'meta legend-a' }, h('strong', {}, 'A'), ` = ${s.leftLabel} · ${s.left.command.join(' ')}`),
    h('p', { class: 'meta legend-b' }, h('strong', {}, 'B'), ` = ${s.rightLabel} · ${s.right.command.join(' ')}`),
  );
  app.append(
    h(
      'p',
      { class: 'summary' },
      `${left.instructions.length} vs ${right.instructions.length} instructions; aligned by opcode: ${d.same} matched, ` +
        `${d.rows.filter((r) => r.kind === 'changed').length} changed, ${d.rows.filter((r) => r.kind === 'left').length} only in ${s.leftLabel}, ${d.rows.filter((r) => r.kind === 'right').length} only in ${s.rightLabel}` +
        (d.truncated ? ' (too different to align: paired by position)' : ''),
    ),
  );
  const fig = h('figure', { class: 'chart-box mix' });
  app.append(fig);
  mixChart.render(
    fig,
    mixChart.layout(
      mixChart.mixBars([functionMix(left), functionMix(right)]),
      { width: Math.max(360, Math.min(760, app.clientWidth - 24)), height: 120 },
      ['A', 'B'],
    ),
  );
  const deltas = d.mix.filter((m) => m.delta !== 0);
  app.append(h('h2', {}, 'Instruction mix deltas'));
  app.append(
    h(
      'div',
      { class: 'table-wrap' },
      h(
        'table',
        { class: 'data mix-delta' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            h('th', {}, 'instruction'),
            h('th', { class: 'num', title: s.leftLabel }, 'A'),
            h('th', { class: 'num', title: s.rightLabel }, 'B'),
            h('th', { class: 'num' }, 'B − A'),
          ),
        ),
        h(
          'tbody',
          {},
          ...deltas.map((m) =>
            h(
              'tr',
              { class: m.family === 'tensor' ? 'tensor' : '' },
              h('td', {}, m.key),
              h('td', { class: 'num' }, String(m.left)),
              h('td', { class: 'num' }, String(m.right)),
              h('td', { class: `num ${m.delta > 0 ? 'up' : 'down'}` }, `${m.delta > 0 ? '+' : ''}${m.delta}`),
            ),
          ),
        ),
      ),
    ),
  );
  if (!deltas.length) app.append(h('p', { class: 'note' }, 'Same counts of every instruction.'));
  app.append(h('h2', {}, 'Aligned listing'));
  const mark = { same: '', changed: '~', left: '−', right: '+' } as const;
  const tbody = h(
    'tbody',
    {},
    ...d.rows.map((row, i) => {
      const l = row.left !== undefined ? left.instructions[row.left] : undefined;
      const r = row.right !== undefined ? right.instructions[row.right] : undefined;
      return h(
        'tr',
        { class: `diff ${row.kind}`, tabindex: '0', 'data-row': String(i) },
        h('td', { class: 'off' }, l ? l.offset.toString(16).padStart(4, '0') : ''),
        l ? asmCell(l) : h('td', { class: 'asm' }, ''),
        h('td', { class: 'mark' }, mark[row.kind]),
        h('td', { class: 'off' }, r ? r.offset.toString(16).padStart(4, '0') : ''),
        r ? asmCell(r) : h('td', { class: 'asm' }, ''),
      );
    }),
  );
  const pane = h('aside', { class: 'sass-details', 'aria-live': 'polite' });
  details(pane, undefined, host);
  const show = (e: Event) => {
    const tr = (e.target as HTMLElement).closest('tr.diff') as HTMLElement | null;
    if (!tr) return;
    const row = d.rows[Number(tr.dataset.row)];
    const onRight = (e.target as HTMLElement).closest('td')
      ? [...tr.children].indexOf((e.target as HTMLElement).closest('td')!) >= 3
      : false;
    const ins =
      onRight && row.right !== undefined
        ? right.instructions[row.right]
        : row.left !== undefined
          ? left.instructions[row.left]
          : right.instructions[row.right!];
    details(pane, ins, host, ins === left.instructions[row.left ?? -1] ? 'A' : 'B');
  };
  tbody.addEventListener('mouseover', show);
  tbody.addEventListener('focusin', show);
  const table = h(
    'table',
    { class: 'data sass-diff' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', {}, 'offset'),
        h('th', { title: s.leftLabel }, 'A'),
        h('th', {}, ''),
        h('th', {}, 'offset'),
        h('th', { title: s.rightLabel }, 'B'),
      ),
    ),
    tbody,
  );
  app.append(h('div', { class: 'sass-layout' }, h('div', { class: 'table-wrap' }, table), pane));
}

function render(s: SassSnapshot, host: Host): void {
  clear(app);
  if (s.mode === 'diff') renderDiff(s, host);
  else renderListing(s, host);
}

connect<SassSnapshot>('sass', render);
